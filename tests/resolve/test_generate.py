"""Generate Foley in the Resolve double against the real server: each choice rule, marker prompts,
the free and Studio paths, Foley exactly on the source clips' frames with the picture's events."""

from __future__ import annotations

import json
from fractions import Fraction

import numpy as np
import opentimelineio as otio
import pytest
from audio_checks import wav_onsets
from resolve_double import FREE
from scenes import Shot, foley_items, make_resolve, run_menu

RATES = [Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001)]


def check_on_frames(resolve, shots_by_name):
    """Each Foley item covers its source clip's frames exactly, and its hits sit on the picture's events."""
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
    assert "  A: wooden hits → impact(material=wood)" in printed  # what each clip heard


def test_the_foley_colour_chooses_without_marks_and_progress_is_polled_without_websockets(
        plugin_env, event_media, monkeypatch, capsys):
    import foley_client.client

    monkeypatch.setattr(foley_client.client, "websockets_available", lambda: False)  # Resolve's bare Python
    rate = Fraction(25)
    shots = [Shot("Orange one", event_media(rate), at=50, color="Orange"), Shot("Blue one", event_media(rate), at=200,
             color="Blue"), Shot("Orange two", event_media(rate), at=400, color="Orange")]
    resolve = make_resolve(shots, rate, product=FREE, playhead=210)
    outcome = run_menu(resolve)
    assert outcome.error is None, outcome.error
    assert outcome.rule == "clip colour Orange" and [c.name for c in outcome.clips] == ["Orange one", "Orange two"]
    check_on_frames(resolve, {s.name: s for s in shots})
    printed = capsys.readouterr().out
    assert "Orange one: done" in printed and "Orange two: done" in printed


def test_a_configured_colour_is_used(plugin_env, event_media):
    (plugin_env / "config.json").write_text('{"foley_clip_color": "Teal"}')
    rate = Fraction(25)
    shots = [Shot("Orange", event_media(rate), at=50, color="Orange"), Shot("Teal", event_media(rate), at=200, color="Teal")]
    resolve = make_resolve(shots, rate, product=FREE)
    outcome = run_menu(resolve)
    assert outcome.error is None and [c.name for c in outcome.clips] == ["Teal"]


def test_the_playhead_chooses_when_no_marks_and_no_colour(plugin_env, event_media):
    rate = Fraction(24)
    shots = [Shot("First", event_media(rate), at=24), Shot("Under the playhead", event_media(rate), at=200)]
    resolve = make_resolve(shots, rate, product=FREE, playhead=230)
    outcome = run_menu(resolve)
    assert outcome.error is None, outcome.error
    assert outcome.rule == "playhead" and [c.name for c in outcome.clips] == ["Under the playhead"]
    assert [i.start for _, i in foley_items(resolve)] == [86400 + 200]


def test_marker_prompts_negative_prompts_and_seeds_reach_the_job(plugin_env, event_media):
    rate = Fraction(25)
    shots = [Shot("Door", event_media(rate), at=50, color="Orange",
                  marker=("door slam, wooden door", '{"negative_prompt": "room tone", "seed": 1234}')),
             Shot("Plain text custom data", event_media(rate), at=200, color="Orange", marker=("footsteps", "ambience")),
             Shot("No marker", event_media(rate), at=400, color="Orange", marker=None)]
    resolve = make_resolve(shots, rate, product=FREE)
    outcome = run_menu(resolve)
    assert outcome.error is None, outcome.error
    result = otio.adapters.read_from_string(json.dumps(outcome.result["timeline"]), "otio_json")
    made = {c.name[: -len(" Foley")]: c.metadata["foley"] for t in result.tracks if t.name == "Foley"
            for c in t.find_clips()}
    assert (made["Door"]["prompt"], made["Door"]["negative_prompt"], made["Door"]["seed"]) == (
        "door slam, wooden door", "room tone", 1234)
    assert (made["Plain text custom data"]["prompt"], made["Plain text custom data"]["negative_prompt"]) == (
        "footsteps", "ambience")
    assert made["No marker"]["prompt"] == ""  # the server chose from the picture
    assert len(foley_items(resolve)) == 3

