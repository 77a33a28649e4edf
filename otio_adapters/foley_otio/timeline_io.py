"""Reading and writing timelines in every format OTIO speaks, with errors a user can act on."""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import nullcontext
from pathlib import Path

import opentimelineio as otio
from opentimelineio.adapters.file_bundle_utils import NotAFileOnDisk

from .errors import FoleyOtioError, TimelineReadError
from .fcpxml_compat import exact_fcpxml_reader
from .ranges import timeline_rate

# suffix -> OTIO adapter name; the non-built-in ones come from the otio-*-adapter packages.
ADAPTERS = {
    ".otio": "otio_json",
    ".otioz": "otioz",
    ".otiod": "otiod",
    ".fcpxml": "fcpx_xml",
    ".xml": "fcp_xml",
    ".edl": "cmx_3600",
}

_KINDS = {
    "otio_json": "OTIO JSON",
    "otioz": "OTIOZ bundle",
    "otiod": "OTIOD folder",
    "fcpx_xml": "FCPXML",
    "fcp_xml": "FCP 7 XML",
    "cmx_3600": "CMX 3600 EDL",
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
    if adapter == "otioz":
        return _read_otioz(path)
    kwargs: dict = {"rate": rate} if adapter == "cmx_3600" else {}
    try:
        with exact_fcpxml_reader() if adapter == "fcpx_xml" else nullcontext():
            result = otio.adapters.read_from_file(str(path), adapter_name=adapter, **kwargs)
    except Exception as exc:  # adapters raise anything from JSON, XML and zip parsers
        raise TimelineReadError(f"{path} is not a valid {_KINDS[adapter]} timeline: {exc}") from None
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
    raise TimelineReadError(f"{path} holds no timeline (found {type(result).__name__}); export a timeline from your editor")


def write_timeline(timeline: otio.schema.Timeline, path: str | Path, *, format_suffix: str | None = None) -> Path:
    """Write atomically in the format the suffix names (or `format_suffix`, for temp names).

    A crash or a failing adapter leaves the old file or the new one, never half a file.
    """
    path = Path(path)
    suffix = format_suffix or path.suffix
    adapter = _adapter_for(Path("x" + suffix))
    # A name that does not exist yet: the otioz/otiod adapters refuse to overwrite.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp{suffix}")
    try:
        if adapter in ("otioz", "otiod"):
            otio.adapters.write_to_file(timeline, str(tmp), adapter_name=adapter)
        else:
            tmp.write_text(_serialize(timeline, adapter), encoding="utf-8")
        if tmp.is_file():
            _fsync(tmp)
        _replace(tmp, path)
    except NotAFileOnDisk as exc:
        _remove(tmp)
        raise FoleyOtioError(
            f"cannot write timeline {path}: an {_KINDS[adapter]} must hold its media, and {exc} is not a file here; "
            "write .otio instead, which refers to media where it is"
        ) from None
    except OSError as exc:
        _remove(tmp)
        raise FoleyOtioError(
            f"cannot write timeline {path}: {exc.strerror or exc}; check that the folder exists and is writable, "
            "or choose another output path"
        ) from None
    except Exception as exc:  # adapters refuse what their format cannot express
        _remove(tmp)
        raise FoleyOtioError(f"cannot write timeline {path} as {_KINDS[adapter]}: {exc}; write .otio instead") from None
    _fsync_dir(path.parent)
    return path


def _serialize(timeline: otio.schema.Timeline, adapter: str) -> str:
    text = otio.adapters.write_to_string(timeline, adapter)
    if adapter == "fcpx_xml" and 'frameDuration=""' in text:
        # otio-fcpx-xml-adapter 1.0 has no exact 23.976/29.97/59.94 entry: FCP could not open the file.
        raise ValueError(f"the FCPXML writer cannot express {timeline_rate(timeline):.3f} fps")
    return text


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable; some platforms cannot open folders, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _replace(tmp: Path, path: Path) -> None:
    """os.replace, also for an .otiod folder over an existing one (which os.replace refuses)."""
    if tmp.is_dir() and path.is_dir():
        old = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.old")
        os.replace(path, old)
        try:
            os.replace(tmp, path)
        except OSError:
            os.replace(old, path)
            raise
        shutil.rmtree(old, ignore_errors=True)
        return
    os.replace(tmp, path)


def _remove(tmp: Path) -> None:
    if tmp.is_dir():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.unlink(missing_ok=True)
