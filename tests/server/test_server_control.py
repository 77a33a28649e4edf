"""Cancel, files, media roots, per-clip choices, workers per device, retention, logs."""

from __future__ import annotations

import json
import os
import re
import time
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from websockets.sync.client import connect

from foley_otio import source_clips
from foley_server.demo.footage import write_long_video
from foley_server.jobs.spec import ClipChoice, JobSpec
from otio_fixtures import event_clip, otio_clip, timeline_with
from server_process import free_port

RATE = Fraction(25)


def _long_clip(folder: Path, name: str, seconds: float) -> otio.schema.Clip:
    """A clip over a long tiny video: quick to decode, seconds of work to generate."""
    media = folder / f"{name}.mp4"
    if not media.exists():
        write_long_video(media, seconds, 25, (64, 36))
    frames = int(seconds * 25)
    return otio.schema.Clip(
        name=name,
        media_reference=otio.schema.ExternalReference(target_url=otio.url_utils.url_from_filepath(str(media))),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(frames, 25)),
        metadata={"foley": {"prompt": "footsteps on gravel, cloth, heavy rain"}},
    )


def _inline(timeline: otio.schema.Timeline) -> dict:
    return json.loads(otio.adapters.write_to_string(timeline, "otio_json"))


@pytest.fixture(scope="module")
def env(served, project):
    return served, project, served.data_dir


def test_cancel_a_running_job_takes_effect_within_a_second_and_leaves_no_wav(env):
    server, root, _ = env
    timeline = timeline_with([_long_clip(root, "Long", 600.0)], RATE)
    out = root / "cancelled"
    with connect(server.ws_url + "/v1/events") as ws:
        job_id = server.submit({"timeline": _inline(timeline), "output_dir": str(out)})
        while True:  # wait until generation is under way
            event = json.loads(ws.recv(timeout=30))
            if event.get("job_id") == job_id and event.get("stage") == "generate":
                break
        asked = time.monotonic()
        response = server.post(f"/v1/jobs/{job_id}/cancel", json={})
        assert response.status_code == 202
        while True:
            event = json.loads(ws.recv(timeout=5))
            if event.get("job_id") == job_id and event["type"] in ("cancelled", "done", "failed"):
                break
        took = time.monotonic() - asked
    assert event["type"] == "cancelled" and took < 1.0, (event, took)
    assert server.get(f"/v1/jobs/{job_id}").json()["state"] == "cancelled"
    assert list(out.iterdir()) == []  # neither a WAV nor a temp file
    again = server.post(f"/v1/jobs/{job_id}/cancel", json={})
    assert again.status_code == 409 and "already cancelled" in again.json()["detail"]
    assert server.post("/v1/jobs/nope/cancel", json={}).status_code == 404


def test_cancel_a_queued_job_before_it_starts(env):
    server, root, _ = env
    long_job = {"timeline": _inline(timeline_with([_long_clip(root, "Long", 600.0)], RATE)), "output_dir": str(root / "q1")}
    first = server.submit(long_job)
    second = server.submit({**long_job, "output_dir": str(root / "q2")})
    response = server.post(f"/v1/jobs/{second}/cancel", json={})
    assert response.status_code == 202 and response.json()["state"] == "cancelled"
    server.post(f"/v1/jobs/{first}/cancel", json={})
    assert server.wait(first)["state"] == "cancelled"
    assert not (root / "q2").exists() or list((root / "q2").iterdir()) == []


def test_a_timeline_file_changed_after_submit_does_not_change_the_queued_job(env, tmp_path):
    server, root, _ = env
    busy = server.submit({"timeline": _inline(timeline_with([_long_clip(root, "Long", 600.0)], RATE)),
                          "output_dir": str(root / "busy")})
    cut = root / "swapped-later.otio"
    otio.adapters.write_to_file(timeline_with([otio_clip(event_clip(root, "Checked", RATE))], RATE), str(cut))
    queued = server.submit({"timeline_path": str(cut), "output_dir": str(root / "swap")})
    # Rewritten while the job waits: now its clip's media lies outside the allowed folders.
    otio.adapters.write_to_file(timeline_with([otio_clip(event_clip(tmp_path, "Outside", RATE))], RATE), str(cut))
    server.post(f"/v1/jobs/{busy}/cancel", json={})
    assert server.wait(queued)["state"] == "done"
    (placement,) = server.result(queued)["placements"]
    assert Path(placement["path"]).name.startswith("Checked_")  # what was checked at submit is what ran


def test_files_route_serves_delivered_wavs_and_nothing_else(env):
    server, root, _ = env
    ec = event_clip(root, "Shot", RATE)
    job = server.submit({"timeline": _inline(timeline_with([otio_clip(ec)], RATE)), "output_dir": str(root / "files")})
    assert server.wait(job)["state"] == "done"
    (placement,) = server.get(f"/v1/jobs/{job}/result").json()["placements"]
    name = Path(placement["path"]).name
    response = server.get(f"/v1/jobs/{job}/files/{name}")
    assert response.status_code == 200 and response.headers["content-type"] == "audio/wav"
    assert response.content == Path(placement["path"]).read_bytes()
    (root / "files" / "secret.wav").write_bytes(b"RIFF")  # in the folder, but not delivered by this job
    for bad, status, says in [("secret.wav", 404, "delivered no file named 'secret.wav'"),
                              ("..%2F..%2Fetc%2Fpasswd", 400, "must be a plain name"),
                              ("%2Fetc%2Fpasswd", 400, "must be a plain name"),
                              ("a%00b.wav", 400, "NUL byte"), (".hidden.wav", 400, "must be a plain name")]:
        response = server.get(f"/v1/jobs/{job}/files/{bad}")
        assert (response.status_code, says in response.json()["detail"]) == (status, True), (bad, response.text)
    # Sent verbatim (HTTP clients would normalise the dot segments away before sending).
    import http.client

    host, port = server.url.removeprefix("http://").split(":")
    for raw in ("..", "../../../../etc/passwd", "..%5C..%5Cwin.ini"):
        conn = http.client.HTTPConnection(host, int(port), timeout=5)
        conn.request("GET", f"/v1/jobs/{job}/files/{raw}")
        answer = conn.getresponse()
        status, detail = answer.status, json.loads(answer.read())["detail"]
        conn.close()
        assert status == 400 and "must be a plain name" in detail, (raw, status, detail)
    assert server.get(f"/v1/jobs/nope/files/{name}").status_code == 404


def test_media_outside_the_allowed_roots_is_refused_before_queueing(env, tmp_path):
    server, root, _ = env
    outside = event_clip(tmp_path, "Outside", RATE)  # tmp_path is not an allowed root
    body = {"timeline": _inline(timeline_with([otio_clip(outside)], RATE)), "output_dir": str(root / "o")}
    before = len(server.get("/v1/jobs").json())
    response = server.post("/v1/jobs", json=body)
    assert response.status_code == 403 and "Outside" in response.json()["detail"]
    link = root / "link.mp4"  # a symlink inside a root that points out of it
    link.symlink_to(outside.media)
    clip = otio_clip(outside)
    clip.media_reference.target_url = otio.url_utils.url_from_filepath(str(link))
    response = server.post("/v1/jobs", json={**body, "timeline": _inline(timeline_with([clip], RATE))})
    assert response.status_code == 403
    saved = root / "outside-media.otio"  # a timeline file inside a root whose media lies outside
    otio.adapters.write_to_file(timeline_with([otio_clip(outside)], RATE), str(saved))
    response = server.post("/v1/jobs", json={"timeline_path": str(saved), "output_dir": str(root / "o")})
    assert response.status_code == 403 and "media of clip 'Outside'" in response.json()["detail"]
    assert len(server.get("/v1/jobs").json()) == before  # nothing was queued


def test_unknown_clip_ids_are_refused_at_submit(env):
    server, root, _ = env
    ec = event_clip(root, "Shot", RATE)
    body = {"timeline": _inline(timeline_with([otio_clip(ec)], RATE)), "output_dir": str(root / "u"),
            "clips": [{"clip_id": "no-such-clip"}]}
    response = server.post("/v1/jobs", json=body)
    assert response.status_code == 422 and "no-such-clip" in response.json()["detail"]


def test_per_clip_negative_prompt_and_seed_reach_the_result(env):
    server, root, _ = env
    timeline = timeline_with([otio_clip(event_clip(root, "Shot", RATE))], RATE)
    clip_id = source_clips(timeline)[0].clip_id
    choice = {"clip_id": clip_id, "prompt": "footsteps, rain", "negative_prompt": "rain", "seed": 4242}
    job, status = server.run({"timeline": _inline(timeline), "clips": [choice], "output_dir": str(root / "choices")})
    assert status["state"] == "done"
    result = server.result(job)
    foley = otio.adapters.read_from_string(json.dumps(result["timeline"]), "otio_json").tracks[-1].find_clips()[0]
    meta = foley.metadata["foley"]
    assert (meta["negative_prompt"], meta["seed"]) == ("rain", 4242)
    assert "rain" not in meta["sound"]  # the negative prompt took the rain bed out


def test_two_cpu_workers_run_two_jobs_at_once_and_a_preloaded_engine_is_not_loaded_again(tmp_path, start_server):
    root = tmp_path / "projects"
    root.mkdir()
    long_job = {"timeline": _inline(timeline_with([_long_clip(root, "Long", 150.0)], RATE))}
    server = start_server("--allow-root", str(root), "--devices", "cpu,cpu", "--engine", "procedural")
    health = server.get("/v1/health").json()
    procedural = next(e for e in health["engines"] if e["name"] == "procedural")
    assert procedural["loaded"] and procedural["loaded_on"] == ["cpu", "cpu"]
    assert health["workers"]["devices"] == ["cpu", "cpu"]
    jobs = [server.submit({**long_job, "output_dir": str(root / f"w{i}")}) for i in range(2)]
    deadline = time.time() + 60
    while time.time() < deadline and server.get("/v1/health").json()["workers"]["busy"] < 2:
        time.sleep(0.02)
    assert server.get("/v1/health").json()["queue"]["running"] == 2
    for job in jobs:
        assert server.wait(job)["state"] == "done"
        assert server.result(job)["timings"]["load"] < 0.05


@pytest.mark.parametrize("devices, message", [("gpu", "unknown device"), ("cuda:0", "not available"), (",", "empty")])
def test_bad_devices_and_engines_stop_the_server_with_a_clear_message(tmp_path, devices, message):
    import subprocess
    import sys

    foley = str(Path(sys.executable).with_name("foley"))
    done = subprocess.run([foley, "serve", "--data-dir", str(tmp_path), "--devices", devices, "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and message in done.stderr
    done = subprocess.run([foley, "serve", "--data-dir", str(tmp_path), "--engine", "nope", "--port", str(free_port())],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "unknown engine 'nope'" in done.stderr


def test_auto_devices_are_every_cuda_device_or_else_the_cpu():
    import torch

    from foley_server.jobs.devices import resolve_devices

    expected = [f"cuda:{i}" for i in range(torch.cuda.device_count())] if torch.cuda.is_available() else ["cpu"]
    assert resolve_devices("auto") == expected
    assert resolve_devices(" cpu , cpu ") == ["cpu", "cpu"]


def _output_folder_with_a_delivered_wav(tmp_path: Path, name: str) -> tuple[Path, Path, Path, Path]:
    """An allowed root, a data dir, and an output folder holding a WAV a job delivered."""
    root, data = tmp_path / "projects", tmp_path / "data"
    out = root / "out"
    out.mkdir(parents=True)
    delivered = out / name
    delivered.write_bytes(b"RIFF....WAVE")
    return root, data, out, delivered


def test_retention_forgets_old_jobs_and_stale_temp_files_but_never_delivered_wavs(tmp_path, start_server):
    from foley_server.jobs.store import JobStore

    root, data, out, delivered = _output_folder_with_a_delivered_wav(tmp_path, "Shot_1234.wav")
    stale = out / ".Shot_1234-abc.wav.partial"
    stale.write_bytes(b"half")
    fresh = out / ".foley-scratch-x.wav.partial"
    fresh.write_bytes(b"live")
    old = time.time() - 3 * 86400
    os.utime(stale, (old, old))
    os.utime(delivered, (old, old))
    store = JobStore(data / "jobs.sqlite")
    old_job, _ = store.create(JobSpec(output_dir=str(out), timeline_path="/x.otio"))
    store.claim("w")
    store.finish(old_job.id, "w", "done", result={"placements": []})
    new_job, _ = store.create(JobSpec(output_dir=str(out), timeline_path="/y.otio"))
    store._db.execute("UPDATE jobs SET updated = ? WHERE id = ?", (old, old_job.id))
    store.close()
    server = start_server("--allow-root", str(root), "--devices", "cpu", "--keep-days", "1", data_dir=data)
    ids = [j["job_id"] for j in server.get("/v1/jobs").json()]
    assert old_job.id not in ids and new_job.id in ids
    assert not stale.exists()
    assert fresh.exists() and delivered.exists()  # young temp files may be live; delivered media is the user's
    log = (data / "logs" / "foley-server.log").read_text()
    assert "retention: forgot 1 finished job" in log and "removed 1 temp file" in log


def test_retention_by_size_forgets_the_oldest_finished_jobs_first_and_keeps_queued_ones(tmp_path, start_server):
    from foley_server.jobs.store import JobStore

    root, data, out, delivered = _output_folder_with_a_delivered_wav(tmp_path, "Old_1.wav")
    padding = [ClipChoice(clip_id=f"c{i}", prompt="x" * 2000) for i in range(150)]  # four jobs of ~0.3 MB:
    store = JobStore(data / "jobs.sqlite")  # over a 1 MB budget by one job
    finished = []
    for age_h in (3, 2, 1):
        job, _ = store.create(JobSpec(output_dir=str(out), timeline_path=f"/{age_h}.otio", clips=padding))
        store.claim("w")
        store.finish(job.id, "w", "done", result={"placements": [{"path": str(delivered)}]})
        store._db.execute("UPDATE jobs SET updated = ? WHERE id = ?", (time.time() - age_h * 3600, job.id))
        finished.append(job.id)
    queued, _ = store.create(JobSpec(output_dir=str(out), timeline_path="/q.otio", clips=padding))
    store.close()
    server = start_server("--allow-root", str(root), "--devices", "cpu", "--keep-mb", "1", data_dir=data)
    ids = {j["job_id"] for j in server.get("/v1/jobs").json()}
    assert ids == {*finished[1:], queued.id}  # only the oldest finished job went
    assert delivered.read_bytes() == b"RIFF....WAVE"


def test_job_events_go_one_line_each_to_the_rotating_log_file(env):
    server, root, data = env
    ec = event_clip(root, "Logged", RATE)
    job = server.submit({"timeline": _inline(timeline_with([otio_clip(ec)], RATE)), "output_dir": str(root / "logged")})
    assert server.wait(job)["state"] == "done"
    deadline = time.time() + 5
    while time.time() < deadline:
        lines = [line for line in (data / "logs" / "foley-server.log").read_text().splitlines() if job in line]
        if any(" done" in line for line in lines):
            break
        time.sleep(0.05)
    kinds = [line.split(job, 1)[1].split()[0].rstrip(":") for line in lines]
    assert kinds[0] == "queued" and kinds[1] == "started" and "clip_done" in kinds and kinds[-1] == "done"
    assert len(kinds) == len(set(kinds)) == 4  # one line per event, no progress noise
    clip_id = next(iter(server.get(f"/v1/jobs/{job}").json()["clips"]))
    assert f"clip_done clip {clip_id}" in lines[kinds.index("clip_done")]
    assert re.search(r" done after \d+\.\d\d s", lines[-1]), lines[-1]


def test_docs_show_the_openapi_with_every_route(env):
    server, _, _ = env
    assert "swagger" in server.get("/docs").text.lower()
    paths = server.get("/openapi.json").json()["paths"]
    assert {"/v1/jobs", "/v1/jobs/{job_id}/cancel", "/v1/jobs/{job_id}/files/{name}", "/v1/jobs/{job_id}/result",
            "/v1/health", "/v1/engines"} <= set(paths)
