"""Client-supplied paths and timelines are checked before anything touches the disk or the OTIO parser."""

from __future__ import annotations

import os

import opentimelineio as otio
import pytest

from foley_server.api.json_body import parse_json_body
from foley_server.api.paths import resolve_under, safe_file_name
from foley_server.api.refusals import Refused
from foley_server.api.timeline_limits import MAX_DEPTH, check_timeline_json


def test_paths_must_resolve_inside_an_allowed_root(tmp_path):
    root = tmp_path / "projects"
    (root / "film").mkdir(parents=True)
    media = root / "film" / "cut.otio"
    media.write_text("{}")
    assert resolve_under(str(media), [root]) == media.resolve()
    with pytest.raises(Refused) as outside:
        resolve_under(str(tmp_path / "elsewhere.otio"), [root], "timeline_path")
    assert outside.value.status_code == 403 and "outside the allowed folders" in outside.value.detail
    with pytest.raises(Refused) as dotdot:
        resolve_under(str(root / "film" / ".." / ".." / "secret"), [root])
    assert dotdot.value.status_code == 403


def test_a_symlink_out_of_the_root_is_outside(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    os.symlink(secret, root / "link.txt")
    with pytest.raises(Refused) as refused:
        resolve_under(str(root / "link.txt"), [root])
    assert refused.value.status_code == 403


@pytest.mark.parametrize("raw", ["", "a\x00b", "relative/cut.otio"])
def test_malformed_paths_are_400(tmp_path, raw):
    with pytest.raises(Refused) as refused:
        resolve_under(raw, [tmp_path])
    assert refused.value.status_code == 400


@pytest.mark.parametrize("name", ["../x.wav", "/etc/passwd", "a/b.wav", "..", ".hidden", "C:\\x\\y.wav", "x\x00.wav"])
def test_file_route_names_must_be_plain(name):
    with pytest.raises(Refused) as refused:
        safe_file_name(name)
    assert refused.value.status_code == 400


def test_plain_file_name_passes():
    assert safe_file_name("Shot_3_ab12cd34.wav") == "Shot_3_ab12cd34.wav"


def test_a_real_timeline_passes():
    timeline = otio.schema.Timeline(name="t")
    track = otio.schema.Track()
    track.append(otio.schema.Clip(name="c", source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(24, 24))))
    timeline.tracks.append(track)
    text = otio.adapters.write_to_string(timeline, "otio_json")
    data = parse_json_body(text.encode())
    check_timeline_json(data)
    assert data["name"] == "t"


def test_deep_nesting_is_a_400_not_a_crash():
    deep: dict = {"OTIO_SCHEMA": "Timeline.1", "tracks": {}}
    node = deep["tracks"]
    for _ in range(MAX_DEPTH + 5):
        node["children"] = [{}]
        node = node["children"][0]
    with pytest.raises(Refused) as refused:
        check_timeline_json(deep)
    assert refused.value.status_code == 400 and "deeper" in refused.value.detail
    with pytest.raises(Refused) as very_deep:
        parse_json_body(b'{"OTIO_SCHEMA": "Timeline.1", "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    assert very_deep.value.status_code == 400


def test_a_million_clips_is_a_413_quickly():
    clip = {"OTIO_SCHEMA": "Clip.2", "name": "c"}
    huge = {"OTIO_SCHEMA": "Timeline.1", "tracks": {"OTIO_SCHEMA": "Stack.1", "children": [
        {"OTIO_SCHEMA": "Track.1", "children": [clip] * 1_000_000}]}}
    with pytest.raises(Refused) as refused:
        check_timeline_json(huge)
    assert refused.value.status_code == 413


@pytest.mark.parametrize("data", [[], {"OTIO_SCHEMA": "Clip.2"}, "text"])
def test_not_a_timeline_is_a_400(data):
    with pytest.raises(Refused) as refused:
        check_timeline_json(data)
    assert refused.value.status_code == 400 and "OTIO_SCHEMA Timeline.1" in refused.value.detail


@pytest.mark.parametrize("raw, says", [
    (b'{"prompt": "\\ud800"}', "prompt holds a lone UTF-16 surrogate"),
    (b'{"clips": [{"clip_id": "a\\udfff"}]}', "clips[0].clip_id holds a lone UTF-16 surrogate"),
    (b'{"a\\u0000": 1}', "a key in the body holds a NUL"),
    (b'{"output_dir": "/x\\u0000y"}', "output_dir holds a NUL"),
    (b'{"output_dir": "\xff"}', "not UTF-8 text (byte 0xff at offset 16)"),
    (b'{"seed": NaN}', "holds NaN, which is not JSON"),
    (b'{"seed": -Infinity}', "holds -Infinity"),
    (b'{"seed": 1e999}', "too large for a float"),
    (b'{"seed": ', "not valid JSON: Expecting value (line 1, column 10)"),
    (b'{"seed": ' + b"9" * 5000 + b"}", "not usable JSON"),
])
def test_bodies_json_lets_through_but_nothing_can_use_are_400_naming_the_place(raw, says):
    with pytest.raises(Refused) as refused:
        parse_json_body(raw)
    assert refused.value.status_code == 400 and says in refused.value.detail, refused.value.detail


def test_surrogate_pairs_escaped_text_and_a_literal_backslash_u_pass():
    assert parse_json_body('{"a": "\\ud83d\\ude00", "b": "\\\\ud800", "c": "caf\u00e9"}'.encode()) == {
        "a": "\U0001f600", "b": "\\ud800", "c": "caf\u00e9"}
