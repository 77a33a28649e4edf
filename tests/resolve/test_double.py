"""The Resolve double keeps to Blackmagic's README and to Resolve's rules, so the plugin tests mean something."""

from __future__ import annotations

import inspect
from fractions import Fraction

import httpx
import opentimelineio as otio
import pytest
from resolve_double import FREE, MissingOnThisVersion, UndocumentedCall
from resolve_double.objects import Folder, MediaPool, MediaPoolItem, Project, ProjectManager, Timeline, TimelineItem
from resolve_double.remote import readme_parameters
from resolve_double.resolve import ResolveDouble
from scenes import Shot, make_resolve

from foley_otio import is_resolve_timeline, read_timeline

RATE = Fraction(25)
CLASSES = [ResolveDouble, ProjectManager, Project, MediaPool, Folder, MediaPoolItem, Timeline, TimelineItem]


def _api(resolve):
    project = resolve.GetProjectManager().GetCurrentProject()
    timeline = project.GetCurrentTimeline()
    return project, project.GetMediaPool(), timeline, timeline.GetItemListInTrack("video", 1)[0]


def test_every_public_method_is_a_readme_call_with_its_parameters():
    for cls in CLASSES:
        for name, method in inspect.getmembers(cls, inspect.isfunction):
            if name.startswith("_") or name in ("globals",):
                continue
            assert getattr(method, "_readme", None), f"{cls.__name__}.{name} is not marked as a README call"
            readme = readme_parameters(method._readme)
            python = [p for p in inspect.signature(method).parameters.values() if p.name != "self"]
            if any(p.kind == p.VAR_POSITIONAL for p in python):
                continue  # AppendToTimeline(clip1, clip2, ...) and its list forms
            assert len(python) == len(readme), (cls.__name__, name, readme, [p.name for p in python])


def test_undocumented_calls_fail_and_hasattr_proves_nothing(event_media):
    resolve = make_resolve([Shot("A", event_media(RATE), at=10)], RATE)
    _, media_pool, timeline, item = _api(resolve)
    assert hasattr(timeline, "GetSelectedItems")  # as in Resolve: any name answers
    assert "GetSelectedItems" not in dir(timeline) and "GetItemListInTrack" in dir(timeline)
    for call in (timeline.GetSelectedItems, item.SetStart, media_pool.AppendClips):
        with pytest.raises(UndocumentedCall):
            call()


def test_calls_newer_than_the_running_version_are_missing(event_media):
    old = make_resolve([Shot("A", event_media(RATE), at=10)], RATE, version=(18, 1, 0, 1, ""))
    _, _, _, item = _api(old)
    assert "GetTrackTypeAndIndex" not in dir(item) and "EXPORT_OTIO" not in dir(old) and "EXPORT_FCPXML_1_10" in dir(old)
    with pytest.raises(MissingOnThisVersion):
        item.GetTrackTypeAndIndex()
    assert item.GetStart(True) == item.GetStart() and isinstance(item.GetStart(True), int)  # floats from 19.0.2
    new = make_resolve([Shot("A", event_media(RATE), at=10)], RATE)
    assert isinstance(_api(new)[3].GetStart(True), float) and _api(new)[3].GetTrackTypeAndIndex() == ["video", 1]


def test_frames_marks_markers_and_indices_follow_resolve(event_media):
    resolve = make_resolve([Shot("A", event_media(RATE), at=10)], RATE, marks=(5, 60))
    _, _, timeline, item = _api(resolve)
    assert timeline.GetStartFrame() == 90000 and isinstance(timeline.GetStartFrame(), int)
    assert item.GetStart() == 90010  # absolute, while the marks count from the timeline's start
    assert timeline.GetMarkInOut()["video"] == {"in": 5, "out": 60}
    assert all(isinstance(frame, float) for frame in item.GetMarkers())
    assert item.AddMarker(3, "Blue", "note", "text", 1) and not item.AddMarker(3.0, "Red", "again", "", 1)
    with pytest.raises(AssertionError):
        timeline.GetItemListInTrack("video", 0)  # 1-based
    assert resolve.GetProjectManager().GetCurrentProject().GetSetting("timelineFrameRate") == "25"


def test_appends_over_an_item_are_dropped_silently_and_locked_tracks_take_nothing(event_media, tmp_path):
    resolve = make_resolve([Shot("A", event_media(RATE), at=10)], RATE)
    _, media_pool, timeline, item = _api(resolve)
    pool_item = item.GetMediaPoolItem()
    placed = media_pool.AppendToTimeline([{"mediaPoolItem": pool_item, "startFrame": 0, "endFrame": 20, "mediaType": 2,
                                           "trackIndex": 1, "recordFrame": 90015}])
    assert len(placed) == 1  # a phantom: A1 already holds the camera sound there
    assert [i.GetStart() for i in timeline.GetItemListInTrack("audio", 1)] == [90010]
    resolve.project.current.audio[0].locked = True
    assert media_pool.AppendToTimeline([{"mediaPoolItem": pool_item, "startFrame": 0, "endFrame": 20, "mediaType": 2,
                                         "trackIndex": 1, "recordFrame": 95000}]) == []
    assert timeline.DeleteClips([item], False) is True
    resolve.OpenPage("color")
    assert timeline.DeleteClips(timeline.GetItemListInTrack("audio", 1), False) is False  # Edit page only
    assert timeline.Export(str(tmp_path / "x.otio"), "EXPORT_OTIO") is False  # strings are not the constant


def test_new_proxies_per_call_and_the_free_editions(event_media):
    resolve = make_resolve([Shot("A", event_media(RATE), at=10)], RATE, product=FREE, version=(19, 1, 0, 1, ""))
    _, _, timeline, item = _api(resolve)
    assert timeline.GetItemListInTrack("video", 1)[0] is not item
    assert resolve.Fusion().UIManager is None
    assert make_resolve([], RATE, product=FREE, version=(21, 1, 0, 1, "")).GetProjectManager() is None


def test_export_is_resolve_dialect_otio_that_the_server_lists_by_resolve_numbers(event_media, tmp_path, foley_server):
    shots = [Shot("A", event_media(RATE), at=10), Shot("Top", event_media(RATE), at=40, track=2)]
    resolve = make_resolve(shots, RATE)
    project, _, timeline, _ = _api(resolve)
    path = tmp_path / "cut.otio"
    assert timeline.Export(str(path), resolve.EXPORT_OTIO)
    exported = read_timeline(path)
    assert is_resolve_timeline(exported) and exported.global_start_time.to_frames() == 90000
    assert [t.metadata["Resolve_OTIO"]["Locked"] for t in exported.tracks] == [False, False, False]
    clip = exported.find_clips()[0]
    assert list(clip.media_references()) == [otio.schema.Clip.DEFAULT_MEDIA_KEY]
    assert clip.media_reference.target_url == str(event_media(RATE).media) and clip.markers[0].name == "Foley"
    listing = httpx.post(f"{foley_server}/v1/timelines/clips", json={"timeline_path": str(path)}).json()
    assert listing["start_frame"] == 90000 and listing["resolve_dialect"] is True
    assert [(c["name"], c["video_track"], c["record_start_frame"], c["duration_frames"]) for c in listing["clips"]] == [
        ("A", 1, 90010, 75), ("Top", 2, 90040, 75)]
    assert listing["clips"][0]["prompt"] == "wooden hits"


def test_the_timeline_route_refuses_files_outside_the_roots_and_unreadable_ones(foley_server, tmp_path):
    outside = httpx.post(f"{foley_server}/v1/timelines/clips", json={"timeline_path": "/etc/hostname"})
    assert outside.status_code == 403 and "outside the allowed folders" in outside.json()["detail"]
    (tmp_path / "broken.otio").write_text("{not json")
    broken = httpx.post(f"{foley_server}/v1/timelines/clips", json={"timeline_path": str(tmp_path / "broken.otio")})
    assert broken.status_code == 422 and "not a valid OTIO JSON" in broken.json()["detail"]
    relative = httpx.post(f"{foley_server}/v1/timelines/clips", json={"timeline_path": "cut.otio"})
    assert relative.status_code == 400 and "absolute" in relative.json()["detail"]
