"""OTIO logic shared by the Foley server and the editor plugins: selection, ranges, Foley tracks."""

from .errors import ClipNotFoundError, FoleyOtioError, TimelineReadError, UnsupportedClipError
from .foley_track import FoleyItem, place_foley_track, remove_foley
from .identity import clip_id
from .ranges import check_no_retime, global_start, media_start_s, record_frames, record_range, timeline_rate, to_frames
from .resolve_dialect import is_resolve_timeline
from .selection import SourceClip, clip_prompt, select_clips, source_clips
from .timeline_io import read_timeline, write_timeline

__all__ = [
    "ClipNotFoundError", "FoleyItem", "FoleyOtioError", "SourceClip", "TimelineReadError", "UnsupportedClipError",
    "check_no_retime", "clip_id", "clip_prompt", "global_start", "is_resolve_timeline", "media_start_s",
    "place_foley_track", "read_timeline", "record_frames", "record_range", "remove_foley", "select_clips", "source_clips",
    "timeline_rate", "to_frames", "write_timeline",
]
