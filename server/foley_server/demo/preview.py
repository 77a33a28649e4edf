"""A preview video of the cut with the Foley mixed in, so a person can watch and listen."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import soundfile as sf

from foley_otio import source_clips
from foley_otio.ranges import timeline_rate

from ..pipeline.conform import Placement
from ..storage import atomic_path
from .footage import mux_audio

_AUDIO_RATE = 48_000


def _timeline_audio(placements: list[Placement], total_s: float) -> np.ndarray:
    mix = np.zeros((int(round(total_s * _AUDIO_RATE)) + 1, 2), dtype=np.float32)
    for p in placements:
        audio, rate = sf.read(p.path, dtype="float32", always_2d=True)
        start = int(round(p.record_start_s * _AUDIO_RATE))
        n = min(audio.shape[0], mix.shape[0] - start)
        mix[start : start + n] += audio[:n, :2]
    np.clip(mix, -1.0, 1.0, out=mix)
    return mix


def write_preview(timeline, placements: list[Placement], path: Path, size: tuple[int, int] = (640, 360)) -> Path:
    """Render picture (the selected clips at their record positions, black in gaps) plus the Foley mix."""
    rate = Fraction(timeline_rate(timeline)).limit_denominator(1001)
    clips = sorted(source_clips(timeline), key=lambda c: c.record_range.start_time.to_seconds())
    total_s = max((c.record_range.end_time_exclusive().to_seconds() for c in clips), default=0.0)
    n_frames = int(round(total_s * rate))
    with atomic_path(path) as tmp:
        with av.open(str(tmp), "w", format="mp4") as out:
            vs = out.add_stream("libx264", rate=rate)
            vs.width, vs.height, vs.pix_fmt = size[0], size[1], "yuv420p"
            vs.options = {"crf": "23", "preset": "veryfast"}
            aud = out.add_stream("aac", rate=_AUDIO_RATE, layout="stereo")
            black = np.zeros((size[1], size[0], 3), dtype=np.uint8)
            frame_index = 0
            for clip in clips:
                first = int(round(clip.record_range.start_time.to_seconds() * rate))
                while frame_index < first:
                    _encode(out, vs, black, frame_index)
                    frame_index += 1
                count = int(round(clip.duration_s * rate))
                for image in _clip_frames(clip, count, rate, size):
                    _encode(out, vs, image, frame_index)
                    frame_index += 1
            while frame_index < n_frames:
                _encode(out, vs, black, frame_index)
                frame_index += 1
            for packet in vs.encode():
                out.mux(packet)
            mux_audio(out, aud, _timeline_audio(placements, total_s))
    return path


def _encode(out, stream, image: np.ndarray, index: int) -> None:
    frame = av.VideoFrame.from_ndarray(image, format="rgb24")
    frame.pts = index
    for packet in stream.encode(frame):
        out.mux(packet)


def _clip_frames(clip, count: int, rate: Fraction, size: tuple[int, int]):
    """`count` RGB frames of the clip's visible range, each the latest media frame at or before its time."""
    eps = 0.25 / float(rate)
    produced = 0
    last = None

    def rgb(frame) -> np.ndarray:
        if frame is None:
            return np.zeros((size[1], size[0], 3), dtype=np.uint8)
        return frame.reformat(width=size[0], height=size[1], format="rgb24").to_ndarray()

    with av.open(clip.media_path) as container:
        stream = container.streams.video[0]
        origin = stream.start_time * stream.time_base if stream.start_time is not None else 0
        for frame in container.decode(stream):
            t = float(frame.pts * stream.time_base - origin) - clip.media_start_s
            while produced < count and t > produced / float(rate) + eps:
                yield rgb(last)
                produced += 1
            if produced >= count:
                return
            last = frame
    while produced < count:
        yield rgb(last)
        produced += 1
