"""The worker: one thread, one resident engine, jobs from the store in order."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

import opentimelineio as otio
from foley_otio.errors import FoleyOtioError
from foley_otio.timeline_io import read_timeline

from ..engines.base import Engine, create_engine
from ..errors import FoleyError
from ..pipeline import decode_process
from ..pipeline.run import run_job
from .store import JobStore

log = logging.getLogger("foley.jobs")


class JobWorker:
    """Runs queued jobs one after another through engines loaded once and kept resident."""

    def __init__(self, store: JobStore, publish=lambda event: None) -> None:
        self.store = store
        self.publish = publish  # progress events for the WebSocket fan-out
        self._engines: dict[str, Engine] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="foley-worker", daemon=True)

    def start(self) -> None:
        # Jobs a crash left running go back to the queue; their finished clips are on record.
        for job in self.store.unfinished():
            if job.state == "running":
                self.store.set_state(job.id, "queued")
        decode_process.warm_up()  # the first job then spends no time starting a decoder
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)
        decode_process.shutdown()

    def wake(self) -> None:
        self._wake.set()

    def _engine(self, name: str) -> Engine:
        if name not in self._engines:
            self._engines[name] = create_engine(name)
        return self._engines[name]

    def _loop(self) -> None:
        while not self._stop.is_set():
            queued = [job for job in self.store.unfinished() if job.state == "queued"]
            if not queued:
                self._wake.wait(timeout=1.0)
                self._wake.clear()
                continue
            self._run(queued[0].id)

    def _run(self, job_id: str) -> None:
        job = self.store.set_state(job_id, "running")
        request = job.request
        log.info("job %s started", job_id)
        self.publish({"type": "started", "job_id": job_id})

        def progress(event) -> None:
            self.publish({"type": event.type, "job_id": job_id, "clip_id": event.clip_id, "stage": event.stage,
                          "done": event.done, "total": event.total, "fraction": round(event.fraction, 4),
                          "message": event.message})

        try:
            timeline = _timeline(request)
            clips = request.get("clips") or []
            outcome = run_job(
                timeline,
                Path(request["output_dir"]),
                selectors=[c["clip_id"] for c in clips] or None,
                prompts={c["clip_id"]: c["prompt"] for c in clips if c.get("prompt")},
                engine=self._engine(request.get("engine", "procedural")),
                profile=request.get("profile", "balanced"),
                base_seed=request.get("seed", 0),
                stems=request.get("stems", False),
                progress=progress,
            )
        except FoleyError as exc:
            self._finish(job_id, "failed", error=str(exc))
            return
        except Exception as exc:  # a bug must fail the job, never kill the worker
            log.exception("job %s crashed", job_id)
            self._finish(job_id, "failed", error=f"internal error ({type(exc).__name__}: {exc}); please report")
            return
        for clip in outcome.clips:
            self.store.mark_clip(job_id, clip.task.clip_id, "done" if clip.ok else "failed",
                                 wav_path=str(clip.wav_path) if clip.ok else None, error=clip.error)
        result = {
            "timeline": json.loads(otio.adapters.write_to_string(outcome.timeline, "otio_json")),
            "placements": [p.as_dict() for p in outcome.placements],
            "timings": outcome.seconds,
            "warnings": outcome.warnings + [f"{c.task.name}: {c.error}" for c in outcome.failed],
        }
        state = "done" if any(c.ok for c in outcome.clips) else "failed"
        self._finish(job_id, state, result=result, error=None if state == "done" else "no clip could be processed")

    def _finish(self, job_id: str, state: str, *, result: dict | None = None, error: str | None = None) -> None:
        self.store.set_state(job_id, state, result=result, error=error)
        log.info("job %s %s%s", job_id, state, f": {error}" if error else "")
        self.publish({"type": state, "job_id": job_id, "message": error or ""})


def _timeline(request: dict) -> otio.schema.Timeline:
    try:
        if request.get("timeline") is not None:
            result = otio.adapters.read_from_string(json.dumps(request["timeline"]), "otio_json")
            if not isinstance(result, otio.schema.Timeline):
                raise FoleyError("the inline timeline is not an OTIO Timeline")
            return result
        return read_timeline(request["timeline_path"])
    except FoleyOtioError as exc:
        raise FoleyError(str(exc)) from None
    except ValueError as exc:  # OTIO's parser on a structurally wrong document
        raise FoleyError(f"the timeline could not be read: {exc}") from None
