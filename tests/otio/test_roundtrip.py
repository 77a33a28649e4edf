"""The output timeline is the input plus Foley: nothing of the original is lost or changed."""

from __future__ import annotations

import json
from fractions import Fraction

import opentimelineio as otio
import pytest

from foley_otio.timeline_io import read_timeline, write_timeline
from foley_server.generate import generate
from otio_fixtures import event_clip, otio_clip, timeline_with

RATE = Fraction(25)


def _rich_timeline(tmp_path) -> otio.schema.Timeline:
    a = otio_clip(event_clip(tmp_path, "A", RATE), metadata={"prompt": "door slam"})
    b = otio_clip(event_clip(tmp_path, "B", RATE))
    b.markers.append(otio.schema.Marker(name="note", marked_range=otio.opentime.TimeRange(b.source_range.start_time), comment="keep me"))
    b.metadata["editor"] = {"colour": "orange", "take": 3}
    timeline = timeline_with([a, b], RATE)
    v2 = otio.schema.Track(name="V2 titles", kind=otio.schema.TrackKind.Video)
    v2.append(otio.schema.Clip(name="Title", media_reference=otio.schema.GeneratorReference(generator_kind="SolidColor"),
                               source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(50, 25))))
    v2.enabled = False
    dialogue = otio.schema.Track(name="A1 dialogue", kind=otio.schema.TrackKind.Audio)
    dialogue.append(otio.schema.Clip(name="dialogue.wav", media_reference=otio.schema.ExternalReference(target_url="file:///audio/dialogue.wav"),
                                     source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(100, 25))))
    timeline.tracks.extend([v2, dialogue])
    timeline.metadata["project"] = {"name": "round trip"}
    return timeline


def _tracks_json(timeline) -> list[dict]:
    return [json.loads(otio.adapters.write_to_string(t, "otio_json")) for t in timeline.tracks]


def test_every_original_item_is_unchanged_in_the_output(tmp_path):
    source = _rich_timeline(tmp_path)
    src_path = tmp_path / "in.otio"
    write_timeline(source, src_path)
    before = read_timeline(src_path)
    generate(src_path, tmp_path / "out.otio", pictures=False)
    after = read_timeline(tmp_path / "out.otio")
    original, result = _tracks_json(before), _tracks_json(after)
    assert result[: len(original)] == original
    assert after.metadata["project"] == {"name": "round trip"}
    assert after.global_start_time == before.global_start_time
    new = after.tracks[len(original):]
    assert [t.name for t in new] == ["Foley"] and new[0].kind == otio.schema.TrackKind.Audio
    assert sorted(c.name for c in new[0].find_clips()) == ["A Foley", "B Foley"]


def test_rerun_replaces_the_foley_instead_of_stacking(tmp_path):
    src_path = tmp_path / "in.otio"
    write_timeline(_rich_timeline(tmp_path), src_path)
    generate(src_path, tmp_path / "once.otio", pictures=False)
    generate(tmp_path / "once.otio", tmp_path / "twice.otio", pictures=False, seed=5)
    once, twice = read_timeline(tmp_path / "once.otio"), read_timeline(tmp_path / "twice.otio")
    foley_clips = [c for t in twice.tracks if t.kind == otio.schema.TrackKind.Audio and t.name.startswith("Foley") for c in t.find_clips()]
    assert sorted(c.name for c in foley_clips) == ["A Foley", "B Foley"]
    assert len(twice.tracks) == len(once.tracks)
    assert {c.metadata["foley"]["seed"] for c in foley_clips} != {
        c.metadata["foley"]["seed"] for t in once.tracks if t.name == "Foley" for c in t.find_clips()
    }


def test_resolve_dialect_is_kept_and_followed(tmp_path):
    timeline = timeline_with([otio_clip(event_clip(tmp_path, "R", RATE))], RATE)
    timeline.metadata["Resolve_OTIO"] = {"Resolve OTIO Meta Version": "1.0"}
    for track in timeline.tracks:
        track.metadata["Resolve_OTIO"] = {"Locked": False}
    src_path = tmp_path / "resolve.otio"
    write_timeline(timeline, src_path)
    generate(src_path, tmp_path / "out.otio", pictures=False)
    after = read_timeline(tmp_path / "out.otio")
    assert after.metadata["Resolve_OTIO"] == {"Resolve OTIO Meta Version": "1.0"}
    foley = [t for t in after.tracks if t.name == "Foley"][0]
    assert foley.metadata["Resolve_OTIO"]["Audio Type"] == "Stereo"
    clip = foley.find_clips()[0]
    assert "://" not in clip.media_reference.target_url and "\\" not in clip.media_reference.target_url


def _foley_ranges_match(path) -> int:
    from foley_otio.ranges import record_range

    result = read_timeline(path)
    video = {c.name: record_range(c, result) for t in result.tracks if t.kind == otio.schema.TrackKind.Video for c in t.find_clips()}
    foley = [c for t in result.tracks if t.name.startswith("Foley") for c in t.find_clips()]
    for clip in foley:
        assert record_range(clip, result) == video[clip.name.removesuffix(" Foley")]
    return len(foley)


def test_fcpxml_and_fcp7_xml_inputs_through_the_adapters(tmp_path):
    from foley_server.cli import main

    timeline = timeline_with([otio_clip(event_clip(tmp_path, "X", RATE))], RATE)
    for suffix, adapter in ((".fcpxml", "fcpx_xml"), (".xml", "fcp_xml")):
        src = tmp_path / f"cut{suffix}"
        otio.adapters.write_to_file(timeline, str(src), adapter_name=adapter)
        out = tmp_path / f"out{suffix}.otio"
        assert main(["generate", str(src), "-o", str(out), "-q", "--no-pictures"]) == 0
        assert _foley_ranges_match(out) == 1


def test_otioz_bundle_input_uses_its_bundled_media(tmp_path):
    from foley_server.cli import main

    timeline = timeline_with([otio_clip(event_clip(tmp_path / "", "Z", RATE))], RATE)
    bundle = tmp_path / "cut.otioz"
    otio.adapters.write_to_file(timeline, str(bundle))
    (tmp_path / "Z.mp4").unlink()  # only the copy inside the bundle remains
    out = tmp_path / "out.otio"
    assert main(["generate", str(bundle), "-o", str(out), "-q", "--no-pictures"]) == 0
    assert _foley_ranges_match(out) == 1


def test_stems_get_their_own_tracks_loudness_and_are_replaced_on_rerun(tmp_path):
    import numpy as np
    import pyloudnorm
    import soundfile as sf

    from foley_otio.ranges import record_range
    from foley_server.config import STEM_LOUDNESS_LUFS

    clip = otio_clip(event_clip(tmp_path, "S", RATE), metadata={"prompt": "wooden knocks, cloth, light rain"})
    src = tmp_path / "in.otio"
    write_timeline(timeline_with([clip], RATE), src)
    outcome = generate(src, tmp_path / "out.otio", pictures=False, stems=True)
    result = read_timeline(tmp_path / "out.otio")
    names = [t.name for t in result.tracks]
    assert names[-4:] == ["Foley", "Foley FX", "Foley Movement", "Foley Ambience"]
    source_range = record_range(result.tracks[0].find_clips()[0], result)
    for track in result.tracks[-4:]:
        (stem_clip,) = track.find_clips()
        assert record_range(stem_clip, result) == source_range
        assert stem_clip.metadata["foley"].get("stem", "mix") == {"Foley": "mix", "Foley FX": "events",
                                                                 "Foley Movement": "movement", "Foley Ambience": "ambience"}[track.name]
    meter = pyloudnorm.Meter(48_000)
    for role, report in outcome.clips[0].stems.items():
        audio, _ = sf.read(report.wav_path)
        peak_limited = report.gain_db < STEM_LOUDNESS_LUFS[role] - report.measured_lufs - 0.01
        if not peak_limited:
            assert meter.integrated_loudness(audio) == pytest.approx(STEM_LOUDNESS_LUFS[role], abs=0.5)
        assert np.abs(audio).max() <= 10 ** (-1 / 20) + 1e-3
    assert len(outcome.placements) == 4
    generate(tmp_path / "out.otio", tmp_path / "again.otio", pictures=False, stems=True, seed=3)
    again = read_timeline(tmp_path / "again.otio")
    assert [t.name for t in again.tracks] == names  # replaced, not stacked
