"""Errors a Resolve user can act on: each says what to do, and the timeline is left as it was."""

from __future__ import annotations

from fractions import Fraction

from resolve_double import FREE, STUDIO, Track
from scenes import Shot, foley_items, make_resolve, run_menu
from server_process import free_port

RATE = Fraction(25)


def unchanged(resolve, run):
    """Run, and assert that nothing a user can see changed: timeline, markers, media pool, timelines."""
    project = resolve.project
    before = (project.current.snapshot(), [f.name for f in project.root.walk()], len(project.timelines))
    outcome = run()
    assert (project.current.snapshot(), [f.name for f in project.root.walk()], len(project.timelines)) == before
    assert outcome.error, "expected an error"
    return outcome


def test_server_not_running_says_how_to_start_it(plugin_env, event_media, monkeypatch):
    url = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("FOLEY_SERVER_URL", url)
    resolve = make_resolve([Shot("A", event_media(RATE), at=50, color="Orange")], RATE, product=FREE)
    outcome = unchanged(resolve, lambda: run_menu(resolve))
    assert url in outcome.error and "foley serve" in outcome.error


def test_no_clips_chosen_says_how_to_choose(plugin_env, event_media, capsys):
    resolve = make_resolve([Shot("A", event_media(RATE), at=50)], RATE, product=FREE, playhead=10)
    outcome = unchanged(resolve, lambda: run_menu(resolve))
    assert "no clips chosen" in outcome.error and "In and Out" in outcome.error and "Orange" in outcome.error
    assert "no clips chosen" in capsys.readouterr().out


def test_offline_media_names_the_clip_and_the_file(plugin_env, event_media, tmp_path):
    resolve = make_resolve([Shot("Lost", event_media(RATE), at=50, color="Orange")], RATE, product=FREE)
    media = resolve.project.current.video[0].items[0].media
    media.path = str(tmp_path / "moved away.mp4")
    outcome = unchanged(resolve, lambda: run_menu(resolve))
    assert "'Lost'" in outcome.error and "offline" in outcome.error and "moved away.mp4" in outcome.error
    assert "Relink" in outcome.error


def test_a_locked_foley_track_is_named_and_nothing_changes(plugin_env, event_media):
    resolve = make_resolve([Shot("A", event_media(RATE), at=50, color="Orange")], RATE, product=FREE)
    resolve.project.current.audio.append(Track("audio", "Foley", locked=True, subtype="stereo"))
    outcome = unchanged(resolve, lambda: run_menu(resolve))
    assert "A2 'Foley'" in outcome.error and "locked" in outcome.error and "unlock" in outcome.error


def test_free_21_1_explains_that_python_scripting_is_studio_only_and_the_file_round_trip(plugin_env, event_media):
    resolve = make_resolve([Shot("A", event_media(RATE), at=50, color="Orange")], RATE, product=FREE,
                           version=(21, 1, 0, 7, ""))
    outcome = unchanged(resolve, lambda: run_menu(resolve))
    assert "DaVinci Resolve 21.1.0" in outcome.error and "Studio" in outcome.error
    assert "File > Export > Timeline" in outcome.error and "foley generate" in outcome.error


def test_without_a_resolve_object_it_says_where_to_run_it(plugin_env, capsys):
    outcome = run_menu(None, script_globals={})
    assert "Workspace > Scripts" in outcome.error and "foley generate" in outcome.error


def test_an_older_resolve_uses_the_documented_older_calls(plugin_env, event_media):
    """18.1: no OTIO export (FCPXML 1.10 instead) and, here, no GetItemListInTrack (GetItemsInTrack instead)."""
    made = [Shot("A", event_media(RATE), at=50, color="Orange"), Shot("B", event_media(RATE), at=200, color="Orange")]
    resolve = make_resolve(made, RATE, product=STUDIO, version=(18, 1, 4, 2, ""), missing={"GetItemListInTrack"},
                           dialog_user=lambda window: window.click("Generate"))
    assert "EXPORT_OTIO" not in dir(resolve) and "GetItemListInTrack" not in dir(_timeline(resolve))
    outcome = run_menu(resolve)
    assert outcome.error is None, outcome.error
    placed = foley_items(resolve)
    sources = resolve.project.current.video[0].items
    assert sorted((i.start, i.duration) for _, i in placed) == sorted((s.start, s.duration) for s in sources)


def _timeline(resolve):
    return resolve.GetProjectManager().GetCurrentProject().GetCurrentTimeline()


def test_a_resolve_without_any_usable_export_asks_for_an_update(plugin_env, event_media):
    resolve = make_resolve([Shot("A", event_media(RATE), at=50, color="Orange")], RATE, product=FREE,
                           version=(17, 4, 6, 4, ""), missing={"EXPORT_FCPXML_1_10"})
    outcome = unchanged(resolve, lambda: run_menu(resolve))
    assert "18.5 or later" in outcome.error and "17.4.6" in outcome.error


def test_the_new_timeline_option_on_a_resolve_without_otio_import_says_so(plugin_env, event_media):
    (plugin_env / "config.json").write_text('{"new_timeline": true}')
    resolve = make_resolve([Shot("A", event_media(RATE), at=50, color="Orange")], RATE, product=FREE, missing={"EXPORT_OTIO"})
    outcome = unchanged(resolve, lambda: run_menu(resolve))
    assert "18.5" in outcome.error and "new_timeline" in outcome.error
    assert not foley_items(resolve)


def test_an_append_resolve_drops_is_reported_with_the_wav_to_place_by_hand(plugin_env, event_media, monkeypatch):
    """Resolve drops an append over an occupied spot without a word and returns a phantom item: read back."""
    import resolve_double.model

    resolve = make_resolve([Shot("A", event_media(RATE), at=50, color="Orange")], RATE, product=FREE)
    real = resolve_double.model.Track.overlaps
    monkeypatch.setattr(resolve_double.model.Track, "overlaps",
                        lambda track, start, end: track.name == "Foley" or real(track, start, end))
    outcome = run_menu(resolve)
    assert "did not place the Foley of 'A' at 01:00:02:00 (75 frames) on audio track A2" in outcome.error
    assert ".wav" in outcome.error and "by hand" in outcome.error
