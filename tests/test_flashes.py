"""Flashes are events, not cuts: one strong onset on a flash's first frame and no cut; real cuts,
dissolves and fades stay what they are. Real H.264 files, decoded with PyAV."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from edited_footage import PanningShot, flash_picture, write_flash_video, write_transition_video
from foley_server.demo.footage import encode
from foley_server.pipeline.media import decode_frames
from foley_server.pipeline.vision import FINAL_LAG_S, FLASH_MAX_FRAMES, FLASH_STRENGTH, VisualAnalyzer, visual_events

RATES = [Fraction(24000, 1001), Fraction(25), Fraction(30000, 1001)]


def _rate_id(rate: Fraction) -> str:
    return f"{float(rate):.3f}"


def _events(path: Path, rate: Fraction, n_frames: int, start_frame: int = 0, height: int = 144):
    r = float(rate)
    return visual_events(decode_frames(path, start_frame / r, n_frames / r, height=height), n_frames / r, r)


def _frames(times_s: np.ndarray, rate: Fraction) -> list[int]:
    return np.round(np.asarray(times_s) * float(rate)).astype(int).tolist()


@pytest.mark.parametrize("length", [1, 2, 3])
@pytest.mark.parametrize("rate", [*RATES, Fraction(60000, 1001)], ids=_rate_id)
def test_a_flash_is_one_strong_onset_on_its_first_frame_and_a_cut_stays_a_cut(tmp_path, rate, length):
    """A burnt-out flash (muzzle flash) and a lit-up one (lightning) in a panning, grainy shot, a real cut between."""
    r = float(rate)
    burn, cut, light = (int(round(s * r)) for s in (0.9, 1.8, 2.7))
    n = int(round(3.6 * r))
    path = tmp_path / "flashes.mp4"
    write_flash_video(path, fps=rate, n_frames=n, flashes=[(burn, length, "burn"), (light, length, "light")], cuts=[cut])
    events = _events(path, rate, n)
    # Exactly one onset per flash, on its first frame (seconds on the clip clock, within a frame).
    assert len(events.onset_times_s) == 2, _frames(events.onset_times_s, rate)
    assert np.all(np.abs(events.onset_times_s - np.array([burn, light]) / r) < 1 / r)
    assert _frames(events.onset_times_s, rate) == [burn, light]
    assert np.all(events.onset_strengths >= FLASH_STRENGTH)
    # No cut at either edge of a flash; the real cut is still a cut.
    assert _frames(events.cut_times_s, rate) == [cut]


@pytest.mark.parametrize("height", [72, 144])
def test_a_flash_is_as_strong_as_the_strongest_onset_around_it(tmp_path, height):
    """Local hits (a box knocked across) beside a flash: the flash is at least as strong as any of them."""
    shot = PanningShot(3, (256, 144))

    def frames():
        box_x = 40
        for i in range(100):
            image = shot.frame(i)
            if i in (20, 70):
                box_x = 160 if box_x == 40 else 40
            image[50:90, box_x : box_x + 40] = 235
            yield flash_picture(image, "light") if i == 45 else image

    path = tmp_path / "hits.mp4"
    encode(path, frames(), 25)
    events = _events(path, Fraction(25), 100, height=height)
    assert _frames(events.onset_times_s, 25) == [20, 45, 70]
    flash = events.onset_strengths[1]
    assert flash == FLASH_STRENGTH and flash >= events.onset_strengths.max()
    assert len(events.cut_times_s) == 0


@pytest.mark.parametrize("length", [1, 2, 3])
def test_a_blast_that_jolts_the_camera_is_one_onset(tmp_path, length):
    """An explosion: burnt out, then glowing, and the camera jolted as the light goes."""
    rate = Fraction(24000, 1001)
    path = tmp_path / "blast.mp4"
    write_flash_video(path, fps=rate, n_frames=60, flashes=[(20, length, "blast")], cuts=[40])
    events = _events(path, rate, 60)
    assert _frames(events.onset_times_s, rate) == [20]
    assert _frames(events.cut_times_s, rate) == [40]


@pytest.mark.parametrize(("kind", "length"), [("dissolve", 6), ("dissolve", 12), ("fade-black", 4), ("fade-black", 12),
                                              ("fade-white", 4), ("fade-white", 12), ("fade-in", 6), ("fade-out", 6)])
@pytest.mark.parametrize("height", [72, 144])
def test_dissolves_and_fades_are_neither_cuts_nor_events(tmp_path, kind, length, height):
    """Fades out to black or white over 4 or 12 frames, held a quarter second and back in, a clip opening
    from black or ending in it, dissolves over 6 or 12 frames: nothing is cut and nothing is heard."""
    n = 90
    start = {"fade-in": 0, "fade-out": n - length - 8}.get(kind, 30)
    path = tmp_path / f"{kind}.mp4"
    write_transition_video(path, fps=25, n_frames=n, kind=kind, start=start, length=length)
    events = _events(path, Fraction(25), n, height=height)
    assert len(events.cut_times_s) == 0, _frames(events.cut_times_s, 25)
    assert len(events.onset_times_s) == 0, _frames(events.onset_times_s, 25)


def test_a_letterboxed_fade_to_black_is_no_event(tmp_path):
    """The bars stay black while the picture fades: the change of light is a gain, not one step."""
    shot = PanningShot(5, (256, 144))

    def frames():
        for i in range(80):
            u = float(np.clip((i - 29) / 4, 0, 1) - np.clip((i - 39) / 4, 0, 1))  # out over 4 frames, back over 4
            image = shot.frame(i) * (1 - u)
            image[:28] = 0
            image[-28:] = 0
            yield np.clip(image + 0.5, 0, 255).astype(np.uint8)

    path = tmp_path / "letterbox.mp4"
    encode(path, frames(), 25)
    events = _events(path, Fraction(25), 80)
    assert len(events.cut_times_s) == 0 and len(events.onset_times_s) == 0


@pytest.mark.parametrize(("length", "hold", "flash"), [(1, 0, True), (1, 1, True), (1, 2, False), (2, 1, False)],
                         ids=["2 frames", "3 frames", "4 frames", "5 frames"])
def test_a_dip_to_white_of_up_to_three_frames_is_a_flash_and_longer_is_a_fade(tmp_path, length, hold, flash):
    path = tmp_path / "dip.mp4"
    write_transition_video(path, fps=25, n_frames=60, kind="fade-white", start=30, length=length, hold=hold)
    events = _events(path, Fraction(25), 60)
    assert _frames(events.onset_times_s, 25) == ([30] if flash else [])
    assert len(events.cut_times_s) == 0


@pytest.mark.parametrize("style", ["burn", "light"])
@pytest.mark.parametrize("length", [1, 2, 3])
def test_a_clip_that_starts_or_ends_on_a_flash(tmp_path, style, length):
    """The clip's edge cuts the flash off: it opens lit, or ends before the light goes."""
    rate = Fraction(30000, 1001)
    n = 45
    opens, ends = tmp_path / "opens.mp4", tmp_path / "ends.mp4"
    write_flash_video(opens, fps=rate, n_frames=n, flashes=[(0, length, style)], cuts=[25])
    write_flash_video(ends, fps=rate, n_frames=n, flashes=[(n - length, length, style)], cuts=[20])
    first = _events(opens, rate, n)
    assert _frames(first.onset_times_s, rate) == [0]
    assert _frames(first.cut_times_s, rate) == [25]
    last = _events(ends, rate, n)
    assert _frames(last.onset_times_s, rate) == [n - length]
    assert _frames(last.cut_times_s, rate) == [20]
    # A flash whole at the clip's very edges: the frame before it is the clip's first, the frame
    # after it the clip's last.
    whole = tmp_path / "whole.mp4"
    write_flash_video(whole, fps=rate, n_frames=n, flashes=[(1, length, style), (n - 1 - length, length, style)])
    assert _frames(_events(whole, rate, n).onset_times_s, rate) == [1, n - 1 - length]
    assert len(_events(whole, rate, n).cut_times_s) == 0


def test_a_clip_whose_source_range_starts_inside_a_flash_hears_it_on_its_first_frame(tmp_path):
    rate = Fraction(25)
    path = tmp_path / "v.mp4"
    write_flash_video(path, fps=rate, n_frames=80, flashes=[(40, 3, "burn")], cuts=[60])
    events = _events(path, rate, 30, start_frame=41)  # the clip opens on the flash's second frame
    assert _frames(events.onset_times_s, rate) == [0]
    assert _frames(events.cut_times_s, rate) == [60 - 41]


def test_quick_cuts_stay_cuts(tmp_path):
    """Shots of two frames and a cut just before the clip ends: new pictures that stay are cuts, not flashes."""
    path = tmp_path / "quick.mp4"
    write_flash_video(path, fps=25, n_frames=50, cuts=[20, 22, 24, 47])
    events = _events(path, Fraction(25), 50)
    assert _frames(events.cut_times_s, 25) == [20, 22, 24, 47]
    assert len(events.onset_times_s) == 0


@pytest.mark.parametrize("rate", [Fraction(12), Fraction(60000, 1001)], ids=_rate_id)
def test_streamed_events_never_change_once_final(tmp_path, rate):
    """Cuts wait for the frames that tell them from flashes: no snapshot reports a cut that is later
    taken back, and onsets behind the final lag are those of the whole clip."""
    r = float(rate)
    n = int(round(9 * r))
    flashes = [(int(round(s * r)), k, style) for s, k, style in ((1.0, 2, "burn"), (2.5, 3, "light"), (4.0, 1, "blast"),
                                                                  (6.2, 3, "burn"), (7.5, 2, "light"))]
    cuts = [int(round(s * r)) for s in (3.3, 5.1, 6.9)]
    path = tmp_path / "stream.mp4"
    write_flash_video(path, fps=rate, n_frames=n, flashes=flashes, cuts=cuts)
    analyzer = VisualAnalyzer(r)
    snapshots = []
    for t, frame in decode_frames(path, 0, n / r, height=144):
        analyzer.feed(t, frame)
        assert len(analyzer._held) <= FLASH_MAX_FRAMES  # memory stays constant: a few held frames at most
        snapshots.append((t - FINAL_LAG_S, analyzer.snapshot(n / r, final_until_s=t - FINAL_LAG_S)))
    final = analyzer.finish(n / r)
    assert _frames(final.cut_times_s, rate) == cuts
    assert _frames(final.onset_times_s, rate) == [first for first, _, _ in flashes]
    for final_until, early in snapshots:
        assert set(early.cut_times_s) <= set(final.cut_times_s)
        assert np.array_equal(early.onset_times_s, final.onset_times_s[final.onset_times_s < final_until])
        assert np.array_equal(early.onset_strengths, final.onset_strengths[final.onset_times_s < final_until])
