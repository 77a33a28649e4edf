"""The WAVs a job delivered, for a client on another machine: only that job's files, by plain name."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from ..dependencies import ExistingJob, StoreDep
from ..paths import safe_file_name
from ..refusals import Refused, shown

router = APIRouter(prefix="/v1/jobs", tags=["jobs"])


@router.get("/{job_id}/files/{name:path}")  # slashes reach safe_file_name and get its clear 400
def job_file(job: ExistingJob, name: str, store: StoreDep) -> FileResponse:
    """A WAV the job delivered; folders, `..`, hidden or NUL-containing names are 400."""
    name = safe_file_name(name)
    delivered = {Path(c["wav_path"]).name: Path(c["wav_path"]) for c in store.clips(job.id).values() if c["wav_path"]}
    for placement in (job.result or {}).get("placements", []):
        delivered.setdefault(Path(placement["path"]).name, Path(placement["path"]))
    path = delivered.get(name)
    if path is None:
        raise Refused(404, f"job {job.id} delivered no file named {shown(name)}; see its result's placements")
    if not path.is_file():
        raise Refused(410, f"{path} was delivered but is gone (moved or deleted in the output folder)")
    return FileResponse(path, media_type="audio/wav", filename=name)
