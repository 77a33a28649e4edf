"""A worker: one thread per device, engines loaded once and kept resident, jobs claimed from the store."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

import opentimelineio as otio
from pydantic import ValidationError

from foley_otio.errors import FoleyOtioError
from foley_otio.timeline_io import read_timeline

from ..config import DEFAULT_PROFILE, get_profile
from ..engines.base import CancelToken, Engine
from ..engines.cache import EngineCache
from ..engines.memory import peak_memory_bytes, reset_peak_memory
from ..errors import Cancelled, FoleyError
from ..pipeline.run import ClipOutcome, run_job
from .spec import JobSpec
from .store import JobStore

log = logging.getLogger("foley.jobs")


class JobWorker:
    """Runs queued jobs one after another on its device, through engines it loaded once."""

    def __init__(self, store: JobStore, device: str = "cpu", *, worker_id: str,
                 publish: Callable[[dict], None] = lambda event: None, cache: EngineCache | None = None) -> None:
        self.store = store
        self.device = device
        self.id = worker_id  # the name its leases are held under
        self.publish = publish  # progress events for the WebSocket fan-out
        self.cache = cache or EngineCache()  # shared by the workers; engines are per device
        self.current: str | None = None  # id of the job running now
        self.last_job: dict | None = None  # the last finished job's timings and peak memory, for /v1/health
        self._cancel: CancelToken | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=f"foley-worker-{device}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop at once; a job it was running goes back to the queue (its finished clips stay)."""
        self._stop.set()
        if self._cancel is not None:
            self._cancel.cancel()
        self._wake.set()
        self._thread.join(timeout=30)

    def wake(self) -> None:
        self._wake.set()

    def cancel(self, job_id: str) -> bool:
        """Stop the job if it is the one running here; True if it was."""
        token = self._cancel
        if self.current == job_id and token is not None:
            token.cancel()
            return True
        return False

    @property
    def engines(self) -> list[str]:
        """Names of the engines loaded and resident on this worker's device."""
        return sorted({key.name for key in self.cache.loaded() if key.device == self.device})

    def engine(self, name: str, profile: str = DEFAULT_PROFILE) -> tuple[Engine, float]:
        """The named engine loaded for this device and profile's precision, and the seconds spent loading it."""
        return self.cache.get(name, self.device, get_profile(profile))

    def _loop(self) -> None:
        while not self._stop.is_set():
            job = self.store.claim(self.id)
            if job is None:
                self._wake.wait(timeout=1.0)
                self._wake.clear()
                continue
            self._cancel = CancelToken()
            self.current = job.id
            if self._stop.is_set():  # claimed just as the server began to stop: give it back at once
                self._cancel.cancel()
            try:
                self._run(job.id, self._cancel)
            finally:
                self.current, self._cancel = None, None

    def _run(self, job_id: str, cancel: CancelToken) -> None:
        started = time.perf_counter()
        reset_peak_memory(self.device)
        self.publish({"type": "started", "job_id": job_id, "message": f"on {self.device}"})
        done = {clip_id: Path(c["wav_path"]) for clip_id, c in self.store.clips(job_id).items()
                if c["state"] == "done" and c["wav_path"]}

        def progress(event) -> None:
            message = {"type": event.type, "job_id": job_id, "clip_id": event.clip_id, "stage": event.stage,
                       "done": event.done, "total": event.total, "fraction": round(event.fraction, 4),
                       "message": event.message}
            if event.type == "clip_done":  # what the clip heard, and what it asked for that no model renders
                message.update(sound=event.sound, warnings=list(event.warnings))
            self.publish(message)

        def clip_finished(outcome: ClipOutcome) -> None:
            # Recorded at once: after a crash the job resumes without redoing this clip.
            self.store.mark_clip(job_id, outcome.task.clip_id, "done" if outcome.ok else "failed", holder=self.id,
                                 wav_path=str(outcome.wav_path) if outcome.ok else None, error=outcome.error)

        try:
            spec = self.store.spec(job_id)
            engine, engine_s = self.engine(spec.engine, spec.profile)
            outcome = run_job(
                _timeline(spec),
                Path(spec.output_dir),
                selectors=spec.selectors(),
                prompts=spec.prompts(),
                negative_prompts=spec.negative_prompts(),
                seeds=spec.seeds(),
                engine=engine,
                profile=spec.profile,
                base_seed=spec.seed,
                stems=spec.stems,
                progress=progress,
                cancel=cancel,
                done=done,
                on_clip=clip_finished,
            )
        except Cancelled:
            if self._stop.is_set():
                self.store.release(job_id, self.id)
                log.info("job %s released: the server is stopping; it resumes on the next start", job_id)
                return
            self._finish(job_id, "cancelled", error="cancelled by the user", seconds=time.perf_counter() - started)
            return
        except ValidationError as exc:  # a request stored by an older version that this one cannot read
            self._finish(job_id, "failed", error=f"the stored request cannot be read ({exc.error_count()} problem(s)); "
                         "submit the job again", seconds=time.perf_counter() - started)
            return
        except FoleyError as exc:
            self._finish(job_id, "failed", error=str(exc), seconds=time.perf_counter() - started)
            return
        except Exception as exc:  # a bug must fail the job, never kill the worker
            log.exception("job %s crashed", job_id)
            self._finish(job_id, "failed", error=f"internal error ({type(exc).__name__}: {exc}); please report",
                         seconds=time.perf_counter() - started)
            return
        timings = {"load": engine_s, **outcome.seconds}  # ~0 once the engine is resident
        peak = peak_memory_bytes(self.device)
        self.last_job = {"job_id": job_id, "engine": engine.name, "timings": timings, "peak_memory_bytes": peak}
        result = {
            "timeline": json.loads(otio.adapters.write_to_string(outcome.timeline, "otio_json")),
            "placements": [p.as_dict() for p in outcome.placements],
            "timings": timings,
            "warnings": outcome.warnings + [f"{c.task.name}: {c.error}" for c in outcome.failed],
            "sounds": {c.task.clip_id: {"name": c.task.name, "sound": c.heard, "warnings": list(c.spec.warnings)}
                       for c in outcome.clips if c.spec is not None},
            "device": self.device,
            "peak_memory_bytes": peak,  # CUDA max allocated on a GPU, the process's peak RSS on the CPU
            "resumed_clips": sorted(set(done) & {c.task.clip_id for c in outcome.clips if c.ok}),
        }
        state = "done" if any(c.ok for c in outcome.clips) else "failed"
        self._finish(job_id, state, result=result, error=None if state == "done" else "no clip could be processed",
                     seconds=time.perf_counter() - started)

    def _finish(self, job_id: str, state: str, *, seconds: float, result: dict | None = None, error: str | None = None) -> None:
        if self.store.finish(job_id, self.id, state, result=result, error=error):
            self.publish({"type": state, "job_id": job_id, "message": error or "", "seconds": round(seconds, 3)})
        else:  # its lease expired and another worker has taken the job over; that one reports it
            log.warning("job %s: lease lost by %s; its outcome here (%s) is dropped", job_id, self.id, state)


def _timeline(spec: JobSpec) -> otio.schema.Timeline:
    """The job's timeline, parsed once, as it was checked at submit (a file only for jobs stored before that)."""
    try:
        if spec.timeline_text is not None:
            result = otio.adapters.read_from_string(spec.timeline_text, "otio_json")
            if not isinstance(result, otio.schema.Timeline):
                raise FoleyError("the inline timeline is not an OTIO Timeline")
            return result
        if spec.timeline_path is None:
            raise FoleyError("the job has no timeline; submit it again with `timeline` or `timeline_path`")
        return read_timeline(spec.timeline_path)
    except FoleyOtioError as exc:
        raise FoleyError(str(exc)) from None
    except ValueError as exc:  # OTIO's parser on a structurally wrong document
        raise FoleyError(f"the timeline could not be read: {exc}") from None
