"""Generate Foley in the Resolve double against the real server: each choice rule, marker prompts,
the free and Studio paths, Foley exactly on the source clips' frames with the picture's events."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from resolve_double import FREE, STUDIO
from scenes import Shot, foley_items, make_resolve, run_menu
from test_alignment import wav_onsets

RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001)]


def check_on_frames(resolve, shots_by_name):
    """Each Foley item covers its source clip's frames exactly, and its knocks sit on the picture's events."""
    timeline = resolve.project.current
    sources = {i.name: i for t in timeline.video for i in t.items}
    placed = foley_items(resolve)
    for _, item in placed:
        source = next(s for s in sources.values() if item.media.third_party["Foley Bridge Source"] == s.uid)
        assert (item.start, item.duration) == (source.start, source.duration), source.name
        media = shots_by_name[source.name].media
        rate = float(timeline.rate)
        expected = [source.start + (f - source.left_offset) for f in media.event_frames
                    if source.left_offset <= f < source.left_offset + source.duration]
        found = item.start + wav_onsets(item.media.path) * rate
        assert len(found) == len(expected), (source.name, found, expected)
        assert np.all(np.abs(found - np.array(expected)) <= 1.0), (source.name, found - np.array(expected))
    return placed


@pytest.mark.parametrize("rate", RATES, ids=lambda r: f"{float(r):.3f}")
def test_in_out_marks_choose_and_the_foley_lands_on_the_frame(plugin_env, event_media, rate, capsys):
    fps = round(rate)
    shots = [Shot("A", event_media(rate), at=2 * fps), Shot("B", event_media(rate), at=6 * fps),
             Shot("C over A", event_media(rate), at=3 * fps, track=2), Shot("D outside", event_media(rate), at=20 * fps)]
    resolve = make_resolve(shots, rate, marks=(fps, 12 * fps), product=FREE)
    outcome = run_menu(resolve)
    assert outcome.error is None, outcome.error
    assert outcome.rule == "In/Out marks" and [c.name for c in outcome.clips] == ["A", "B", "C over A"]
    placed = check_on_frames(resolve, {s.name: s for s in shots})
    tracks = sorted({name for name, _ in placed})
    assert tracks == ["Foley", "Foley 2"] and len(placed) == 3  # C overlaps A: a second Foley track
    timeline = resolve.project.current
    assert [t.name for t in timeline.audio][:1] == ["A1"] and all(t.subtype == "stereo" for t in timeline.audio)
    printed = capsys.readouterr().out
    assert "3 clip(s) chosen by In/Out marks" in printed and "V1 01:00:02:00 A" in printed
