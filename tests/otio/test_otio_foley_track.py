"""Foley tracks: exact placement, overlap handling, replacement on re-run, Resolve's dialect."""

from __future__ import annotations

import json

import opentimelineio as otio

from foley_otio import FoleyItem, place_foley_track, read_timeline, record_range, remove_foley, write_timeline

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
    return {c.metadata["foley"]["clip_id"]: (t.name, c) for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio
            for c in t.find_clips() if "foley" in c.metadata}


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


def test_resolve_dialect_in_resolve_dialect_out(tmp_path):
    timeline = _timeline()
    timeline.metadata["Resolve_OTIO"] = {"Resolve OTIO Meta Version": "1.0"}
    write_timeline(place_foley_track(timeline, _items(timeline, wav_dir="C:\\Users\\ed\\foley")), tmp_path / "r.otio")
    result = read_timeline(tmp_path / "r.otio")
    assert result.metadata["Resolve_OTIO"] == {"Resolve OTIO Meta Version": "1.0"}
    assert result.global_start_time == timeline.global_start_time
    foley = [t for t in result.tracks if t.name == "Foley"][0]
    assert foley.metadata["Resolve_OTIO"] == {"Locked": False, "Audio Type": "Stereo"}
    clip = foley.find_clips()[0]
    assert clip.media_reference.target_url == "C:/Users/ed/foley/A.wav"
    assert clip.active_media_reference_key == otio.schema.Clip.DEFAULT_MEDIA_KEY
    assert len(clip.metadata["Resolve_OTIO"]["Channels"]) == 2


def test_foley_clip_is_an_audio_clip_over_the_whole_wav():
    timeline = _timeline()
    items = _items(timeline)
    items[0] = FoleyItem("id-A", "A", "/tmp/foley/A.wav", items[0].record_range, {"prompt": "steps", "engine": "procedural", "seed": 3})
    result = place_foley_track(timeline, items)
    track, clip = _foley_clips(result)["id-A"]
    foley = next(t for t in result.tracks if t.name == track)
    assert foley.kind == otio.schema.TrackKind.Audio and clip.name == "A Foley"
    duration = items[0].record_range.duration
    assert clip.source_range == TR(RT(0, duration.rate), duration)
    assert clip.media_reference.available_range == TR(RT(0, duration.rate), duration)
    assert clip.metadata["foley"] == {"generated": True, "clip_id": "id-A", "prompt": "steps", "engine": "procedural", "seed": 3}
    assert "Resolve_OTIO" not in foley.metadata and "Resolve_OTIO" not in clip.metadata  # not a Resolve timeline


def test_a_longer_replacement_spans_the_gap_its_predecessor_left():
    timeline = _timeline()
    once = place_foley_track(timeline, _items(timeline))
    b = _foley_clips(once)["id-B"][1]
    longer = TR(record_range(b, once).start_time, record_range(b, once).duration + RT(30, RATE))  # B trimmed longer
    twice = place_foley_track(once, [FoleyItem("id-B", "B", "/tmp/foley/B2.wav", longer)])
    track, clip = _foley_clips(twice)["id-B"]
    assert track == "Foley" and record_range(clip, twice) == longer
    assert record_range(_foley_clips(twice)["id-A"][1], twice) == record_range(_foley_clips(once)["id-A"][1], once)


def test_new_overflow_track_takes_the_first_free_number():
    timeline = _timeline()
    for name in ("Foley", "Foley 3"):  # the user deleted "Foley 2"
        track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
        track.append(otio.schema.Clip(name="user sound", source_range=TR(RT(0, RATE), RT(2000, RATE))))
        timeline.tracks.append(track)
    result = place_foley_track(timeline, _items(timeline)[:1])
    assert _foley_clips(result)["id-A"][0] == "Foley 2"
    assert [t.name for t in result.tracks] == ["V1", "V2", "Foley", "Foley 3", "Foley 2"]


def test_sibling_tracks_with_a_longer_name_are_not_foley_overflow():
    timeline = _timeline()
    fx = otio.schema.Track(name="Foley FX", kind=otio.schema.TrackKind.Audio)
    timeline.tracks.append(fx)
    result = place_foley_track(timeline, _items(timeline))
    assert len(result.tracks[2]) == 0 and result.tracks[2].name == "Foley FX"
    assert {name for name, _ in _foley_clips(result).values()} == {"Foley", "Foley 2"}


def test_remove_foley_leaves_gaps_and_the_input_alone():
    timeline = _timeline()
    placed = place_foley_track(timeline, _items(timeline))
    before = otio.adapters.write_to_string(placed, "otio_json")
    without_a = remove_foley(placed, ["id-A"])
    assert set(_foley_clips(without_a)) == {"id-B", "id-C"}
    assert record_range(_foley_clips(without_a)["id-B"][1], without_a) == record_range(_foley_clips(placed)["id-B"][1], placed)
    assert _foley_clips(remove_foley(placed)) == {}
    assert otio.adapters.write_to_string(placed, "otio_json") == before
