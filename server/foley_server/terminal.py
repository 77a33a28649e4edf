"""Terminal progress: one bar per clip that walks through the stages, and the timing table."""

from __future__ import annotations

import sys
import threading

from tqdm import tqdm

from .pipeline.progress import JOB_STAGES, ProgressEvent

# Share of a clip's bar given to each stage, so the bar moves evenly through the work.
_STAGE_SPAN = {"decode": (0.0, 0.6), "generate": (0.6, 0.92), "master": (0.92, 1.0)}


class ProgressBars:
    """A ProgressSink drawing tqdm bars on a terminal, plain stage lines in logs; thread-safe."""

    def __init__(self, enabled: bool = True, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled and self.stream is not None
        self.interactive = self.enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._bars: dict[str, tqdm] = {}
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def _line(self, event: ProgressEvent) -> None:
        """One line per clip and stage change: readable in CI logs and files."""
        state = event.stage if event.type == "progress" else event.type
        # Decoding and generation of a clip interleave: announce each stage once.
        if (event.clip_id, state) in self._seen or state == "started":
            return
        self._seen.add((event.clip_id, state))
        detail = f": {event.message}" if event.type == "clip_failed" else ""
        print(f"[{event.clip_index + 1}/{event.clip_count}] {event.clip_name}: {state}{detail}", file=self.stream, flush=True)

    def __call__(self, event: ProgressEvent) -> None:
        if not self.enabled or event.clip_id is None:
            return
        with self._lock:
            if not self.interactive:
                self._line(event)
                return
            bar = self._bars.get(event.clip_id)
            if bar is None:
                label = f"[{event.clip_index + 1}/{event.clip_count}] {event.clip_name}"
                bar = tqdm(total=100, desc=label[:40], position=len(self._bars), leave=True, unit="%",
                           bar_format="{desc:<40} {bar} {n:3.0f}% {postfix}", file=self.stream)
                self._bars[event.clip_id] = bar
            if event.type == "progress" and event.stage in _STAGE_SPAN:
                lo, hi = _STAGE_SPAN[event.stage]
                bar.n = round(100 * (lo + (hi - lo) * event.fraction), 1)
                bar.set_postfix_str(event.stage, refresh=False)
                bar.refresh()
            elif event.type == "clip_done":
                bar.n = 100
                bar.set_postfix_str("done", refresh=False)
                bar.refresh()
            elif event.type == "clip_failed":
                bar.set_postfix_str("FAILED", refresh=False)
                bar.refresh()

    def close(self) -> None:
        with self._lock:
            for bar in self._bars.values():
                bar.close()
            self._bars.clear()


def stage_table(seconds: dict[str, float], wall_s: float | None = None) -> str:
    """Per-stage seconds in pipeline order, then the wall time (decoding overlaps generation)."""
    rows = [(s, seconds[s]) for s in ("plan", "load", *JOB_STAGES[1:]) if s in seconds]
    rows += [(s, v) for s, v in seconds.items() if s not in dict(rows)]
    width = max(len(s) for s, _ in rows) if rows else 5
    lines = [f"  {s:<{width}}  {v:8.2f} s" for s, v in rows]
    if wall_s is not None:
        lines.append(f"  {'wall':<{width}}  {wall_s:8.2f} s  (stages overlap: decoding runs beside generation)")
    return "\n".join(lines)
