"""The SQLite job store: persistence across crashes, idempotency, the life cycle, leases."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from foley_server.jobs.spec import ClipChoice, JobSpec
from foley_server.jobs.store import IdempotencyConflict, JobStore


def spec(name: str = "cut", **fields) -> JobSpec:
    return JobSpec(timeline_path=f"/{name}.otio", output_dir="/out", **fields)


@pytest.fixture
def store(tmp_path):
    s = JobStore(tmp_path / "jobs.sqlite")
    yield s
    s.close()


def test_jobs_are_created_queued_listed_counted_and_read_back_as_the_model(store, tmp_path):
    asked = spec(clips=[ClipChoice(clip_id="a", prompt="rain", seed=7)], engine="procedural", stems=True)
    job, created = store.create(asked)
    assert created and job.state == "queued" and not job.finished and job.holder is None
    assert store.spec(job.id) == asked
    second, _ = store.create(spec("other"))
    assert [j.id for j in store.list()] == [second.id, job.id]
    assert store.counts()["queued"] == 2
    with sqlite3.connect(tmp_path / "jobs.sqlite") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_idempotency_key_returns_the_same_job_and_refuses_a_different_body(store):
    first, created = store.create(spec(seed=3), idempotency_key="k-1")
    again, created_again = store.create(JobSpec.model_validate({"seed": 3, "output_dir": "/out",
                                                                "timeline_path": "/cut.otio"}), idempotency_key="k-1")
    assert created and not created_again and again.id == first.id
    with pytest.raises(IdempotencyConflict, match="k-1"):
        store.create(spec("different"), idempotency_key="k-1")


def test_only_the_holder_moves_a_running_job_and_a_finished_job_stays_finished(store):
    job, _ = store.create(spec())
    claimed = store.claim("worker-a")
    assert claimed.id == job.id and claimed.state == "running" and claimed.holder == "worker-a"
    assert store.claim("worker-b") is None  # nothing else queued
    assert not store.finish(job.id, "worker-b", "done", result={})  # not its lease
    assert not store.mark_clip(job.id, "a", "done", holder="worker-b", wav_path="/out/a.wav")
    assert store.mark_clip(job.id, "a", "done", holder="worker-a", wav_path="/out/a.wav")
    assert store.finish(job.id, "worker-a", "done", result={"placements": []})
    done = store.get(job.id)
    assert done.finished and done.result == {"placements": []} and done.holder is None
    assert not store.finish(job.id, "worker-a", "failed") and not store.release(job.id, "worker-a")
    assert store.get(job.id).state == "done"
    with pytest.raises(ValueError, match="not a final state"):
        store.finish(job.id, "worker-a", "exploded")


def test_clip_outcomes_are_recorded_and_updated(store):
    job, _ = store.create(spec())
    store.claim("w")
    store.mark_clip(job.id, "a", "running", holder="w")
    store.mark_clip(job.id, "a", "done", holder="w", wav_path="/out/a.wav")
    store.mark_clip(job.id, "b", "failed", holder="w", error="media not found")
    assert store.clips(job.id) == {
        "a": {"state": "done", "wav_path": "/out/a.wav", "error": None},
        "b": {"state": "failed", "wav_path": None, "error": "media not found"},
    }


def test_a_renewed_lease_is_kept_and_an_expired_one_is_requeued(store):
    job, _ = store.create(spec())
    claimed = store.claim("w").heartbeat
    time.sleep(0.01)
    assert store.renew(job.id, "w") is False  # renewed; nobody asked to cancel
    assert store.get(job.id).heartbeat > claimed
    assert store.requeue_expired(lease_s=60) == []  # renewed a moment ago: live
    time.sleep(0.01)
    assert store.requeue_expired(lease_s=0.005) == [(job.id, Path("/out"), "queued")]
    assert store.get(job.id).state == "queued" and store.get(job.id).holder is None
    assert store.renew(job.id, "w") is None  # the old holder learns it lost the lease
    assert store.claim("v").holder == "v"


def test_a_cancel_asked_from_elsewhere_reaches_the_holder_on_renewal_or_ends_the_job_if_it_died(store):
    job, _ = store.create(spec())
    assert not store.request_cancel(job.id)  # queued: cancel_if_queued is the way
    store.claim("w")
    assert store.request_cancel(job.id)
    assert store.renew(job.id, "w") is True
    time.sleep(0.01)
    assert store.requeue_expired(lease_s=0.005) == [(job.id, Path("/out"), "cancelled")]  # not queued again
    assert store.get(job.id).error == "cancelled by the user"
    other, _ = store.create(spec("other"))
    store.claim("v")
    store.request_cancel(other.id)
    assert store.release(other.id, "v") and store.get(other.id).state == "cancelled"


def test_a_killed_process_leaves_a_held_job_that_is_requeued_only_after_its_lease(tmp_path):
    path = tmp_path / "jobs.sqlite"
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from foley_server.jobs.spec import JobSpec
        from foley_server.jobs.store import JobStore
        store = JobStore(Path({str(path)!r}))
        job, _ = store.create(JobSpec(timeline_path="/cut.otio", output_dir="/out"), idempotency_key="once")
        store.claim("dead-worker")
        store.mark_clip(job.id, "a", "done", holder="dead-worker", wav_path="/out/a.wav")
        print(job.id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no close, no clean shutdown
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    job_id = done.stdout.strip()
    store = JobStore(path)
    try:
        (held,) = store.unfinished()
        assert held.id == job_id and held.state == "running" and held.holder == "dead-worker"
        assert store.clips(job_id)["a"]["state"] == "done"  # finished clips are not redone
        assert store.create(JobSpec(timeline_path="/cut.otio", output_dir="/out"), idempotency_key="once")[0].id == job_id
        assert store.requeue_expired(lease_s=60) == []  # its lease has not run out yet
        assert [expired.job_id for expired in store.requeue_expired(lease_s=0)] == [job_id]
    finally:
        store.close()
    assert os.path.exists(path)


def test_a_database_from_before_leases_gains_the_columns_and_its_running_jobs_are_requeued(tmp_path):
    path = tmp_path / "jobs.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE jobs (id TEXT PRIMARY KEY, created REAL NOT NULL, updated REAL NOT NULL, state TEXT NOT NULL,
                request TEXT NOT NULL, request_hash TEXT NOT NULL, idempotency_key TEXT UNIQUE, result TEXT, error TEXT);
            INSERT INTO jobs VALUES ('old', 1, 1, 'running', '{"output_dir": "/out", "timeline_path": "/c.otio"}', 'h',
                NULL, NULL, NULL);
        """)
    store = JobStore(path)
    try:
        assert store.get("old").holder is None
        assert [expired.job_id for expired in store.requeue_expired(lease_s=30)] == ["old"]
        assert store.spec("old").timeline_path == "/c.otio"
    finally:
        store.close()


def test_workers_in_separate_processes_never_claim_the_same_job(tmp_path):
    path = tmp_path / "jobs.sqlite"
    store = JobStore(path)
    ids = {store.create(spec(f"cut{i}"))[0].id for i in range(120)}
    store.close()
    # Each process has its own connection and its own Python lock: only SQLite keeps them apart.
    script = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from foley_server.jobs.store import JobStore
        store = JobStore(Path({str(path)!r}))
        while (job := store.claim(f"w{{os.getpid()}}")) is not None:
            print(job.id, flush=True)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) for _ in range(4)]
    claimed = [line for proc in procs for line in proc.communicate(timeout=60)[0].split()]
    assert all(proc.returncode == 0 for proc in procs)
    assert sorted(claimed) == sorted(ids)  # every job once, none twice
    store = JobStore(path)
    try:
        assert store.counts()["running"] == 120 and store.claim("late") is None
    finally:
        store.close()
