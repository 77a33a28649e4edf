"""Decode + see for one clip in the analysis thread, with events handed out as they become final."""

from __future__ import annotations

import threading
import time
from contextlib import closing
from typing import Callable

from ..config import Profile
from ..engines.base import CancelToken, VisualEvents
from ..errors import Cancelled, FoleyError, MediaError
from .decode_process import decode_frames_elsewhere
from .media import expected_frames, probe_video
from .plan import ClipTask
from .vision import FINAL_LAG_S, VisualAnalyzer

_PUBLISH_EVERY_FRAMES = 25


class ClipAnalysis:
    """Runs once (in a worker thread); any thread may wait for the events up to a time."""

    def __init__(self, task: ClipTask, profile: Profile, cancel: CancelToken,
                 on_progress: Callable[[int, int], None] = lambda done, total: None, flow: bool = False) -> None:
        self.task = task
        self.flow = flow  # measure on-screen speed too (only whooshes need it; it costs ~1 ms a frame)
        self.profile = profile
        self.cancel = cancel
        self.on_progress = on_progress
        self.seconds: dict[str, float] = {}
        self.warnings: list[str] = []
        self._cond = threading.Condition()
        self._analyzer: VisualAnalyzer | None = None
        self._frontier = -1.0
        self._probed = False
        self._events: VisualEvents | None = None
        self._error: FoleyError | None = None

    def run(self) -> None:
        """Decode the clip's source range once, streaming, feeding the visual analysis."""
        task = self.task
        try:
            # A cancelled job's remaining clips are never opened: each would start a decoder process
            # (about 50 ms), which once made cancelling a 200-clip job take 10 s.
            self.cancel.raise_if_cancelled()
            if task.duration_s <= 0:
                raise FoleyError(f"clip {task.name!r} has zero length; trim it to at least one frame")
            if task.media_path is None:
                raise MediaError(f"clip {task.name!r} has no media file reference; relink it to a video file")
            t0 = time.perf_counter()
            info = probe_video(task.media_path)
            expected = max(1, expected_frames(task.duration_s, info.frame_rate))
            with self._cond:
                self._analyzer = VisualAnalyzer(info.frame_rate, flow=self.flow)
                self._probed = True
                self._cond.notify_all()
            see_s, frames = 0.0, 0
            frames_in = decode_frames_elsewhere(
                task.media_path, task.media_start_s, task.duration_s, height=self.profile.analysis_height,
                frame_size=(info.width, info.height), fps=self.profile.sampling_fps)
            with closing(frames_in):  # stops the decoder child at once on cancel or error
                for t, frame in frames_in:
                    s0 = time.perf_counter()
                    with self._cond:
                        self._analyzer.feed(t, frame)
                        frames += 1
                        if frames % _PUBLISH_EVERY_FRAMES == 0:
                            self._frontier = t
                            self._cond.notify_all()
                    see_s += time.perf_counter() - s0
                    if frames % _PUBLISH_EVERY_FRAMES == 0:
                        if self.cancel.cancelled:
                            raise Cancelled("cancelled by the user")
                        self.on_progress(frames, expected)
            if frames == 0:
                raise MediaError(f"clip {task.name!r}: no video frames in its source range of {task.media_path}; "
                                 "check the clip's in/out points against the media length")
            if frames < expected - 1:
                self.warnings.append(f"clip {task.name!r}: media ends early ({frames} of {expected} frames); the rest is silent")
            s0 = time.perf_counter()
            with self._cond:
                self._events = self._analyzer.finish(task.duration_s)
                self._cond.notify_all()
            see_s += time.perf_counter() - s0
            self.seconds["decode"] = time.perf_counter() - t0 - see_s
            self.seconds["see"] = see_s
            self.on_progress(expected, expected)
        except FoleyError as exc:
            self._fail(exc)
        except Exception as exc:  # never leave a waiting generator hanging on a dead thread
            self._fail(FoleyError(f"clip {task.name!r}: analysis failed unexpectedly ({type(exc).__name__}: {exc}); "
                                  "please report this with the media file"))

    def _fail(self, error: FoleyError) -> None:
        with self._cond:
            self._error = error
            self._cond.notify_all()

    def _wait(self, ready: Callable[[], bool]) -> None:
        with self._cond:
            while not (self._error or ready()):
                if self.cancel.cancelled:
                    raise Cancelled("cancelled by the user")
                self._cond.wait(timeout=0.2)
            if self._error:
                raise self._error

    def wait_probed(self) -> None:
        """Return once the media is known to be usable video; raise its error otherwise."""
        self._wait(lambda: self._probed or self._events is not None)

    def events_until(self, t: float) -> VisualEvents:
        """Events that are final at least up to clip time `t` (blocks while decoding catches up)."""
        self._wait(lambda: self._events is not None or self._frontier >= t + FINAL_LAG_S)
        with self._cond:
            if self._events is not None:
                return self._events
            return self._analyzer.snapshot(self.task.duration_s, final_until_s=self._frontier - FINAL_LAG_S)

    def final_events(self) -> VisualEvents:
        """All events of the clip, once decoding has finished."""
        self._wait(lambda: self._events is not None)
        return self._events
