"""Jobs in SQLite (WAL): what was asked, where it stands, which clips are finished — survives kill -9."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..errors import FoleyError

STATES = ("queued", "running", "done", "failed", "cancelled")
FINAL_STATES = {"done", "failed", "cancelled"}
_ALLOWED = {
    "queued": {"running", "cancelled", "failed"},
    "running": {"queued", "done", "failed", "cancelled"},  # back to queued: requeued after a crash
}

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


class IdempotencyConflict(FoleyError):
    """The same Idempotency-Key came with a different request body."""


class JobStateError(FoleyError):
    """A job cannot move from its state to the one asked for (e.g. a finished job restarted)."""


@dataclass(frozen=True)
class Job:
    """One row of the job table, decoded."""

    id: str
    created: float
    updated: float
    state: str
    request: dict
    idempotency_key: str | None
    result: dict | None
    error: str | None

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES


def request_hash(request: dict) -> str:
    """A stable fingerprint of a request body (key order does not matter)."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


class JobStore:
    """Thread-safe access to the job database; one per server process."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; crash-safe
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    def journal_mode(self) -> str:
        return self._db.execute("PRAGMA journal_mode").fetchone()[0]

    def create(self, request: dict, idempotency_key: str | None = None) -> tuple[Job, bool]:
        """A new queued job, or the existing one for a retried Idempotency-Key (created=False)."""
        digest = request_hash(request)
        with self._lock:
            if idempotency_key is not None:
                row = self._db.execute("SELECT * FROM jobs WHERE idempotency_key = ?", (idempotency_key,)).fetchone()
                if row is not None:
                    job = _job(row)
                    if row[5] != digest:
                        raise IdempotencyConflict(
                            f"Idempotency-Key {idempotency_key!r} was used for a different request (job {job.id}); "
                            "use a new key for a new job"
                        )
                    return job, False
            now = time.time()
            job_id = uuid.uuid4().hex
            self._db.execute(
                "INSERT INTO jobs (id, created, updated, state, request, request_hash, idempotency_key) VALUES (?,?,?,?,?,?,?)",
                (job_id, now, now, "queued", json.dumps(request), digest, idempotency_key),
            )
        return self.get(job_id), True

    def get(self, job_id: str) -> Job | None:
        row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def list(self, limit: int = 100) -> list[Job]:
        """Newest first."""
        rows = self._db.execute("SELECT * FROM jobs ORDER BY created DESC LIMIT ?", (limit,)).fetchall()
        return [_job(r) for r in rows]

    def set_state(self, job_id: str, state: str, *, result: dict | None = None, error: str | None = None) -> Job:
        """Move a job along its life cycle; refuses moves out of a final state."""
        if state not in STATES:
            raise JobStateError(f"unknown job state {state!r}; one of {', '.join(STATES)}")
        with self._lock:
            job = self.get(job_id)
            if job is None:
                raise JobStateError(f"no job {job_id}")
            if state != job.state and state not in _ALLOWED.get(job.state, set()):
                raise JobStateError(f"job {job_id} is {job.state}; it cannot become {state}")
            self._db.execute(
                "UPDATE jobs SET state = ?, updated = ?, result = COALESCE(?, result), error = COALESCE(?, error) WHERE id = ?",
                (state, time.time(), json.dumps(result) if result is not None else None, error, job_id),
            )
        return self.get(job_id)

    def claim(self) -> Job | None:
        """Take the oldest queued job for a worker, marking it running; two workers never get the same job.

        One UPDATE statement takes SQLite's write lock before it reads, so the pick and the mark are
        atomic even between processes sharing the database, not only between this process's threads.
        """
        with self._lock:
            rows = self._db.execute(
                "UPDATE jobs SET state = 'running', updated = ? WHERE state = 'queued' AND id = "
                "(SELECT id FROM jobs WHERE state = 'queued' ORDER BY created LIMIT 1) RETURNING id", (time.time(),)
            ).fetchall()  # all rows read: SQLite finishes a RETURNING statement only then
        return self.get(rows[0][0]) if rows else None

    def cancel_if_queued(self, job_id: str) -> bool:
        """Cancel a job no worker has claimed yet; False if it is not queued (any more)."""
        with self._lock:
            changed = self._db.execute(
                "UPDATE jobs SET state = 'cancelled', updated = ?, error = 'cancelled by the user' "
                "WHERE id = ? AND state = 'queued'", (time.time(), job_id)).rowcount
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

    def mark_clip(self, job_id: str, clip_id: str, state: str, *, wav_path: str | None = None, error: str | None = None) -> None:
        """Record a clip's outcome, so a resumed job does not redo finished clips."""
        with self._lock:
            self._db.execute(
                "INSERT INTO clips (job_id, clip_id, state, wav_path, error) VALUES (?,?,?,?,?) "
                "ON CONFLICT(job_id, clip_id) DO UPDATE SET state = excluded.state, wav_path = excluded.wav_path, "
                "error = excluded.error",
                (job_id, clip_id, state, wav_path, error),
            )

    def clips(self, job_id: str) -> dict[str, dict]:
        rows = self._db.execute("SELECT clip_id, state, wav_path, error FROM clips WHERE job_id = ?", (job_id,)).fetchall()
        return {r[0]: {"state": r[1], "wav_path": r[2], "error": r[3]} for r in rows}

    def unfinished(self) -> list[Job]:
        """Queued or running jobs, oldest first: what a restarted server must resume."""
        rows = self._db.execute("SELECT * FROM jobs WHERE state IN ('queued', 'running') ORDER BY created").fetchall()
        return [_job(r) for r in rows]

    def counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall()
        return {state: 0 for state in STATES} | dict(rows)


def _job(row: tuple) -> Job:
    return Job(
        id=row[0], created=row[1], updated=row[2], state=row[3], request=json.loads(row[4]),
        idempotency_key=row[6], result=json.loads(row[7]) if row[7] else None, error=row[8],
    )
