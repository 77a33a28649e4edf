"""Workspace > Scripts > Generate Foley / Regenerate Foley, from start to Foley on the timeline.

Runs synchronously (Resolve's menu scripts block until they return) and reports to the Console; on
Studio a dialog lets the user edit prompts first. Errors the user can act on are printed, never raised.
"""

import os
import random
import sys
from typing import Any, Callable, Dict, List, Optional

from foley_client import FoleyClient, FoleyClientError

from .apply import Placement, apply_in_place, check_foley_tracks_unlocked, is_foley_track
from .choose import ChosenClip, choose_clips
from .compat import current_project, export_format, export_timeline
from .dialog import Choices, FoleyDialog, ui_manager
from .errors import ExportFailed, FoleyResolveError, MediaOffline, NothingOpen
from .new_timeline import SUFFIX, check_name_free, import_result
from .prompts import ClipPrompt, read_prompt, write_prompt
from .settings import load_config, output_folder, safe_folder_name
from .timecode import nominal_rate, timecode


class Outcome:
    """What a run did, for the Console's last line and for tests that drive the menu script."""

    def __init__(self) -> None:
        self.rule: Optional[str] = None
        self.clips: List[ChosenClip] = []
        self.prompts: List[ClipPrompt] = []
        self.placements: List[Placement] = []
        self.job_id: Optional[str] = None
        self.result: Optional[dict] = None
        self.new_timeline: Any = None
        self.warnings: List[str] = []
        self.error: Optional[str] = None
        self.cancelled = False


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 2 ** 31 - 1)


def check_media(clips: List[ChosenClip], rate: int) -> None:
    """Every chosen clip's file must be where the Media Pool says, or the server could not see the picture."""
    for clip in clips:
        path = clip.item.GetMediaPoolItem().GetClipProperty("File Path") or ""
        if not path or not os.path.isfile(path):
            raise MediaOffline("the media of clip {!r} (V{} at {}) is offline{}; relink it in the Media Pool "
                               "(right-click > Relink Selected Clips) and run this again".format(
                                   clip.name, clip.video_track, timecode(clip.start, rate),
                                   " ({} is missing)".format(path) if path else ""))


def match_clips(listing: dict, clips: List[ChosenClip], shift: int, rate: int, export_path: str) -> Dict[str, str]:
    """{Resolve unique id: the server's clip id}, found by record frames, then video track and name.

    `shift` = Resolve's timeline start - the start the server read (an FCPXML export may lose the
    start timecode); listed frames plus `shift` are Resolve's frames.
    """
    ids = {}
    for clip in clips:
        same_place = [c for c in listing["clips"] if c["record_start_frame"] + shift == clip.start
                      and c["duration_frames"] == clip.end - clip.start]
        found = ([c for c in same_place if c["video_track"] == clip.video_track] or same_place)
        found = [c for c in found if c["name"] == clip.name] or found
        if len(found) != 1:
            raise ExportFailed("clip {!r} (V{} at {}, {} frames) is not in Resolve's export as the Foley server reads "
                               "it ({}); please report this with that file".format(
                                   clip.name, clip.video_track, timecode(clip.start, rate), clip.end - clip.start,
                                   export_path))
        ids[clip.unique_id] = found[0]["clip_id"]
    return ids


class Run:
    """One menu-script run against one timeline."""

    def __init__(self, resolve: Any, fusion: Any, bmd: Any, regenerate: bool, config: dict,
                 say: Callable[[str], None]) -> None:
        self.resolve, self.fusion, self.bmd, self.regenerate, self.config, self.say = (
            resolve, fusion, bmd, regenerate, config, say)
        self.title = "Regenerate Foley" if regenerate else "Generate Foley"
        self.outcome = Outcome()
        self.dialog: Optional[FoleyDialog] = None

    def start(self) -> None:
        project = current_project(self.resolve)
        timeline = project.GetCurrentTimeline()
        if timeline is None:
            raise NothingOpen("no timeline is open; open the timeline to add Foley to and run this again")
        self.project, self.timeline, self.media_pool = project, timeline, project.GetMediaPool()
        export_format(self.resolve)  # an unusable Resolve is told so before any question is asked
        self.rate = nominal_rate(project.GetSetting("timelineFrameRate"))
        self.client = FoleyClient.from_environment(fallback_url=self.config.get("server_url"))
        self.client.health()  # before anything changes: a server that is down leaves the timeline as it was
        rule, clips = choose_clips(timeline, self.config["foley_clip_color"])
        self.outcome.rule, self.outcome.clips = rule, clips
        self.say("{}: {} clip(s) chosen by {} on timeline {!r}:".format(self.title, len(clips), rule, timeline.GetName()))
        for clip in clips:
            self.say("  V{} {} {} ({} frames)".format(clip.video_track, timecode(clip.start, self.rate), clip.name,
                                                       clip.end - clip.start))
        check_media(clips, self.rate)
        if not self.config["new_timeline"]:
            check_foley_tracks_unlocked(timeline)
        prompts = [read_prompt(clip.item) for clip in clips]
        if self.regenerate:
            prompts = [p._replace(seed=new_seed()) for p in prompts]
        options = {"engine": self.config["engine"], "profile": self.config["profile"],
                   "output_dir": output_folder(self.config, project.GetName(), timeline.GetName()),
                   "new_timeline": bool(self.config["new_timeline"])}
        ui = ui_manager(self.resolve, self.fusion)
        if ui is None:
            self.generate_and_say(Choices(prompts, options["engine"], options["profile"], options["output_dir"],
                                          options["new_timeline"]))
            return
        engines = self.client.engines()
        self.dialog = dialog = FoleyDialog(ui, self.bmd, self.title, "{} clip(s) chosen by {}".format(len(clips), rule),
                             ["{} (V{} {})".format(c.name, c.video_track, timecode(c.start, self.rate)) for c in clips],
                             prompts, [e["name"] for e in engines["engines"]], engines["profiles"], options)
        if not dialog.run(self.generate_and_say, self.dialog_error):
            self.outcome.cancelled = self.outcome.error is None
            if self.outcome.cancelled:
                self.say("{}: cancelled; nothing was changed".format(self.title))

    def dialog_error(self, exc: Exception) -> Optional[str]:
        if isinstance(exc, (FoleyResolveError, FoleyClientError, ValueError)):
            self.outcome.error = str(exc)
            self.say("Foley Bridge: {}".format(exc))
            return str(exc)
        return None

    def write_prompts(self, prompts: List[ClipPrompt]) -> List[ClipPrompt]:
        """Save changed prompts and seeds in the clips' Foley markers (a clip without changes keeps its marker)."""
        saved = []
        for clip, before, after in zip(self.outcome.clips, [read_prompt(c.item) for c in self.outcome.clips], prompts):
            changed = (after.prompt, after.negative_prompt, after.seed) != (before.prompt, before.negative_prompt, before.seed)
            saved.append(write_prompt(clip.item, clip.name, after) if changed else after)
        return saved

    def generate_and_say(self, choices: Choices) -> str:
        summary = self.generate(choices)
        self.say(summary)
        return summary

    def generate(self, choices: Choices) -> str:
        """Export, submit, follow, apply; the summary line."""
        clips, timeline = self.outcome.clips, self.timeline
        name = timeline.GetName() + SUFFIX
        if choices.new_timeline:
            check_name_free(self.resolve, self.project, name)
        self.outcome.prompts = self.write_prompts(choices.prompts)
        os.makedirs(choices.output_dir, exist_ok=True)
        export = export_timeline(self.resolve, timeline, os.path.join(
            choices.output_dir, ".{}.export".format(safe_folder_name(timeline.GetName()))))
        try:
            listing = self.client.timeline_clips(export)
            shift = int(timeline.GetStartFrame()) - int(listing["start_frame"])
            ids = match_clips(listing, clips, shift, self.rate, export)
            job = self.client.submit(output_dir=choices.output_dir, timeline_path=export, engine=choices.engine,
                                     profile=choices.profile, clips=[
                                         {"clip_id": ids[c.unique_id], "prompt": p.prompt or None,
                                          "negative_prompt": p.negative_prompt or None, "seed": p.seed}
                                         for c, p in zip(clips, self.outcome.prompts)])
            self.outcome.job_id = job["job_id"]
            self.say("{}: job {} sent to {}".format(self.title, job["job_id"], self.client.base_url))
            result = self.client.follow(job["job_id"], Progress(self, ids).on_event)
            self.outcome.result = result
        finally:
            if os.path.exists(export):
                os.remove(export)
        for clip_id, heard in sorted((result.get("sounds") or {}).items()):  # what each clip's prompt became
            self.say("  {}: {}".format(heard.get("name") or clip_id, heard.get("sound") or ""))
        self.outcome.warnings = list(result.get("warnings") or [])
        for warning in self.outcome.warnings:
            self.say("  warning: {}".format(warning))
        by_id = {ids[c.unique_id]: c for c in clips}
        placements = [Placement(by_id[p["clip_id"]], p["path"], int(p["record_start_frame"]) + shift,
                                int(p["duration_frames"]))
                      for p in result["placements"] if p["clip_id"] in by_id and is_foley_track(p["track_name"])]
        self.outcome.placements = placements
        if choices.new_timeline:
            self.outcome.new_timeline = import_result(self.media_pool, result["timeline"], choices.output_dir, name,
                                                      placements)
            return "{}: new timeline {!r} with Foley for {} clip(s); {} untouched; WAVs in {}".format(
                self.title, name, len(placements), timeline.GetName(), choices.output_dir)
        plan = apply_in_place(self.resolve, self.media_pool, timeline, placements, self.rate)
        tracks = sorted({t for _, t in plan.tracks})
        return "{}: {} Foley item(s) on audio track(s) {}{}; WAVs in {}".format(
            self.title, len(placements), ", ".join("A{} {!r}".format(t, timeline.GetTrackName("audio", t)) for t in tracks),
            "" if len(placements) == len(clips) else " ({} clip(s) failed, see the warnings)".format(
                len(clips) - len(placements)), choices.output_dir)


class Progress:
    """Job events as one Console line per clip and stage step (and the dialog's progress column)."""

    def __init__(self, run: Run, ids: Dict[str, str]) -> None:
        self.run = run
        self.rows = {ids[clip.unique_id]: row for row, clip in enumerate(run.outcome.clips)}
        self.names = {ids[c.unique_id]: c.name for c in run.outcome.clips}
        self.shown: Dict[str, tuple] = {}

    def on_event(self, event: dict) -> None:
        kind, clip_id = event.get("type"), event.get("clip_id")
        if kind == "progress" and clip_id:
            step = (event.get("stage"), int(float(event.get("fraction") or 0) * 4))
            if self.shown.get(clip_id) != step:
                self.shown[clip_id] = step
                self.show(clip_id, "{} {}%".format(event.get("stage") or "", int(float(event.get("fraction") or 0) * 100)))
        elif kind == "clip_done":  # the Console also says what the clip heard; the dialog's column stays short
            self.show(clip_id, "done", "done: {}".format(event["sound"]) if event.get("sound") else None)
        elif kind == "clip_failed":
            self.show(clip_id, "failed: {}".format(event.get("message") or ""))
        elif kind in ("queued", "started") and not clip_id:
            self.run.say("  job {}".format(kind))
        elif kind == "state" and event.get("state") == "queued":
            self.run.say("  job queued")

    def show(self, clip_id: str, text: str, console: Optional[str] = None) -> None:
        self.run.say("  {}: {}".format(self.names.get(clip_id, clip_id), console or text))
        if self.run.dialog is not None and clip_id in self.rows:
            self.run.dialog.progress(self.rows[clip_id], text)


def generate_foley(resolve: Any, fusion: Any = None, bmd: Any = None, regenerate: bool = False,
                   config: Optional[dict] = None, say: Optional[Callable[[str], None]] = None) -> Outcome:
    """The whole round trip; returns what happened (errors are printed and kept in `outcome.error`)."""
    if say is None:
        def say(line: str) -> None:
            print(line)
            sys.stdout.flush()
    run = Run(resolve, fusion, bmd, regenerate, config or load_config(None), say)
    try:
        run.start()
    except (FoleyResolveError, FoleyClientError, ValueError) as exc:
        run.outcome.error = str(exc)
        say("Foley Bridge: {}".format(exc))
    return run.outcome


def external_resolve() -> Any:
    """Resolve from outside its Scripts menu (Studio only); None when that does not connect."""
    try:
        import DaVinciResolveScript  # the module Resolve installs for external scripting
        return DaVinciResolveScript.scriptapp("Resolve")
    except Exception:
        return None


def run_menu_script(script_globals: dict, regenerate: bool, lib_dir: Optional[str]) -> Outcome:
    """Entry point of the menu scripts: the globals Resolve gives them (resolve, fusion/fu, bmd)."""
    resolve = script_globals.get("resolve") or external_resolve()
    fusion = script_globals.get("fusion") or script_globals.get("fu")
    try:
        config = load_config(lib_dir)
    except ValueError as exc:
        outcome = Outcome()
        outcome.error = str(exc)
        print("Foley Bridge: {}".format(exc))
        return outcome
    return generate_foley(resolve, fusion, script_globals.get("bmd"), regenerate=regenerate, config=config)
