"""Jobs in SQLite (WAL): what was asked, where it stands, who holds it, which clips are finished.

A running job is held by one worker under a lease (the worker's id and a heartbeat it renews); only
a lease whose heartbeat has expired goes back to the queue, so several server processes can share
one database without taking each other's live jobs, and a killed one's jobs are resumed.
Every move of the life cycle is one conditional UPDATE, atomic between threads and processes.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..errors import FoleyError
from .spec import JobSpec

STATES = ("queued", "running", "done", "failed", "cancelled")
FINAL_STATES = {"done", "failed", "cancelled"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    state TEXT NOT NULL,
    request TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    result TEXT,
    error TEXT
);
CREATE TABLE IF NOT EXISTS clips (
    job_id TEXT NOT NULL REFERENCES jobs(id),
    clip_id TEXT NOT NULL,
    state TEXT NOT NULL,
    wav_path TEXT,
    error TEXT,
    PRIMARY KEY (job_id, clip_id)
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
"""
# Columns added after the first release; a database made before them gains them on open.
_LEASE_COLUMNS = {"holder": "TEXT", "heartbeat": "REAL", "cancel_requested": "INTEGER NOT NULL DEFAULT 0"}
_JOB_COLUMNS = "id, created, updated, state, idempotency_key, result, error, holder, heartbeat"


# A job taken from a worker goes back to the queue, unless someone asked to cancel it meanwhile.
_QUEUED_UNLESS_CANCELLED = "CASE WHEN cancel_requested THEN 'cancelled' ELSE 'queued' END"
_CANCEL_REASON = "CASE WHEN cancel_requested THEN 'cancelled by the user' ELSE error END"


class Expired(NamedTuple):
    """A job whose worker stopped renewing its lease, and what became of it."""

    job_id: str
    output_dir: Path | None
    state: str  # queued again, or cancelled (a cancel was asked for)


class IdempotencyConflict(FoleyError):
    """The same Idempotency-Key came with a different request body."""


@dataclass(frozen=True)
class Job:
    """One row of the job table, decoded (the request itself is read with `JobStore.spec`)."""

    id: str
    created: float
    updated: float
    state: str
    idempotency_key: str | None
    result: dict | None
    error: str | None
    holder: str | None  # the worker whose lease it is while running
    heartbeat: float | None  # when that worker last renewed the lease

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES


def request_hash(text: str) -> str:
    """A fingerprint of a stored request (the model's JSON, so field order is fixed)."""
    return hashlib.sha256(text.encode()).hexdigest()


class JobStore:
    """Thread-safe access to the job database; one per server process, several processes per file."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; crash-safe
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        have = {row["name"] for row in self._db.execute("PRAGMA table_info(jobs)")}
        for name, kind in _LEASE_COLUMNS.items():
            if name not in have:
                try:
                    self._db.execute(f"ALTER TABLE jobs ADD COLUMN {name} {kind}")
                except sqlite3.OperationalError:  # another process added it a moment ago
                    pass
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def create(self, spec: JobSpec, idempotency_key: str | None = None) -> tuple[Job, bool]:
        """A new queued job, or the existing one for a retried Idempotency-Key (created=False)."""
        text = spec.model_dump_json()
        digest = request_hash(text)
        with self._lock:
            if idempotency_key is not None:
                row = self._db.execute("SELECT id, request_hash FROM jobs WHERE idempotency_key = ?",
                                       (idempotency_key,)).fetchone()
                if row is not None:
                    if row["request_hash"] != digest:
                        raise IdempotencyConflict(
                            f"Idempotency-Key {idempotency_key!r} was used for a different request (job {row['id']}); "
                            "use a new key for a new job"
                        )
                    return self.get(row["id"]), False
            now = time.time()
            job_id = uuid.uuid4().hex
            self._db.execute(
                "INSERT INTO jobs (id, created, updated, state, request, request_hash, idempotency_key) VALUES (?,?,?,?,?,?,?)",
                (job_id, now, now, "queued", text, digest, idempotency_key),
            )
        return self.get(job_id), True

    def get(self, job_id: str) -> Job | None:
        row = self._db.execute(f"SELECT {_JOB_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def spec(self, job_id: str) -> JobSpec:
        """What the job asks for, as the model it was accepted as."""
        (text,) = self._db.execute("SELECT request FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return JobSpec.model_validate_json(text)

    def list(self, limit: int = 100) -> list[Job]:
        """Newest first."""
        rows = self._db.execute(f"SELECT {_JOB_COLUMNS} FROM jobs ORDER BY created DESC LIMIT ?", (limit,)).fetchall()
        return [_job(r) for r in rows]

    def output_dirs(self, states: tuple[str, ...]) -> set[Path]:
        """The output folders of jobs in these states (for retention: whose temp files may be live)."""
        marks = ",".join("?" * len(states))
        rows = self._db.execute(f"SELECT DISTINCT json_extract(request, '$.output_dir') FROM jobs WHERE state IN ({marks})",
                                states).fetchall()
        return {Path(r[0]) for r in rows if r[0]}

    # -- the life cycle ---------------------------------------------------------------------------

    def claim(self, holder: str) -> Job | None:
        """Take the oldest queued job for worker `holder`, under a fresh lease; two workers never get the same job.

        One UPDATE statement takes SQLite's write lock before it reads, so the pick and the mark are
        atomic even between processes sharing the database, not only between this process's threads.
        """
        now = time.time()
        with self._lock:
            rows = self._db.execute(
                "UPDATE jobs SET state = 'running', updated = ?, holder = ?, heartbeat = ?, cancel_requested = 0 "
                "WHERE state = 'queued' AND id = (SELECT id FROM jobs WHERE state = 'queued' ORDER BY created LIMIT 1) "
                "RETURNING id", (now, holder, now)
            ).fetchall()  # all rows read: SQLite finishes a RETURNING statement only then
        return self.get(rows[0][0]) if rows else None

    def renew(self, job_id: str, holder: str) -> bool | None:
        """Extend `holder`'s lease on a running job; None if the lease is no longer its own, else
        whether someone (maybe another server process) asked for the job to be cancelled."""
        with self._lock:
            rows = self._db.execute(
                "UPDATE jobs SET heartbeat = ? WHERE id = ? AND holder = ? AND state = 'running' RETURNING cancel_requested",
                (time.time(), job_id, holder)).fetchall()
        return bool(rows[0][0]) if rows else None

    def finish(self, job_id: str, holder: str, state: str, *, result: dict | None = None,
               error: str | None = None) -> bool:
        """End a running job held by `holder` as done, failed or cancelled; False if it no longer holds it."""
        if state not in FINAL_STATES:
            raise ValueError(f"{state!r} is not a final state ({', '.join(sorted(FINAL_STATES))})")
        with self._lock:
            changed = self._db.execute(
                "UPDATE jobs SET state = ?, updated = ?, result = ?, error = ?, holder = NULL, heartbeat = NULL "
                "WHERE id = ? AND holder = ? AND state = 'running'",
                (state, time.time(), json.dumps(result) if result is not None else None, error, job_id, holder)).rowcount
        return changed == 1

    def release(self, job_id: str, holder: str) -> bool:
        """Give a running job back to the queue at once (its worker is stopping; its finished clips stay),
        or end it as cancelled if a cancel was asked for meanwhile."""
        with self._lock:
            changed = self._db.execute(
                f"UPDATE jobs SET state = {_QUEUED_UNLESS_CANCELLED}, error = {_CANCEL_REASON}, updated = ?, "
                "holder = NULL, heartbeat = NULL WHERE id = ? AND holder = ? AND state = 'running'",
                (time.time(), job_id, holder)).rowcount
        return changed == 1

    def requeue_expired(self, lease_s: float) -> list[Expired]:
        """Queue again every running job whose lease was not renewed for `lease_s` (its worker died),
        or end it as cancelled if a cancel was asked for meanwhile."""
        with self._lock:
            rows = self._db.execute(
                f"UPDATE jobs SET state = {_QUEUED_UNLESS_CANCELLED}, error = {_CANCEL_REASON}, updated = ?, "
                "holder = NULL, heartbeat = NULL WHERE state = 'running' AND (heartbeat IS NULL OR heartbeat < ?) "
                "RETURNING id, json_extract(request, '$.output_dir'), state", (time.time(), time.time() - lease_s)).fetchall()
        return [Expired(r[0], Path(r[1]) if r[1] else None, r[2]) for r in rows]

    def cancel_if_queued(self, job_id: str) -> bool:
        """Cancel a job no worker has claimed yet; False if it is not queued (any more)."""
        with self._lock:
            changed = self._db.execute(
                "UPDATE jobs SET state = 'cancelled', updated = ?, error = 'cancelled by the user' "
                "WHERE id = ? AND state = 'queued'", (time.time(), job_id)).rowcount
        return changed == 1

    def request_cancel(self, job_id: str) -> bool:
        """Ask whichever worker holds a running job to stop it (it reads this when it renews its lease)."""
        with self._lock:
            changed = self._db.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'",
                                       (job_id,)).rowcount
        return changed == 1

    def forget_finished(self, *, older_than: float, keep_bytes: int) -> list[str]:
        """Delete finished jobs updated before `older_than`, then the oldest finished ones until the
        stored requests and results fit in `keep_bytes`; returns the ids. Their WAVs are not touched."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, updated, LENGTH(request) + COALESCE(LENGTH(result), 0) FROM jobs "
                "WHERE state IN ('done', 'failed', 'cancelled') ORDER BY updated"
            ).fetchall()
            active = self._db.execute(
                "SELECT COALESCE(SUM(LENGTH(request) + COALESCE(LENGTH(result), 0)), 0) FROM jobs "
                "WHERE state IN ('queued', 'running')"
            ).fetchone()[0]
            total = active + sum(size for _, _, size in rows)
            doomed = []
            for job_id, updated, size in rows:
                if updated < older_than or total > keep_bytes:
                    doomed.append(job_id)
                    total -= size
            for job_id in doomed:
                self._db.execute("DELETE FROM clips WHERE job_id = ?", (job_id,))
                self._db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        return doomed

    def mark_clip(self, job_id: str, clip_id: str, state: str, *, holder: str, wav_path: str | None = None,
                  error: str | None = None) -> bool:
        """Record a clip's outcome while `holder` holds the job, so a resumed job does not redo finished clips."""
        with self._lock:
            changed = self._db.execute(
                "INSERT INTO clips (job_id, clip_id, state, wav_path, error) "
                "SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM jobs WHERE id = ? AND holder = ? AND state = 'running') "
                "ON CONFLICT(job_id, clip_id) DO UPDATE SET state = excluded.state, wav_path = excluded.wav_path, "
                "error = excluded.error",
                (job_id, clip_id, state, wav_path, error, job_id, holder),
            ).rowcount
        return changed == 1

    def clips(self, job_id: str) -> dict[str, dict]:
        rows = self._db.execute("SELECT clip_id, state, wav_path, error FROM clips WHERE job_id = ?", (job_id,)).fetchall()
        return {r[0]: {"state": r[1], "wav_path": r[2], "error": r[3]} for r in rows}

    def unfinished(self) -> list[Job]:
        """Queued or running jobs, oldest first."""
        rows = self._db.execute(
            f"SELECT {_JOB_COLUMNS} FROM jobs WHERE state IN ('queued', 'running') ORDER BY created").fetchall()
        return [_job(r) for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall()
        return {state: 0 for state in STATES} | {r[0]: r[1] for r in rows}


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"], created=row["created"], updated=row["updated"], state=row["state"],
        idempotency_key=row["idempotency_key"], result=json.loads(row["result"]) if row["result"] else None,
        error=row["error"], holder=row["holder"], heartbeat=row["heartbeat"],
    )
