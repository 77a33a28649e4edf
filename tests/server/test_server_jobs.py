"""Jobs over HTTP against the real server: submit, poll, result with placements, idempotency, refusals."""

from __future__ import annotations

import json
import time
from fractions import Fraction

import opentimelineio as otio
import pytest
import soundfile as sf

from otio_fixtures import damaged_video, event_clip, otio_clip, timeline_with


@pytest.fixture(scope="module")
def env(served, project):
    ec = event_clip(project, "Shot", Fraction(25))
    timeline = timeline_with([otio_clip(ec, metadata={"prompt": "wooden knocks"})], Fraction(25))
    (project / "cut.otio").write_text(otio.adapters.write_to_string(timeline, "otio_json"))
    return served, project, timeline


def test_a_job_from_a_path_runs_and_returns_timeline_and_placements(env):
    server, root, source = env
    response = server.post("/v1/jobs", json={"timeline_path": str(root / "cut.otio"), "output_dir": str(root / "out")})
    assert response.status_code == 202
    job_id = response.json()["job_id"]
    status = server.wait(job_id)
    assert status["state"] == "done" and list(status["clips"].values())[0]["state"] == "done"
    result = server.result(job_id)
    (placement,) = result["placements"]
    assert placement["track_name"] == "Foley" and placement["rate"] == 25
    assert placement["record_start_frame"] == otio.opentime.to_frames(source.global_start_time) + round(1.5 * 25)
    assert sf.info(placement["path"]).samplerate == 48_000
    timeline = otio.adapters.read_from_string(json.dumps(result["timeline"]), "otio_json")
    assert [t.name for t in timeline.tracks] == ["V1", "Foley"]
    assert set(result["timings"]) >= {"decode", "generate", "master"}
    assert job_id in [j["job_id"] for j in server.get("/v1/jobs").json()]


def test_inline_timeline_with_per_clip_prompt(env):
    server, root, source = env
    from foley_otio import source_clips

    clip_id = source_clips(source)[0].clip_id
    body = {"timeline": json.loads(otio.adapters.write_to_string(source, "otio_json")),
            "clips": [{"clip_id": clip_id, "prompt": "metal clang, a dog barking"}], "output_dir": str(root / "inline")}
    job_id, status = server.run(body)
    assert status["state"] == "done"
    result = server.result(job_id)
    foley = otio.adapters.read_from_string(json.dumps(result["timeline"]), "otio_json").tracks[-1].find_clips()[0]
    assert foley.metadata["foley"]["prompt"] == "metal clang, a dog barking"
    # What the clip heard, and what it asked for that no model renders: in the result and its timeline.
    heard = result["sounds"][clip_id]
    assert heard["sound"] == "metal clang, a dog barking → impact(material=metal) + room_tone(intensity=0.3)"
    assert heard["warnings"][0].startswith("no sound model for 'a dog barking'") and "closest: " in heard["warnings"][0]
    assert f"Shot: {heard['warnings'][0]}" in result["warnings"]
    assert foley.metadata["foley"]["sound"] == "impact(material=metal) + room_tone(intensity=0.3)"
    assert list(foley.metadata["foley"]["sound_warnings"]) == heard["warnings"]


def test_idempotency_key_retry_returns_the_same_job_and_a_changed_body_is_422(env):
    server, root, _ = env
    body = {"timeline_path": str(root / "cut.otio"), "output_dir": str(root / "idem")}
    first = server.post("/v1/jobs", json=body, headers={"Idempotency-Key": "abc"}).json()["job_id"]
    again = server.post("/v1/jobs", json=body, headers={"Idempotency-Key": "abc"})
    assert again.status_code == 202 and again.json()["job_id"] == first
    changed = server.post("/v1/jobs", json={**body, "profile": "fast"}, headers={"Idempotency-Key": "abc"})
    assert changed.status_code == 422 and "abc" in changed.text


@pytest.mark.parametrize("field", ["timeline_path", "output_dir"])
def test_paths_outside_the_allowed_roots_are_403(env, tmp_path, field):
    server, root, _ = env
    body = {"timeline_path": str(root / "cut.otio"), "output_dir": str(root / "x")}
    body[field] = str(tmp_path / "elsewhere")
    response = server.post("/v1/jobs", json=body)
    assert response.status_code == 403 and "outside the allowed folders" in response.text


def test_bad_requests_are_4xx_with_reasons(env):
    server, root, _ = env
    both = server.post("/v1/jobs", json={"timeline_path": str(root / "cut.otio"), "timeline": {}, "output_dir": str(root)})
    assert both.status_code == 422 and "exactly one" in both.text
    deep: dict = {"OTIO_SCHEMA": "Timeline.1", "tracks": {}}
    node = deep["tracks"]
    for _ in range(100):
        node["c"] = [{}]
        node = node["c"][0]
    assert server.post("/v1/jobs", json={"timeline": deep, "output_dir": str(root)}).status_code == 400
    assert server.get("/v1/jobs/nope").status_code == 404


def test_a_job_whose_only_media_is_missing_is_refused_at_submit_naming_clip_and_path(env):
    server, root, source = env
    broken = otio.adapters.read_from_string(otio.adapters.write_to_string(source, "otio_json"), "otio_json")
    broken.find_clips()[0].media_reference.target_url = otio.url_utils.url_from_filepath(str(root / "gone.mp4"))
    body = {"timeline": json.loads(otio.adapters.write_to_string(broken, "otio_json")), "output_dir": str(root / "broken")}
    response = server.post("/v1/jobs", json=body)
    assert response.status_code == 422
    assert "no selected clip can be processed" in response.json()["detail"] and "gone.mp4" in response.json()["detail"]


def test_a_job_whose_only_media_is_not_video_is_refused_at_submit(env):
    from foley_server.demo.footage import write_corrupt_file

    server, root, source = env
    write_corrupt_file(root / "corrupt.mp4")
    broken = otio.adapters.read_from_string(otio.adapters.write_to_string(source, "otio_json"), "otio_json")
    broken.find_clips()[0].media_reference.target_url = otio.url_utils.url_from_filepath(str(root / "corrupt.mp4"))
    body = {"timeline": json.loads(otio.adapters.write_to_string(broken, "otio_json")), "output_dir": str(root / "broken")}
    response = server.post("/v1/jobs", json=body)
    assert response.status_code == 422 and "not a media file FFmpeg understands" in response.json()["detail"]


def test_a_job_whose_media_is_damaged_inside_fails_with_the_reason_and_the_server_stays_up(env):
    server, root, source = env
    damaged_video(root / "damaged.mp4")
    broken = otio.adapters.read_from_string(otio.adapters.write_to_string(source, "otio_json"), "otio_json")
    broken.find_clips()[0].media_reference.target_url = otio.url_utils.url_from_filepath(str(root / "damaged.mp4"))
    body = {"timeline": json.loads(otio.adapters.write_to_string(broken, "otio_json")), "output_dir": str(root / "broken")}
    job_id, status = server.run(body)
    assert status["state"] == "failed" and "damaged.mp4 is damaged" in list(status["clips"].values())[0]["error"]
    assert server.get(f"/v1/jobs/{job_id}/result").status_code == 409
    assert server.get("/v1/health").status_code == 200


def test_health_counts_the_running_job(env):
    from foley_server.demo.footage import write_long_video

    server, root, _ = env
    media = root / "long.mp4"
    write_long_video(media, 240.0, 25, (64, 36))
    clip = otio.schema.Clip(name="Long", media_reference=otio.schema.ExternalReference(
        target_url=otio.url_utils.url_from_filepath(str(media))),
        source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(240 * 25, 25)))
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    track.append(clip)
    timeline = otio.schema.Timeline(tracks=[track])
    body = {"timeline": json.loads(otio.adapters.write_to_string(timeline, "otio_json")), "output_dir": str(root / "long")}
    job_id = server.submit(body)
    seen = set()
    deadline = time.time() + 60
    while time.time() < deadline:
        queue = server.get("/v1/health").json()["queue"]
        seen.add(queue["running"])
        if server.get(f"/v1/jobs/{job_id}").json()["state"] == "done":
            break
        time.sleep(0.05)
    assert 1 in seen
    assert server.get("/v1/health").json()["queue"] == {"queued": 0, "running": 0}


def test_progress_events_stream_over_websockets_and_late_subscribers_get_the_state(env):
    import asyncio

    import websockets

    server, root, _ = env
    ws_base = server.ws_url
    body = {"timeline_path": str(root / "cut.otio"), "output_dir": str(root / "ws")}

    async def watch() -> tuple[str, list[dict]]:
        async with websockets.connect(f"{ws_base}/v1/events") as ws:
            job_id = (await asyncio.to_thread(server.post, "/v1/jobs", json=body)).json()["job_id"]
            seen = []
            while True:
                event = json.loads(await asyncio.wait_for(ws.recv(), timeout=60))
                if event.get("job_id") != job_id:
                    continue
                seen.append(event)
                if event["type"] in ("done", "failed"):
                    return job_id, seen

    job_id, events = asyncio.run(watch())
    types = [e["type"] for e in events]
    assert types[0] == "queued" and types[-1] == "done"
    assert {"started", "progress", "clip_done"} <= set(types)
    (done,) = [e for e in events if e["type"] == "clip_done"]
    assert done["sound"] == "wooden knocks → knock(target=door) + room_tone(intensity=0.3)" and done["warnings"] == []
    stages = {e["stage"] for e in events if e["type"] == "progress"}
    assert {"decode", "generate", "master"} <= stages
    assert all(0.0 <= e["fraction"] <= 1.0 for e in events if e["type"] == "progress")

    async def late() -> dict:
        async with websockets.connect(f"{ws_base}/v1/jobs/{job_id}/events") as ws:
            return json.loads(await asyncio.wait_for(ws.recv(), timeout=10))

    first = asyncio.run(late())
    assert first["type"] == "state" and first["state"] == "done" and first["job_id"] == job_id

    async def unknown() -> None:
        async with websockets.connect(f"{ws_base}/v1/jobs/nope/events") as ws:
            await asyncio.wait_for(ws.recv(), timeout=10)

    with pytest.raises(websockets.exceptions.ConnectionClosed) as closed:
        asyncio.run(unknown())
    assert closed.value.rcvd.code == 4404


def test_a_slow_subscriber_queue_coalesces_progress_and_stays_bounded():
    import asyncio

    from foley_server.api.event_hub import MAX_PENDING, EventHub

    async def run() -> list[dict]:
        hub = EventHub()
        subscriber = hub.subscribe(None)
        for i in range(5000):  # a subscriber that never reads
            hub.publish({"type": "progress", "job_id": "j", "clip_id": "c", "stage": "decode", "done": i, "total": 5000})
            hub.publish({"type": "progress", "job_id": "j", "clip_id": f"c{i}", "stage": "decode", "done": i, "total": 1})
        hub.publish({"type": "done", "job_id": "j"})
        await asyncio.sleep(0.1)
        return list(subscriber.pending)

    pending = asyncio.run(run())
    assert len(pending) <= MAX_PENDING
    assert pending[-1]["type"] == "done"  # the outcome is never dropped
    latest = [e for e in pending if e.get("clip_id") == "c"]
    assert len(latest) <= 1 and (not latest or latest[0]["done"] == 4999)  # stale progress replaced
