"""Exact timing for FCPXML read through otio-fcpx-xml-adapter 1.0, whose reader loses sync.

The adapter truncates frame rates to integers (23.976 fps becomes 23: a 4 % drift, over a
minute at one hour) and truncates frame counts with int(). It also keeps the sequence's start
timecode (tcStart) as a leading gap instead of global_start_time. While `exact_fcpxml_reader()`
is active, its time helpers compute with exact fractions and projects get a global start.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction

import opentimelineio as otio

_LOCK = threading.Lock()


def _seconds(value: str | None) -> Fraction:
    """FCPXML time ("3601001/1000s", "5s", "0s") as exact seconds."""
    if not value:
        return Fraction(0)
    return Fraction(value.strip().rstrip("s"))


def _fps(frame_duration: str) -> Fraction:
    """Frames per second from a format's frameDuration ("1001/24000s" -> 24000/1001)."""
    return 1 / _seconds(frame_duration)


def _as_fps(fps: float | int | Fraction) -> Fraction:
    # Rates reach the adapter's helpers as floats; NTSC denominators are 1001.
    return Fraction(fps).limit_denominator(1001)


def _to_rational_time(rational_number: str | None, fps) -> otio.opentime.RationalTime:
    fps = _as_fps(fps)
    return otio.opentime.RationalTime(round(_seconds(rational_number) * fps), float(fps))


def _format_frame_rate(self, format_id) -> float:
    return float(_fps(self._format_by_id(format_id).get("frameDuration")))


def _number_of_frames(self, time_value, format_id) -> int:
    return round(_seconds(time_value) * _fps(self._format_by_id(format_id).get("frameDuration")))


def _with_global_start(original):
    """Wrap `_from_project`: tcStart becomes global_start_time, trimmed off every track's leading gap."""

    def from_project(self, project_element):
        timeline = original(self, project_element)
        sequence = project_element.find("./sequence")
        if sequence is None or not sequence.get("tcStart") or not sequence.get("format"):
            return timeline
        rate = _fps(self._format_by_id(sequence.get("format")).get("frameDuration"))
        start = otio.opentime.RationalTime(round(_seconds(sequence.get("tcStart")) * rate), float(rate))
        tracks = [t for t in timeline.tracks if isinstance(t, otio.schema.Track) and len(t)]
        leading_gaps = [t[0] for t in tracks if isinstance(t[0], otio.schema.Gap)]
        if start.value <= 0 or len(leading_gaps) != len(tracks):
            return timeline
        if any(g.trimmed_range().duration < start for g in leading_gaps):
            return timeline  # offsets are not relative to tcStart here: leave the timeline as read
        for track, gap in zip(tracks, leading_gaps):
            rest = gap.trimmed_range().duration - start
            if rest.value > 0:
                track[0] = otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=rest.rescaled_to(start.rate)))
            else:
                del track[0]
        timeline.global_start_time = start
        return timeline

    return from_project


@contextmanager
def exact_fcpxml_reader() -> Iterator[None]:
    """Swap the adapter's lossy time helpers for exact ones for the duration of one read."""
    try:
        # The module OTIO's plugin loader runs, not `otio_fcpx_xml_adapter.fcpx_xml`: a separate copy.
        module = otio.adapters.from_name("fcpx_xml").module()
    except Exception:  # the adapter is missing: the read itself reports that
        yield
        return
    cls = module.FcpxXml
    with _LOCK:
        saved = (module.to_rational_time, cls._format_frame_rate, cls._number_of_frames, cls._from_project)
        module.to_rational_time = _to_rational_time
        cls._format_frame_rate = _format_frame_rate
        cls._number_of_frames = _number_of_frames
        cls._from_project = _with_global_start(saved[3])
        try:
            yield
        finally:
            module.to_rational_time, cls._format_frame_rate, cls._number_of_frames, cls._from_project = saved
