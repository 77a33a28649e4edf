"""Round trip through OTIO files: Foley lands exactly on its clip and its hits on the picture's events."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import opentimelineio as otio
import pytest
import soundfile as sf
from audio_checks import wav_onsets
from edited_footage import write_flash_video

from foley_otio.ranges import record_range
from foley_otio.timeline_io import read_timeline, write_timeline
from foley_server.generate import generate
from otio_fixtures import EventClip, event_clip, otio_clip, timeline_with

IMPACTS_ONLY = {"prompt": "wooden hits", "negative_prompt": "room tone, ambience, cloth"}  # one hit per onset
# Gunfire is what a muzzle flash asks for: indoors, so the tail is a dense decay with no discrete echoes.
FLASH_HITS_ONLY = {"prompt": "a gunshot indoors", "negative_prompt": "room tone, ambience, cloth"}

RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30), Fraction(50), Fraction(60000, 1001)]


def _run(tmp_path, timeline):
    src = tmp_path / "in.otio"
    write_timeline(timeline, src)
    out = tmp_path / "out.otio"
    outcome = generate(src, out, pictures=False)
    assert not outcome.failed, [c.error for c in outcome.failed]
    return read_timeline(out), outcome


def _foley_clip(result, clip_id):
    for track in result.tracks:
        for clip in track.find_clips():
            meta = clip.metadata.get("foley", {})
            if meta.get("generated") and meta.get("clip_id") == clip_id:
                return clip
    raise AssertionError(f"no Foley clip for {clip_id}")


def _check_clip(tmp_path, result, outcome, name, ec, timeline_rate):
    source = next(c for t in result.tracks if t.kind == otio.schema.TrackKind.Video for c in t.find_clips() if c.name == name)
    placement_clip_id = next(c.task.clip_id for c in outcome.clips if c.task.name == name)
    foley = _foley_clip(result, placement_clip_id)
    src_range, foley_range = record_range(source, result), record_range(foley, result)
    assert foley_range.start_time == src_range.start_time
    assert foley_range.duration == src_range.duration
    wav = otio.url_utils.filepath_from_url(foley.media_reference.target_url)
    assert sf.info(wav).samplerate == 48_000 and sf.info(wav).subtype == "PCM_24"
    record_start_s = src_range.start_time.to_seconds()
    frame = 1 / float(timeline_rate)
    expected = [record_start_s + (f - ec.in_frame) / float(ec.media_rate) for f in ec.event_frames
                if ec.in_frame <= f < ec.in_frame + ec.visible_frames]
    found = record_start_s + wav_onsets(wav)
    assert len(found) == len(expected), (found, expected)
    assert np.all(np.abs(found - np.array(expected)) <= frame), (found - np.array(expected)) / frame


@pytest.mark.parametrize("rate", RATES, ids=lambda r: f"{float(r):.3f}")
def test_foley_lands_on_its_clip_and_events_at_every_rate(tmp_path, rate):
    ec = event_clip(tmp_path, "Shot", rate)
    timeline = timeline_with([otio_clip(ec, metadata=IMPACTS_ONLY)], rate)
    result, outcome = _run(tmp_path, timeline)
    assert result.global_start_time == timeline.global_start_time
    _check_clip(tmp_path, result, outcome, "Shot", ec, rate)
    placement = outcome.placements[0]
    assert placement.record_start_frame == otio.opentime.to_frames(timeline.global_start_time) + round(1.5 * float(rate))


def test_media_rate_differs_from_timeline_rate_and_media_has_timecode(tmp_path):
    timeline_rate = Fraction(24)
    pal = event_clip(tmp_path, "PAL", Fraction(25))
    ntsc = event_clip(tmp_path, "NTSC", Fraction(24000, 1001), event_s=(1.0, 1.7, 3.1))
    clips = [otio_clip(pal, media_tc_start=10 * 3600 * 25, metadata=IMPACTS_ONLY), otio_clip(ntsc, metadata=IMPACTS_ONLY)]
    result, outcome = _run(tmp_path, timeline_with(clips, timeline_rate))
    _check_clip(tmp_path, result, outcome, "PAL", pal, timeline_rate)
    _check_clip(tmp_path, result, outcome, "NTSC", ntsc, timeline_rate)


@pytest.mark.parametrize("rate", [Fraction(24000, 1001), Fraction(30000, 1001)], ids=lambda r: f"{float(r):.3f}")
def test_a_flash_is_heard_on_its_first_frame_and_a_cut_is_not(tmp_path, rate):
    """A muzzle flash (two frames burnt out) and lightning (three frames lit) around a real cut, in a
    panning grainy shot: one hit on each flash's first frame, nothing at the cut or the flashes' ends."""
    r = float(rate)
    flashes = [(int(round(1.25 * r)), 2, "burn"), (int(round(2.9 * r)), 3, "light")]
    media = tmp_path / "Flash.mp4"
    write_flash_video(media, fps=rate, n_frames=int(round(4.0 * r)), flashes=flashes, cuts=[int(round(2.1 * r))])
    ec = EventClip("Flash", media, rate, in_frame=int(round(0.5 * r)), visible_frames=int(round(3.0 * r)),
                   event_frames=[first for first, _, _ in flashes])
    result, outcome = _run(tmp_path, timeline_with([otio_clip(ec, metadata=FLASH_HITS_ONLY)], rate))
    _check_clip(tmp_path, result, outcome, "Flash", ec, rate)
