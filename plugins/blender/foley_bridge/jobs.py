"""Jobs in flight: networking in a worker thread, results handled on Blender's main thread by a timer."""

import json
import os
import urllib.parse

import bpy
import opentimelineio as otio

from .apply import RateMismatch, apply_result, record_heard
from .deps import BackgroundJob, FoleyClient, FoleyClientError, blender_vse, drain
from .vse_export import describe_scene, ensure_ids, selected_movie_strips

#: scene name -> the job running for it
ACTIVE: dict[str, BackgroundJob] = {}
_server_info: dict = {}
DRAIN_INTERVAL_S = 0.2


def client() -> FoleyClient:
    prefs = bpy.context.preferences.addons[__package__].preferences
    return FoleyClient(prefs.server_url, prefs.token or None, timeout=5.0)


def check_online_access() -> None:
    """A server on this machine needs no online access; one elsewhere does (Blender's rule for extensions)."""
    host = urllib.parse.urlparse(client().base_url).hostname or ""
    if host in ("127.0.0.1", "localhost", "::1"):
        return
    if not getattr(bpy.app, "online_access", True):
        raise FoleyClientError(f"the Foley server {host} is on another machine and Blender's online access is off: "
                               "allow it in Preferences > System > Network")


def refresh_server_info() -> dict:
    """Version, device and the engine/profile lists for the panel (kept until the next refresh)."""
    check_online_access()
    c = client()
    health, engines = c.health(), c.engines()
    _server_info.clear()
    _server_info.update(version=health["version"], workers=health.get("workers", {}),
                        engines=[e["name"] for e in engines["engines"]], profiles=engines["profiles"])
    return dict(_server_info)


def engine_names() -> list[str]:
    return _server_info.get("engines", [])


def profile_names() -> list[str]:
    return _server_info.get("profiles", [])


def start_job(scene, *, new_seed: bool = False) -> BackgroundJob:
    """Export the sequencer, submit the selected movie strips with their prompts, follow in a thread."""
    settings = scene.foley
    if scene.name in ACTIVE and ACTIVE[scene.name].running:
        raise FoleyClientError("a Foley job is already running for this scene; cancel it or wait")
    check_online_access()
    strips = selected_movie_strips(scene)
    if not strips:
        raise FoleyClientError("select one or more movie strips first")
    ensure_ids(strips)
    description = describe_scene(scene)
    chosen = {s.foley_id for s in strips}
    problems = blender_vse.media_rate_mismatches(
        blender_vse.VseScene(description.name, description.fps, description.fps_base, description.frame_start,
                             tuple(s for s in description.strips if s.strip_id in chosen)))
    if problems:
        raise FoleyClientError(problems[0])
    if new_seed:
        settings.seed += 1
    output_dir = bpy.path.abspath(settings.output_dir)
    os.makedirs(output_dir, exist_ok=True)
    clips = [{"clip_id": s.foley_id, "prompt": s.foley_prompt or None,
              "negative_prompt": s.foley_negative_prompt or None} for s in strips]
    timeline = blender_vse.timeline_from_vse(description)
    job = BackgroundJob(client(), {
        "output_dir": os.path.abspath(output_dir), "clips": clips,
        "timeline": json.loads(otio.adapters.write_to_string(timeline, "otio_json")),
        "engine": settings.engine or "procedural", "profile": settings.profile or "balanced", "seed": settings.seed,
    }).start()
    ACTIVE[scene.name] = job
    settings.running, settings.progress, settings.last_error = True, 0.0, ""
    workspace = getattr(bpy.context, "workspace", None)
    if workspace is not None:
        workspace.status_text_set(None)  # clear an earlier error
    settings.status = f"submitting {len(clips)} strip(s)"
    if not bpy.app.timers.is_registered(drain_jobs):
        bpy.app.timers.register(drain_jobs, first_interval=DRAIN_INTERVAL_S)
    return job


def cancel_job(scene) -> None:
    job = ACTIVE.get(scene.name)
    if job is not None:
        job.cancel()
        scene.foley.status = "cancelling"


def drain_jobs():
    """Timer on the main thread: apply what the job threads reported; keeps running while jobs do."""
    for scene_name, job in list(ACTIVE.items()):
        scene = bpy.data.scenes.get(scene_name)
        for kind, payload in drain(job.messages):
            if scene is not None:
                _handle(scene, kind, payload)
        if not job.running and job.messages.empty():
            ACTIVE.pop(scene_name, None)
    return DRAIN_INTERVAL_S if ACTIVE else None


def _handle(scene, kind: str, payload) -> None:
    settings = scene.foley
    if kind == "submitted":
        settings.job_id, settings.status = payload, "queued"
    elif kind == "progress":
        if payload.get("type") == "progress":
            settings.progress = float(payload.get("fraction") or 0.0)
            settings.status = f"{payload.get('stage', '')} {payload.get('done', 0)}/{payload.get('total', 0)}"
        elif payload.get("type") == "clip_done" and payload.get("sound"):  # what the clip heard, as it finishes
            settings.status = "clip done: " + payload["sound"] + (f" ({len(payload['warnings'])} warning(s))"
                                                                 if payload.get("warnings") else "")
        elif payload.get("type") in ("started", "clip_done", "clip_failed", "queued"):
            settings.status = payload["type"].replace("_", " ") + (f": {payload['message']}" if payload.get("message") else "")
    elif kind == "done":
        try:
            made = apply_result(scene, payload)
        except RateMismatch as exc:
            _error(settings, str(exc))
            return
        record_heard(scene, payload.get("sounds", {}))
        warnings = payload.get("warnings", [])
        settings.running, settings.progress = False, 1.0
        settings.status = f"placed {len(made)} Foley strip(s)" + (f"; {len(warnings)} warning(s)" if warnings else "")
        settings.last_error = "; ".join(warnings)
    elif kind == "cancelled":
        settings.running, settings.status = False, "cancelled"
    elif kind == "error":
        _error(settings, payload)


def _error(settings, message: str) -> None:
    settings.running, settings.status, settings.last_error = False, "failed", message
    print(f"Foley Bridge: {message}")
    workspace = getattr(bpy.context, "workspace", None)
    if workspace is not None:  # the status bar too, where there is a window to show it
        workspace.status_text_set(f"Foley Bridge: {message}")
