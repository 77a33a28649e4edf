"""DaVinci Resolve's OTIO dialect: what its importer expects on tracks, clips and media references."""

from __future__ import annotations

from pathlib import PureWindowsPath

import opentimelineio as otio

KEY = "Resolve_OTIO"


def is_resolve_timeline(timeline: otio.schema.Timeline) -> bool:
    """Resolve marks the timelines it exports with `metadata.Resolve_OTIO`."""
    return KEY in timeline.metadata


def resolve_path(path: str) -> str:
    """Resolve wants a plain forward-slash path as target_url, not a file:// URL."""
    return PureWindowsPath(path).as_posix() if "\\" in path else path


def dress_track(track: otio.schema.Track) -> None:
    """Track metadata Resolve's importer reads for a stereo audio track."""
    track.metadata[KEY] = {"Locked": False, "Audio Type": "Stereo"}


def dress_clip(clip: otio.schema.Clip, wav_path: str, link_group: int | None = None) -> None:
    """Media under the DEFAULT_MEDIA key with a name, stereo channel mapping for the audio clip."""
    ref = clip.media_reference
    ref.target_url = resolve_path(wav_path)
    ref.name = clip.name
    clip.set_media_references({otio.schema.Clip.DEFAULT_MEDIA_KEY: ref}, otio.schema.Clip.DEFAULT_MEDIA_KEY)
    meta = {"Channels": [{"Source Channel ID": 0, "Source Track ID": 0}, {"Source Channel ID": 1, "Source Track ID": 0}]}
    if link_group is not None:
        meta["Link Group ID"] = link_group
    clip.metadata[KEY] = meta
