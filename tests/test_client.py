"""The plugins' thin client against the real server: jobs, progress, cancel, files, and its errors."""

from __future__ import annotations

import json
import time
from contextlib import closing
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from foley_client import (AuthRequired, BackgroundJob, FoleyClient, JobCancelled, JobFailed, RequestRefused,
                          ServerUnavailable, drain)
from foley_otio import source_clips
from foley_server.demo.footage import write_long_video
from otio_fixtures import event_clip, otio_clip, timeline_with
from server_process import free_port, running_server

RATE = Fraction(25)


def _inline(timeline) -> dict:
    return json.loads(otio.adapters.write_to_string(timeline, "otio_json"))


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    root = tmp_path_factory.mktemp("projects")
    timeline = timeline_with([otio_clip(event_clip(root, "Shot", RATE))], RATE)
    with running_server(tmp_path_factory.mktemp("data"), "--allow-root", str(root), "--devices", "cpu") as url:
        yield FoleyClient(url), root, timeline


def test_health_and_engines_fill_a_plugin_panel(env):
    client, _, _ = env
    health = client.health()
    assert health["status"] == "ok" and health["version"]
    engines = client.engines()
    assert "procedural" in [e["name"] for e in engines["engines"]] and "balanced" in engines["profiles"]


def test_submit_and_follow_reports_progress_and_returns_placements(env):
    client, root, timeline = env
    clip_id = source_clips(timeline)[0].clip_id
    job = client.submit(output_dir=str(root / "follow"), timeline=_inline(timeline),
                        clips=[{"clip_id": clip_id, "prompt": "wooden knocks", "seed": 7}])
    events = []
    result = client.follow(job["job_id"], events.append)
    assert {"progress", "clip_done", "done"} <= {e["type"] for e in events}
    (placement,) = result["placements"]
    assert placement["clip_id"] == clip_id and Path(placement["path"]).is_file()
    copy = client.download(job["job_id"], Path(placement["path"]).name, root / "copy.wav")
    assert copy.read_bytes() == Path(placement["path"]).read_bytes()


def test_an_idempotency_key_returns_the_same_job(env):
    client, root, timeline = env
    args = {"output_dir": str(root / "idem"), "timeline": _inline(timeline), "clips": []}
    first = client.submit(**args, idempotency_key="k1")["job_id"]
    assert client.submit(**args, idempotency_key="k1")["job_id"] == first
    with pytest.raises(RequestRefused) as refused:
        client.submit(**{**args, "profile": "fast"}, idempotency_key="k1")
    assert refused.value.status == 422 and "k1" in str(refused.value)


def test_refusals_carry_the_servers_reason(env, tmp_path):
    client, root, timeline = env
    with pytest.raises(RequestRefused) as refused:
        client.submit(output_dir=str(tmp_path / "elsewhere"), timeline=_inline(timeline), clips=[])
    assert refused.value.status == 403 and "outside the allowed folders" in str(refused.value)


def test_a_failed_job_raises_job_failed_with_the_reason(env):
    client, root, timeline = env
    broken = otio.adapters.read_from_string(otio.adapters.write_to_string(timeline, "otio_json"), "otio_json")
    broken.find_clips()[0].media_reference.target_url = otio.url_utils.url_from_filepath(str(root / "gone.mp4"))
    job = client.submit(output_dir=str(root / "failed"), timeline=_inline(broken), clips=[])
    with pytest.raises(JobFailed) as failed:
        client.follow(job["job_id"])
    assert job["job_id"] in str(failed.value)


def test_background_job_reports_through_its_queue_and_can_be_cancelled(env):
    client, root, _ = env
    media = root / "long.mp4"
    write_long_video(media, 600.0, 25, (64, 36))
    clip = otio.schema.Clip(name="Long", media_reference=otio.schema.ExternalReference(
        target_url=otio.url_utils.url_from_filepath(str(media))), source_range=otio.opentime.TimeRange(
        otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(600 * 25, 25)))
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    track.append(clip)
    timeline = otio.schema.Timeline(tracks=[track])
    job = BackgroundJob(client, {"output_dir": str(root / "bg"), "timeline": _inline(timeline), "clips": []}).start()
    seen: list[tuple] = []
    deadline = time.time() + 60
    while time.time() < deadline and not any(kind == "progress" for kind, _ in seen):
        seen += drain(job.messages)
        time.sleep(0.02)
    job.cancel()
    job.join(timeout=10)
    seen += drain(job.messages)
    kinds = [kind for kind, _ in seen]
    assert kinds[0] == "submitted" and "progress" in kinds and kinds[-1] == "cancelled", kinds
    assert client.status(job.job_id)["state"] == "cancelled"


def test_background_job_done_message_carries_the_result(env):
    client, root, timeline = env
    job = BackgroundJob(client, {"output_dir": str(root / "bgdone"), "timeline": _inline(timeline), "clips": []}).start()
    job.join(timeout=60)
    kinds = drain(job.messages)
    assert kinds[-1][0] == "done" and len(kinds[-1][1]["placements"]) == 1


def test_no_server_means_a_clear_error_naming_the_address():
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ServerUnavailable) as down:
        FoleyClient(url, timeout=2).health()
    assert url in str(down.value) and "foley serve" in str(down.value)
    job = BackgroundJob(FoleyClient(url, timeout=2), {"output_dir": "/tmp/x", "timeline": {}, "clips": []}).start()
    job.join(timeout=10)
    ((kind, message),) = drain(job.messages)
    assert kind == "error" and "not running" in message


def test_a_wrong_token_says_where_the_token_file_is(tmp_path):
    data = tmp_path / "data"
    with running_server(data, "--token", "right-token", "--devices", "cpu", token="right-token") as url:
        with pytest.raises(AuthRequired) as denied:
            FoleyClient(url, token="wrong", token_file=str(data / "token")).health()
        assert str(data / "token") in str(denied.value)
        with pytest.raises(AuthRequired), closing(FoleyClient(url, token="wrong").events()) as events:
            next(events)
        assert FoleyClient(url, token="right-token").health()["token_required"] is True
        with closing(FoleyClient(url, token="right-token").events()) as events:
            assert next(events)["type"] in ("idle", "state")


def test_from_environment_reads_the_url_and_the_token_file(tmp_path, monkeypatch):
    (tmp_path / "token").write_text("secret\n")
    monkeypatch.setenv("FOLEY_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("FOLEY_SERVER_URL", raising=False)
    monkeypatch.delenv("FOLEY_TOKEN", raising=False)
    client = FoleyClient.from_environment(tmp_path)
    assert (client.base_url, client.token) == ("http://127.0.0.1:9", "secret")


def test_without_websockets_follow_polls_the_job_and_returns_its_result(env, monkeypatch):
    import foley_client.client

    client, root, timeline = env
    monkeypatch.setattr(foley_client.client, "websockets_available", lambda: False)  # as in Resolve's bare Python
    job = client.submit(output_dir=str(root / "polled"), timeline=_inline(timeline), clips=[])
    events = []
    result = client.follow(job["job_id"], events.append)
    kinds = [e["type"] for e in events]
    assert kinds[0] == "state" and kinds[-1] == "done" and "clip_done" in kinds
    assert len(result["placements"]) == 1


def test_polling_reports_a_failed_job_as_job_failed(env):
    client, root, timeline = env
    broken = otio.adapters.read_from_string(otio.adapters.write_to_string(timeline, "otio_json"), "otio_json")
    broken.find_clips()[0].media_reference.target_url = otio.url_utils.url_from_filepath(str(root / "gone.mp4"))
    job = client.submit(output_dir=str(root / "polled-failed"), timeline=_inline(broken), clips=[])
    with pytest.raises(JobFailed):
        client.follow(job["job_id"], use_websocket=False)


def test_foley_server_url_wins_over_foley_url_and_a_plugins_configured_address(tmp_path, monkeypatch):
    monkeypatch.delenv("FOLEY_TOKEN", raising=False)
    monkeypatch.delenv("FOLEY_SERVER_URL", raising=False)
    monkeypatch.delenv("FOLEY_URL", raising=False)
    assert FoleyClient.from_environment(tmp_path, fallback_url="http://127.0.0.1:8001").base_url == "http://127.0.0.1:8001"
    assert FoleyClient.from_environment(tmp_path).base_url == "http://127.0.0.1:7865"
    monkeypatch.setenv("FOLEY_URL", "http://127.0.0.1:8002")
    monkeypatch.setenv("FOLEY_SERVER_URL", "http://127.0.0.1:8003")
    assert FoleyClient.from_environment(tmp_path, fallback_url="http://127.0.0.1:8001").base_url == "http://127.0.0.1:8003"
