"""Client-supplied paths and timelines are checked before anything touches the disk or the OTIO parser."""

from __future__ import annotations

import json
import os

import opentimelineio as otio
import pytest

from foley_server.api.paths import PathRefused, resolve_under, safe_file_name
from foley_server.api.timeline_limits import MAX_DEPTH, TimelineRefused, check_timeline_json, parse_timeline_text


def test_paths_must_resolve_inside_an_allowed_root(tmp_path):
    root = tmp_path / "projects"
    (root / "film").mkdir(parents=True)
    media = root / "film" / "cut.otio"
    media.write_text("{}")
    assert resolve_under(str(media), [root]) == media.resolve()
    with pytest.raises(PathRefused) as outside:
        resolve_under(str(tmp_path / "elsewhere.otio"), [root], "timeline_path")
    assert outside.value.status == 403 and "outside the allowed folders" in str(outside.value)
    with pytest.raises(PathRefused) as dotdot:
        resolve_under(str(root / "film" / ".." / ".." / "secret"), [root])
    assert dotdot.value.status == 403


def test_a_symlink_out_of_the_root_is_outside(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    os.symlink(secret, root / "link.txt")
    with pytest.raises(PathRefused) as refused:
        resolve_under(str(root / "link.txt"), [root])
    assert refused.value.status == 403


@pytest.mark.parametrize("raw", ["", "a\x00b", "relative/cut.otio"])
def test_malformed_paths_are_400(tmp_path, raw):
    with pytest.raises(PathRefused) as refused:
        resolve_under(raw, [tmp_path])
    assert refused.value.status == 400


@pytest.mark.parametrize("name", ["../x.wav", "/etc/passwd", "a/b.wav", "..", ".hidden", "C:\\x\\y.wav", "x\x00.wav"])
def test_file_route_names_must_be_plain(name):
    with pytest.raises(PathRefused) as refused:
        safe_file_name(name)
    assert refused.value.status == 400


def test_plain_file_name_passes():
    assert safe_file_name("Shot_3_ab12cd34.wav") == "Shot_3_ab12cd34.wav"


def test_a_real_timeline_passes():
    timeline = otio.schema.Timeline(name="t")
    track = otio.schema.Track()
    track.append(otio.schema.Clip(name="c", source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(24, 24))))
    timeline.tracks.append(track)
    assert parse_timeline_text(otio.adapters.write_to_string(timeline, "otio_json"))["name"] == "t"


def test_deep_nesting_is_a_400_not_a_crash():
    deep: dict = {"OTIO_SCHEMA": "Timeline.1", "tracks": {}}
    node = deep["tracks"]
    for _ in range(MAX_DEPTH + 5):
        node["children"] = [{}]
        node = node["children"][0]
    with pytest.raises(TimelineRefused) as refused:
        check_timeline_json(deep)
    assert refused.value.status == 400 and "deeper" in str(refused.value)
    with pytest.raises(TimelineRefused) as very_deep:
        parse_timeline_text('{"OTIO_SCHEMA": "Timeline.1", "x": ' + "[" * 200_000 + "]" * 200_000 + "}")
    assert very_deep.value.status == 400


def test_a_million_clips_is_a_413_quickly():
    clip = {"OTIO_SCHEMA": "Clip.2", "name": "c"}
    huge = {"OTIO_SCHEMA": "Timeline.1", "tracks": {"OTIO_SCHEMA": "Stack.1", "children": [
        {"OTIO_SCHEMA": "Track.1", "children": [clip] * 1_000_000}]}}
    with pytest.raises(TimelineRefused) as refused:
        check_timeline_json(huge)
    assert refused.value.status == 413


@pytest.mark.parametrize("text", ["not json", "[]", json.dumps({"OTIO_SCHEMA": "Clip.2"})])
def test_not_a_timeline_is_a_400(text):
    with pytest.raises(TimelineRefused) as refused:
        parse_timeline_text(text)
    assert refused.value.status == 400
