"""Foley tracks: exact placement, overlap handling, replacement on re-run, Resolve's dialect, file formats."""

from __future__ import annotations

import json

import opentimelineio as otio
import pytest

from foley_otio import FoleyItem, TimelineReadError, place_foley_track, read_timeline, record_range, write_timeline

RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
RATE = 30000 / 1001


def _timeline() -> otio.schema.Timeline:
    v1 = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    v1.append(otio.schema.Gap(source_range=TR(duration=RT(31, RATE))))
    for name in ("A", "B"):
        v1.append(otio.schema.Clip(name=name, media_reference=otio.schema.ExternalReference(target_url=f"file:///m/{name}.mov"),
                                   source_range=TR(RT(7, RATE), RT(97, RATE))))
    v2 = otio.schema.Track(name="V2", kind=otio.schema.TrackKind.Video)
    v2.append(otio.schema.Gap(source_range=TR(duration=RT(60, RATE))))
    v2.append(otio.schema.Clip(name="C", media_reference=otio.schema.ExternalReference(target_url="file:///m/C.mov"),
                               source_range=TR(RT(0, RATE), RT(50, RATE))))
    timeline = otio.schema.Timeline(name="t", global_start_time=otio.opentime.from_timecode("01:00:00;00", RATE))
    timeline.tracks.extend([v1, v2])
    return timeline


def _items(timeline, wav_dir="/tmp/foley") -> list[FoleyItem]:
    return [FoleyItem(f"id-{c.name}", c.name, f"{wav_dir}/{c.name}.wav", record_range(c, timeline), {"prompt": c.name})
            for c in timeline.find_clips()]


def _foley_clips(timeline):
    return {c.metadata["foley"]["clip_id"]: (t.name, c) for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio for c in t.find_clips()}


def test_each_foley_clip_covers_its_source_exactly_after_a_file_round_trip(tmp_path):
    timeline = _timeline()
    result = place_foley_track(timeline, _items(timeline))
    write_timeline(result, tmp_path / "out.otio")
    back = read_timeline(tmp_path / "out.otio")
    sources = {c.name: record_range(c, back) for t in back.tracks if t.kind == otio.schema.TrackKind.Video for c in t.find_clips()}
    for clip_id, (_track, clip) in _foley_clips(back).items():
        rr = record_range(clip, back)
        assert rr.start_time == sources[clip_id[3:]].start_time and rr.duration == sources[clip_id[3:]].duration
        assert clip.metadata["foley"]["generated"] is True
        assert otio.url_utils.filepath_from_url(clip.media_reference.target_url) == f"/tmp/foley/{clip_id[3:]}.wav"


def test_overlapping_clips_go_to_a_second_foley_track():
    timeline = _timeline()
    tracks = {cid: name for cid, (name, _) in _foley_clips(place_foley_track(timeline, _items(timeline))).items()}
    assert tracks == {"id-A": "Foley", "id-B": "Foley", "id-C": "Foley 2"}


def test_placing_again_replaces_instead_of_stacking():
    timeline = _timeline()
    once = place_foley_track(timeline, _items(timeline))
    redo = FoleyItem("id-A", "A", "/tmp/v2/A.wav", record_range(once.tracks[0][1], once), {"prompt": "new"})
    twice = place_foley_track(once, [redo])
    clips = _foley_clips(twice)
    assert len([t for t in twice.tracks if t.name.startswith("Foley")]) == 2
    assert clips["id-A"][1].metadata["foley"]["prompt"] == "new"
    assert clips["id-B"][1].metadata["foley"]["prompt"] == "B"
    assert sum(1 for t in twice.tracks for c in t.find_clips() if c.metadata.get("foley", {}).get("clip_id") == "id-A") == 1
    assert record_range(clips["id-B"][1], twice) == record_range(_foley_clips(once)["id-B"][1], once)


def test_original_items_are_untouched():
    timeline = _timeline()
    before = [json.loads(otio.adapters.write_to_string(t, "otio_json")) for t in timeline.tracks]
    result = place_foley_track(timeline, _items(timeline))
    after = [json.loads(otio.adapters.write_to_string(t, "otio_json")) for t in result.tracks[: len(before)]]
    assert after == before
    assert [json.loads(otio.adapters.write_to_string(t, "otio_json")) for t in timeline.tracks] == before  # input not mutated


def test_resolve_dialect_in_resolve_dialect_out():
    timeline = _timeline()
    timeline.metadata["Resolve_OTIO"] = {"Resolve OTIO Meta Version": "1.0"}
    result = place_foley_track(timeline, _items(timeline, wav_dir="C:\\Users\\ed\\foley"))
    foley = [t for t in result.tracks if t.name == "Foley"][0]
    assert foley.metadata["Resolve_OTIO"] == {"Locked": False, "Audio Type": "Stereo"}
    clip = foley.find_clips()[0]
    assert clip.media_reference.target_url == "C:/Users/ed/foley/A.wav"
    assert clip.active_media_reference_key == otio.schema.Clip.DEFAULT_MEDIA_KEY
    assert len(clip.metadata["Resolve_OTIO"]["Channels"]) == 2


def test_read_errors_say_what_is_wrong(tmp_path):
    with pytest.raises(TimelineReadError, match="not found"):
        read_timeline(tmp_path / "none.otio")
    (tmp_path / "cut.mov").write_text("x")
    with pytest.raises(TimelineReadError, match="unsupported timeline type"):
        read_timeline(tmp_path / "cut.mov")
    (tmp_path / "bad.otio").write_text("{not json")
    with pytest.raises(TimelineReadError, match="not a valid OTIO JSON"):
        read_timeline(tmp_path / "bad.otio")
    (tmp_path / "bad.fcpxml").write_text("<fcpxml><oops")
    with pytest.raises(TimelineReadError, match="not a valid FCPXML"):
        read_timeline(tmp_path / "bad.fcpxml")


def test_edl_reads_with_the_given_rate(tmp_path):
    edl = tmp_path / "cut.edl"
    edl.write_text(
        "TITLE: cut\nFCM: NON-DROP FRAME\n\n"
        "001  AX       V     C        00:00:01:00 00:00:03:00 01:00:00:00 01:00:02:00\n"
        "* FROM CLIP NAME: shot1.mov\n"
    )
    timeline = read_timeline(edl, rate=25)
    clip = timeline.find_clips()[0]
    assert clip.source_range.start_time == RT(25, 25) and clip.source_range.duration == RT(50, 25)
