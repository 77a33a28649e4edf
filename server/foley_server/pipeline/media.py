"""Streaming video decode with PyAV: exactly a clip's source range, small and grey, one frame at a time."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import av
import numpy as np

from ..errors import MediaError


@dataclass(frozen=True)
class VideoInfo:
    """What the media file says about its first video stream."""

    path: str
    width: int
    height: int
    frame_rate: float
    frame_count_estimate: int
    duration_s: float
    start_time_s: float
    codec: str
    has_audio: bool


def _open(path: Path):
    if not Path(path).exists():
        raise MediaError(f"media not found: {path} — relink the clip or restore the file")
    try:
        return av.open(str(path))
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise MediaError(f"cannot read {path}: not a media file FFmpeg understands ({exc})") from None


def _video_stream(container, path: Path):
    if not container.streams.video:
        raise MediaError(f"{path} has no video stream; Foley needs picture to follow (use a video file)")
    return container.streams.video[0]


def _frame_rate(stream) -> float:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if not rate:
        raise MediaError("the video stream has no frame rate; re-export the media with a constant frame rate")
    return float(rate)


def probe_video(path: str | Path) -> VideoInfo:
    """Open the file once to check it is usable video; raises MediaError with a fix for the user."""
    path = Path(path)
    with _open(path) as container:
        stream = _video_stream(container, path)
        rate = _frame_rate(stream)
        tb = stream.time_base
        start = float(stream.start_time * tb) if stream.start_time is not None else 0.0
        if stream.duration is not None:
            duration = float(stream.duration * tb)
        elif container.duration is not None:
            duration = container.duration / av.time_base
        else:
            duration = 0.0
        return VideoInfo(
            path=str(path),
            width=stream.codec_context.width,
            height=stream.codec_context.height,
            frame_rate=rate,
            frame_count_estimate=stream.frames or int(round(duration * rate)),
            duration_s=duration,
            start_time_s=start,
            codec=stream.codec_context.name,
            has_audio=bool(container.streams.audio),
        )


def analysis_size(width: int, height: int, target_height: int) -> tuple[int, int]:
    """Scale to `target_height` (never up), keeping aspect, even dimensions for the scaler."""
    h = min(target_height, height)
    w = max(2, int(round(width * h / height / 2)) * 2)
    return w, max(2, h // 2 * 2)


def decode_frames(
    path: str | Path, start_s: float, duration_s: float, *, height: int, fps: float = 0, threads: bool | None = None
) -> Iterator[tuple[float, np.ndarray]]:
    """Yield (seconds from start_s, grey uint8 frame) for each frame in [start_s, start_s + duration_s).

    A frame belongs to the range when its start time is inside it, to half a frame, so a clip of
    N frames yields exactly N frames whatever rounding the container's time base introduces.
    """
    path = Path(path)
    with _open(path) as container:
        stream = _video_stream(container, path)
        rate = _frame_rate(stream)
        if threads is None:
            # Measured on 2 cores: frame threading made 1080p H.264 decode slower, not faster,
            # and it takes the core that generation runs on. Use it only where cores are plenty.
            threads = (os.cpu_count() or 1) > 4
        if threads:
            stream.thread_type = "AUTO"
        tb = float(stream.time_base)
        origin = float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0
        half = 0.5 / rate
        lo, hi = start_s - half, start_s + duration_s - half
        if start_s > 1.0:
            container.seek(int((origin + max(0.0, start_s - 1.0)) / tb), stream=stream, backward=True, any_frame=False)
        width, out_h = analysis_size(stream.codec_context.width, stream.codec_context.height, height)
        step = 1.0 / fps if fps and fps < rate else 0.0
        last_slot = -1
        t = start_s
        try:
            for frame in container.decode(stream):
                if frame.pts is None:
                    continue
                t = frame.pts * tb - origin
                if t < lo:
                    continue
                if t >= hi:
                    return
                if step:
                    # Keep the first frame that reaches each slot of the sampling grid.
                    slot = int((t - start_s + half) // step)
                    if slot == last_slot:
                        continue
                    last_slot = slot
                grey = frame.reformat(width=width, height=out_h, format="gray").to_ndarray()
                yield t - start_s, grey
        except av.FFmpegError as exc:
            raise MediaError(f"{path} is damaged near {t:.2f} s ({exc}); re-export or re-copy the media") from None


def expected_frames(duration_s: float, rate: float) -> int:
    """How many frames a range of `duration_s` holds at `rate`."""
    return max(0, int(math.floor(duration_s * rate + 0.5)))
