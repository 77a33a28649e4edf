"""Reading and writing timelines in every format OTIO speaks, with errors a user can act on."""

from __future__ import annotations

import shutil
from pathlib import Path

import opentimelineio as otio

from .errors import FoleyOtioError, TimelineReadError

# suffix -> OTIO adapter name; the non-built-in ones come from the otio-*-adapter packages.
ADAPTERS = {
    ".otio": "otio_json",
    ".otioz": "otioz",
    ".otiod": "otiod",
    ".fcpxml": "fcpx_xml",
    ".xml": "fcp_xml",
    ".edl": "cmx_3600",
}


def _adapter_for(path: Path) -> str:
    try:
        return ADAPTERS[path.suffix.lower()]
    except KeyError:
        raise TimelineReadError(
            f"{path}: unsupported timeline type {path.suffix or '(no suffix)'!r}; "
            f"use one of {', '.join(sorted(ADAPTERS))} (export OTIO, FCPXML or EDL from your editor)"
        ) from None


def read_timeline(path: str | Path, *, rate: float = 24.0) -> otio.schema.Timeline:
    """Read a timeline; `rate` is used only for EDL, which does not record one."""
    path = Path(path)
    adapter = _adapter_for(path)
    if not path.exists():
        raise TimelineReadError(f"timeline not found: {path}")
    kwargs: dict = {}
    if adapter == "cmx_3600":
        kwargs["rate"] = rate
    if adapter == "otioz":
        return _read_otioz(path)
    try:
        result = otio.adapters.read_from_file(str(path), adapter_name=adapter, **kwargs)
    except Exception as exc:  # adapters raise anything from JSON, XML and zip parsers
        kind = {"otio_json": "OTIO JSON", "fcpx_xml": "FCPXML", "fcp_xml": "FCP 7 XML", "cmx_3600": "CMX 3600 EDL"}.get(adapter, adapter)
        raise TimelineReadError(f"{path} is not a valid {kind} timeline: {exc}") from None
    return _single_timeline(result, path)


def _read_otioz(path: Path) -> otio.schema.Timeline:
    """Unpack the bundle beside itself once (decoding needs real files), then read its timeline."""
    folder = path.with_name(path.name + ".media")
    content = folder / "content.otio"
    if not content.exists() or content.stat().st_mtime < path.stat().st_mtime:
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir()
        try:
            otio.adapters.read_from_file(str(path), adapter_name="otioz", extract_to_directory=str(folder))
        except Exception as exc:
            shutil.rmtree(folder, ignore_errors=True)
            raise TimelineReadError(f"{path} is not a valid OTIOZ bundle: {exc}") from None
    timeline = read_timeline(content)
    for clip in timeline.find_clips():
        ref = clip.media_reference
        url = getattr(ref, "target_url", None)
        if url and "://" not in url and not Path(url).is_absolute():
            ref.target_url = otio.url_utils.url_from_filepath(str((folder / url).resolve()))
    return timeline


def _single_timeline(result, path: Path) -> otio.schema.Timeline:
    if isinstance(result, otio.schema.Timeline):
        return result
    if isinstance(result, otio.schema.SerializableCollection):
        timelines = list(result.find_children(descended_from_type=otio.schema.Timeline))
        if len(timelines) == 1:
            return timelines[0]
        raise TimelineReadError(f"{path} holds {len(timelines)} timelines; export the one you want on its own")
    raise TimelineReadError(f"{path} holds a {type(result).__name__}, not a timeline")


def write_timeline(timeline: otio.schema.Timeline, path: str | Path, *, format_suffix: str | None = None) -> Path:
    """Write in the format the suffix names (or `format_suffix`, for temp names); callers wanting
    crash safety write to a temp path and rename."""
    path = Path(path)
    adapter = _adapter_for(Path("x" + (format_suffix or path.suffix)))
    try:
        if adapter == "otio_json":
            path.write_text(otio.adapters.write_to_string(timeline, "otio_json"), encoding="utf-8")
        else:
            otio.adapters.write_to_file(timeline, str(path), adapter_name=adapter)
    except OSError as exc:
        raise FoleyOtioError(f"cannot write timeline {path}: {exc.strerror or exc}; choose another output path") from None
    return path
