"""The Studio dialog (a scripted user drives the UIManager double), Regenerate replacing earlier Foley,
and the option that leaves the timeline untouched and makes "<timeline> (Foley)" instead."""

from __future__ import annotations

import json
from fractions import Fraction

from resolve_double import FREE
from scenes import Shot, foley_items, make_resolve, run_menu
from test_generate import check_on_frames

RATE = Fraction(25)


def shots(event_media):
    return [Shot("Knock", event_media(RATE), at=50, color="Orange"),
            Shot("Steps", event_media(RATE), at=200, color="Orange", marker=None)]


def test_the_studio_dialog_edits_prompts_writes_them_to_the_markers_and_shows_progress(plugin_env, event_media):
    seen = {}

    def user(window):
        items = window.GetItems()
        seen["heading"] = items["Heading"].Text
        seen["first prompt"] = items["Prompt0"].Text
        window.type("Prompt1", "footsteps on gravel")
        window.type("Negative1", "room tone")
        window.type("Seed1", "77")
        items["Profile"].CurrentText = "fast"
        window.click("Generate")
        seen["progress"] = [items["Progress0"].Text, items["Progress1"].Text]
        seen["status"] = items["Status"].Text

    made = shots(event_media)
    resolve = make_resolve(made, RATE, dialog_user=user)
    outcome = run_menu(resolve)
    assert outcome.error is None, outcome.error
    assert seen["heading"] == "2 clip(s) chosen by clip colour Orange" and seen["first prompt"] == "wooden hits"
    assert seen["progress"] == ["done", "done"] and "2 Foley item(s)" in seen["status"]
    steps = next(i for i in resolve.project.current.video[0].items if i.name == "Steps")
    (marker,) = steps.markers.values()
    assert (marker["name"], marker["note"], json.loads(marker["customData"])) == (
        "Foley", "footsteps on gravel", {"negative_prompt": "room tone", "seed": 77})
    job = [p for p in outcome.prompts if p.prompt == "footsteps on gravel"]
    assert job and job[0].seed == 77
    assert len(check_on_frames(resolve, {s.name: s for s in made[:1]} | {"Steps": made[1]})) == 2


def test_cancel_in_the_dialog_changes_nothing(plugin_env, event_media):
    resolve = make_resolve(shots(event_media), RATE, dialog_user=lambda window: window.click("Cancel"))
    before = resolve.project.current.snapshot()
    outcome = run_menu(resolve)
    assert outcome.cancelled and outcome.job_id is None
    assert resolve.project.current.snapshot() == before and not list((plugin_env / "foley").glob("*.wav"))


def test_a_bad_seed_in_the_dialog_is_shown_there_and_nothing_runs(plugin_env, event_media):
    seen = {}

    def user(window):
        window.type("Seed0", "many")
        window.click("Generate")
        seen["status"] = window.GetItems()["Status"].Text
        window.close()

    resolve = make_resolve(shots(event_media), RATE, dialog_user=user)
    before = resolve.project.current.snapshot()
    outcome = run_menu(resolve)
    assert "must be a whole number" in seen["status"] and outcome.job_id is None and not outcome.cancelled
    assert resolve.project.current.snapshot() == before


def test_regenerate_replaces_each_clips_foley_with_a_new_seed(plugin_env, event_media):
    resolve = make_resolve(shots(event_media), RATE, product=FREE)
    timeline = resolve.project.current
    mine = timeline.audio[0]  # the user's own item on a track they named Foley stays where it is
    mine.name = "Foley"
    first = run_menu(resolve)
    assert first.error is None, first.error
    wavs = {item.media.path: open(item.media.path, "rb").read() for _, item in foley_items(resolve)
            if "Foley Bridge Source" in item.media.third_party}
    seeds = []
    for _ in range(2):
        again = run_menu(resolve, regenerate=True)
        assert again.error is None, again.error
        ours = [(n, i) for n, i in foley_items(resolve) if "Foley Bridge Source" in i.media.third_party]
        assert sorted((i.start, i.duration) for _, i in ours) == sorted((s.start, s.duration) for s in timeline.video[0].items)
        seeds.append([p.seed for p in again.prompts])
    assert mine.items and mine.items[0].media.third_party == {}
    assert all(s is not None for s in seeds[0] + seeds[1]) and seeds[0] != seeds[1]
    for item in timeline.video[0].items:  # the new seed is kept in the clip's Foley marker
        (marker,) = [m for m in item.markers.values() if m["name"] == "Foley"]
        assert json.loads(marker["customData"])["seed"] in seeds[1]
    assert any(open(path, "rb").read() != data for path, data in wavs.items())
    (foley_bin,) = [f for f in resolve.project.root.subfolders if f.name == "Foley"]
    assert sorted(m.path for m in foley_bin.clips) == sorted(wavs)  # one pool item per WAV, not one per run


def test_the_new_timeline_option_leaves_the_open_timeline_untouched(plugin_env, event_media):
    (plugin_env / "config.json").write_text('{"new_timeline": true}')
    made = shots(event_media)
    resolve = make_resolve(made, RATE, product=FREE)
    original = resolve.project.current
    before = original.snapshot()
    outcome = run_menu(resolve)
    assert outcome.error is None, outcome.error
    assert original.snapshot() == before
    (new,) = [t for t in resolve.project.timelines if t.name == "Cut 1 (Foley)"]
    placed = foley_items(resolve, new)
    assert sorted((i.start, i.duration) for _, i in placed) == sorted((i.start, i.duration) for i in original.video[0].items)
    assert all(i.media is not None and i.media.path.endswith(".wav") for _, i in placed)  # online: plain paths
    assert [i.start for i in new.video[0].items] == [i.start for i in original.video[0].items]
    again = run_menu(resolve)
    assert "already exists" in again.error and len(resolve.project.timelines) == 2
