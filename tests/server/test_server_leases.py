"""Two real servers on one data dir: a live job is never taken from the other process; a killed one's
job is resumed by the survivor once its lease has expired, without redoing its finished clips."""
# The interrupted job is long (so that it is still running when killed, however fast the machine);
# once the survivor has shown that it resumes it, the rest is cancelled rather than waited for.

from __future__ import annotations

import json
import os
import signal
import sqlite3
import time
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio

from foley_server.demo.footage import write_long_video
from otio_fixtures import timeline_with

LEASE_S = 2.0
RATE = Fraction(25)
#: A job that must still be running seconds later: long clips (about 1 s of work each on 2 cores in
#: 2026-12; 16 clips of 20 s once were enough and then finished in 3 s), cancelled once they have served.
LONG_JOB_CLIPS, CLIP_S = 32, 90.0


def _job_body(media: Path, out: Path, clips: int, seconds: float) -> dict:
    """Clips over one small long video: quick to decode, about a second of work each."""
    frames = int(seconds * 25)
    timeline = timeline_with([otio.schema.Clip(
        name=f"Part{i}",
        media_reference=otio.schema.ExternalReference(target_url=otio.url_utils.url_from_filepath(str(media))),
        source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(frames, 25)),
        metadata={"foley": {"prompt": "footsteps on gravel, cloth, heavy rain"}},
    ) for i in range(clips)], RATE)
    return {"timeline": json.loads(otio.adapters.write_to_string(timeline, "otio_json")), "output_dir": str(out)}


def _pid(worker: str) -> int:
    """Worker ids are host:pid:nonce/device#n."""
    return int(worker.split(":")[1])


def test_a_second_process_never_takes_a_live_job_and_resumes_a_killed_ones_after_its_lease(tmp_path, start_server):
    root, data = tmp_path / "projects", tmp_path / "data"
    root.mkdir()
    media = root / "long.mp4"
    write_long_video(media, CLIP_S, 25, (64, 36))
    flags = ("--allow-root", str(root), "--devices", "cpu", "--lease-s", str(LEASE_S))
    servers = [start_server(*flags, data_dir=data), start_server(*flags, data_dir=data)]
    by_pid = {server.proc.pid: server for server in servers}

    doomed_out, live_out = root / "doomed", root / "live"
    doomed = servers[0].submit(_job_body(media, doomed_out, clips=LONG_JOB_CLIPS, seconds=CLIP_S))
    live = servers[1].submit(_job_body(media, live_out, clips=3, seconds=20.0))
    holders: dict[str, set[str]] = {doomed: set(), live: set()}

    # Both processes renew their own leases and sweep for expired ones every LEASE_S / 3: for two
    # lease periods, neither may take the other's job.
    watched = time.time()
    while True:
        statuses = {job: servers[1].status(job) for job in (doomed, live)}
        for job, status in statuses.items():
            if status["state"] == "running":
                holders[job].add(status["worker"])
        finished = {k: c for k, c in statuses[doomed]["clips"].items() if c["state"] == "done"}
        if time.time() - watched > 2 * LEASE_S and finished and len(holders[doomed]) == 1:
            break
        assert statuses[doomed]["state"] == "running", f"the job ended before it could be interrupted: {statuses[doomed]}"
        assert time.time() - watched < 60
        time.sleep(0.05)
    assert len(holders[doomed]) == 1 and len(holders[live]) <= 1, holders  # nothing changed hands
    (doomed_worker,) = holders[doomed]
    victim = by_pid[_pid(doomed_worker)]
    survivor = next(server for server in servers if server is not victim)

    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait()
    finished = {k: c for k, c in survivor.status(doomed)["clips"].items() if c["state"] == "done"}
    before = {clip_id: os.stat(c["wav_path"]) for clip_id, c in finished.items()}
    with sqlite3.connect(data / "jobs.sqlite") as db:  # the dead worker's last renewal
        (last_heartbeat,) = db.execute("SELECT heartbeat FROM jobs WHERE id = ?", (doomed,)).fetchone()

    # Until its lease runs out the dead worker's job stays its own; then the survivor takes it over.
    while True:
        status = survivor.status(doomed)
        answered = time.time()
        if status["worker"] != doomed_worker:
            break
        assert status["state"] == "running"
        assert answered < last_heartbeat + LEASE_S + 30, "the expired lease was never requeued"
        time.sleep(0.02)
    assert answered >= last_heartbeat + LEASE_S, (answered - last_heartbeat, status)
    while f"job {doomed} requeued" not in survivor.console:  # logged just after the requeue is committed
        assert time.time() - answered < 10, survivor.console[-2000:]
        time.sleep(0.02)

    # The survivor carries on where the dead worker stopped: with the next clip, not the finished ones.
    while not {k for k, c in survivor.status(doomed)["clips"].items() if c["state"] == "done"} - set(finished):
        assert time.time() - answered < 120, "the survivor never finished a clip of the resumed job"
        time.sleep(0.05)
    clips = survivor.status(doomed)["clips"]
    assert all(clips[clip_id]["state"] == "done" for clip_id in finished)
    for clip_id, stat in before.items():  # kept, not redone
        after = os.stat(finished[clip_id]["wav_path"])
        assert (after.st_ino, after.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    assert survivor.post(f"/v1/jobs/{doomed}/cancel", json={}).status_code == 202
    assert survivor.wait(doomed)["state"] == "cancelled"
    assert [p.name for p in doomed_out.iterdir() if p.name.endswith(".partial")] == []  # nor the dead worker's

    other = survivor.wait(live, timeout=180)
    assert other["state"] == "done" and survivor.result(live)["resumed_clips"] == []
    assert {_pid(worker) for worker in holders[live]} <= {survivor.proc.pid}  # held by the survivor throughout


def test_a_server_stopped_politely_gives_its_running_job_back_to_the_queue(tmp_path, start_server):
    root, data = tmp_path / "projects", tmp_path / "data"
    root.mkdir()
    media = root / "long.mp4"
    write_long_video(media, CLIP_S, 25, (64, 36))
    server = start_server("--allow-root", str(root), "--devices", "cpu", data_dir=data)
    job = server.submit(_job_body(media, root / "out", clips=LONG_JOB_CLIPS, seconds=CLIP_S))
    while server.status(job)["state"] != "running":
        time.sleep(0.02)
    server.proc.terminate()  # SIGTERM: uvicorn shuts down, the worker stops the job and releases it
    assert server.proc.wait(timeout=30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once shut down
    with sqlite3.connect(data / "jobs.sqlite") as db:
        state, holder, error = db.execute("SELECT state, holder, error FROM jobs WHERE id = ?", (job,)).fetchone()
    assert (state, holder, error) == ("queued", None, None)  # not "cancelled by the user"
    assert "released: the server is stopping" in server.console


def test_a_cancel_sent_to_another_server_stops_the_job_where_it_runs(tmp_path, start_server):
    root, data = tmp_path / "projects", tmp_path / "data"
    root.mkdir()
    media = root / "long.mp4"
    write_long_video(media, CLIP_S, 25, (64, 36))
    flags = ("--allow-root", str(root), "--devices", "cpu", "--lease-s", str(LEASE_S))
    servers = [start_server(*flags, data_dir=data), start_server(*flags, data_dir=data)]
    job = servers[0].submit(_job_body(media, root / "out", clips=LONG_JOB_CLIPS, seconds=CLIP_S))
    while (status := servers[0].status(job))["state"] != "running":
        time.sleep(0.02)
    holder = next(server for server in servers if server.proc.pid == _pid(status["worker"]))
    elsewhere = next(server for server in servers if server is not holder)
    response = elsewhere.post(f"/v1/jobs/{job}/cancel", json={})
    assert response.status_code == 202, response.text
    ended = holder.wait(job)
    done = [c for c in ended["clips"].values() if c["state"] == "done"]
    assert ended["state"] == "cancelled" and len(done) < LONG_JOB_CLIPS, ended  # stopped, not run to the end
    assert f"job {job}: cancel asked through another server" in holder.console
