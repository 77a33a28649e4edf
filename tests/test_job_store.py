"""The SQLite job store: persistence across crashes, idempotency, the job life cycle."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from foley_server.jobs.store import IdempotencyConflict, JobStateError, JobStore


@pytest.fixture
def store(tmp_path):
    s = JobStore(tmp_path / "jobs.sqlite")
    yield s
    s.close()


def test_jobs_are_created_queued_listed_and_counted(store):
    job, created = store.create({"timeline_path": "/cut.otio", "clips": [{"clip_id": "a"}]})
    assert created and job.state == "queued" and not job.finished
    assert store.get(job.id).request["clips"] == [{"clip_id": "a"}]
    second, _ = store.create({"timeline_path": "/other.otio"})
    assert [j.id for j in store.list()] == [second.id, job.id]
    assert store.counts()["queued"] == 2 and store.journal_mode() == "wal"


def test_idempotency_key_returns_the_same_job_and_refuses_a_different_body(store):
    body = {"timeline_path": "/cut.otio", "engine": "procedural"}
    first, created = store.create(body, idempotency_key="k-1")
    again, created_again = store.create(dict(reversed(list(body.items()))), idempotency_key="k-1")  # key order differs
    assert created and not created_again and again.id == first.id
    with pytest.raises(IdempotencyConflict, match="k-1"):
        store.create({"timeline_path": "/different.otio"}, idempotency_key="k-1")


def test_life_cycle_moves_and_refuses_leaving_a_final_state(store):
    job, _ = store.create({"x": 1})
    store.set_state(job.id, "running")
    done = store.set_state(job.id, "done", result={"placements": []})
    assert done.finished and done.result == {"placements": []}
    with pytest.raises(JobStateError, match="cannot become running"):
        store.set_state(job.id, "running")
    with pytest.raises(JobStateError, match="unknown job state"):
        store.set_state(job.id, "exploded")


def test_clip_outcomes_are_recorded_and_updated(store):
    job, _ = store.create({"x": 1})
    store.mark_clip(job.id, "a", "running")
    store.mark_clip(job.id, "a", "done", wav_path="/out/a.wav")
    store.mark_clip(job.id, "b", "failed", error="media not found")
    assert store.clips(job.id) == {
        "a": {"state": "done", "wav_path": "/out/a.wav", "error": None},
        "b": {"state": "failed", "wav_path": None, "error": "media not found"},
    }


def test_a_killed_process_leaves_a_resumable_job_and_its_finished_clips(tmp_path):
    path = tmp_path / "jobs.sqlite"
    script = textwrap.dedent(f"""
        import os, signal
        from pathlib import Path
        from foley_server.jobs.store import JobStore
        store = JobStore(Path({str(path)!r}))
        job, _ = store.create({{"timeline_path": "/cut.otio"}}, idempotency_key="once")
        store.set_state(job.id, "running")
        store.mark_clip(job.id, "a", "done", wav_path="/out/a.wav")
        print(job.id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)  # no close, no clean shutdown
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGKILL
    job_id = done.stdout.strip()
    store = JobStore(path)
    try:
        (resumable,) = store.unfinished()
        assert resumable.id == job_id and resumable.state == "running"
        assert store.clips(job_id)["a"]["state"] == "done"  # finished clips are not redone
        assert store.create({"timeline_path": "/cut.otio"}, idempotency_key="once")[0].id == job_id
        assert store.set_state(job_id, "queued").state == "queued"  # requeued on restart
    finally:
        store.close()
    assert os.path.exists(path)


def test_workers_in_separate_processes_never_claim_the_same_job(tmp_path):
    path = tmp_path / "jobs.sqlite"
    store = JobStore(path)
    ids = {store.create({"timeline_path": f"/cut{i}.otio"})[0].id for i in range(120)}
    store.close()
    # Each process has its own connection and its own Python lock: only SQLite keeps them apart.
    script = textwrap.dedent(f"""
        from pathlib import Path
        from foley_server.jobs.store import JobStore
        store = JobStore(Path({str(path)!r}))
        while (job := store.claim()) is not None:
            print(job.id, flush=True)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) for _ in range(4)]
    claimed = [line for proc in procs for line in proc.communicate(timeout=60)[0].split()]
    assert all(proc.returncode == 0 for proc in procs)
    assert sorted(claimed) == sorted(ids)  # every job once, none twice
    store = JobStore(path)
    try:
        assert store.counts()["running"] == 120 and store.claim() is None
    finally:
        store.close()
