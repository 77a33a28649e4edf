"""Streaming video decode with PyAV: exactly a clip's source range, small and grey, one frame at a time."""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from ..errors import MediaError

# Seek this far before the range, then decode forward: B-frames put a keyframe's decode time ahead of
# its picture time, and the demuxer seeks on decode times. If the first picture still comes too late
# (open GOPs, odd indexes) the seek is retried further back, and finally from the start.
SEEK_MARGIN_S = 1.0
# Box-average downscaling: averages compression noise away and does not alias texture during camera
# motion; with one scaler reused for every frame it is as fast as bilinear (a new scaler per frame,
# what `VideoFrame.reformat` does, costs more than the decode at 1080p).
SCALER = "AREA"


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


def _open(path: str | Path):
    path = Path(path)
    if not path.exists():
        raise MediaError(f"media not found: {path} — relink the clip or restore the file")
    if path.is_dir():
        raise MediaError(f"cannot read {path}: it is a folder, not a media file — relink the clip to its video file")
    if not path.is_file():  # a FIFO or a device would block the worker in FFmpeg's open forever
        raise MediaError(f"cannot read {path}: it is not a regular file (a pipe or a device) — relink the clip to its video file")
    try:
        return av.open(str(path))
    except PermissionError:
        raise MediaError(f"cannot read {path}: permission denied — give the server read access to the file") from None
    except (av.FFmpegError, OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise MediaError(f"cannot read {path}: not a media file FFmpeg understands ({reason}); "
                         "re-export or re-copy the media") from None


def _video_stream(container, path: str | Path):
    if not container.streams.video:
        raise MediaError(f"{path} has no video stream; Foley needs picture to follow (use a video file)")
    return container.streams.video[0]


def _frame_rate(stream) -> float:
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    if not rate:
        raise MediaError("the video stream has no frame rate; re-export the media with a constant frame rate")
    return float(rate)


def _origin_s(stream) -> float:
    """Media time of the stream's first picture: pipeline times count from there."""
    return float(stream.start_time * stream.time_base) if stream.start_time is not None else 0.0


def probe_video(path: str | Path) -> VideoInfo:
    """Open the file once to check it is usable video; raises MediaError with a fix for the user."""
    path = Path(path)
    with _open(path) as container:
        stream = _video_stream(container, path)
        rate = _frame_rate(stream)
        if stream.duration is not None:
            duration = float(stream.duration * stream.time_base)
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
            start_time_s=_origin_s(stream),
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

    Times are media times with the stream's first picture at 0. A frame belongs to the range when
    its time is inside it to half a frame, so a range of N frames yields exactly N frames whatever
    rounding the container's time base introduces. `fps` > 0 (below the media rate) keeps only the
    frame nearest each point of a grid at that rate, starting at `start_s` (all frames are still
    decoded). `threads`: codec frame threading; None decides by the machine (on with more than 4
    cores: on 2 cores it made 1080p H.264 slower and takes the core generation runs on).
    Only one frame is held at a time; damaged data raises MediaError saying where.
    """
    path = Path(path)
    with _open(path) as container:
        stream = _video_stream(container, path)
        rate = _frame_rate(stream)
        if threads is None:
            threads = (os.cpu_count() or 1) > 4
        if threads:
            stream.thread_type = "AUTO"
        else:
            # FFmpeg's default slice threads would take the core analysis and generation run on.
            stream.codec_context.thread_count = 1
        tb = float(stream.time_base)
        origin = _origin_s(stream)
        half = 0.5 / rate
        lo, hi = start_s - half, start_s + duration_s - half
        # Sampling grid: a frame is kept when a grid point lies within half a media frame of it,
        # i.e. it is the frame nearest that point (one frame per grid point for any rate below the
        # media's). Positions are counted in grid periods.
        grid = float(fps) if fps and fps < rate else 0.0
        grid_half = grid * half
        scaler = VideoReformatter()
        size: tuple[int, int] | None = None
        t = start_s
        try:
            for frame in _frames_from(path, container, stream, lo, origin, tb):
                pts = frame.pts
                if pts is None:
                    continue
                t = pts * tb - origin
                if t < lo:
                    continue
                if t >= hi:
                    return
                if grid:
                    g = (t - start_s) * grid
                    if math.floor(g + grid_half - 1e-9) == math.floor(g - grid_half - 1e-9):
                        continue
                if size is None:
                    size = analysis_size(frame.width, frame.height, height)
                small = scaler.reformat(frame, width=size[0], height=size[1], format="gray",
                                        interpolation=SCALER, threads=1)
                yield t - start_s, small.to_ndarray()
        except av.FFmpegError as exc:
            raise MediaError(f"{path} is damaged near {t:.2f} s ({exc}); re-export or re-copy the media") from None


def _frames_from(path: Path, container, stream, lo: float, origin: float, tb: float) -> Iterator:
    """Decoded frames of `stream` from a point at or before media time `lo` (seeking when far in).

    Seeks land on a keyframe before the asked time in indexed files (MP4, MOV, MKV); in streams
    without an index (MPEG-TS) they can land after it, so the first picture is checked and the seek
    retried further back, and at last the file is read again from its beginning.
    """
    margin = SEEK_MARGIN_S
    seeked = False
    while lo - margin > 0:
        container.seek(int((origin + lo - margin) / tb), stream=stream, backward=True, any_frame=False)
        seeked = True
        frames = container.decode(stream)
        for first in frames:
            if first.pts is not None:
                break
        else:
            return  # nothing to decode after that point
        if first.pts * tb - origin <= lo:
            yield first
            yield from frames
            return
        margin *= 4  # the first picture came after the range's start: seek further back
    if not seeked:
        yield from container.decode(stream)
        return
    with _open(path) as again:
        fresh = again.streams.video[0]
        fresh.thread_type = stream.thread_type
        yield from again.decode(fresh)


def expected_frames(duration_s: float, rate: float) -> int:
    """How many frames a range of `duration_s` holds at `rate`."""
    return max(0, int(math.floor(duration_s * rate + 0.5)))
