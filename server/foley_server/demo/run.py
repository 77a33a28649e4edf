"""`foley demo`: a short synthetic cut with visible events, run through the whole pipeline."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from foley_otio.timeline_io import write_timeline

from ..generate import generate, report
from ..terminal import ProgressBars
from .footage import write_bouncing_ball, write_door, write_walker
from .preview import write_preview

RATE = 24.0
SIZE = (640, 360)

# (name, footage writer, seconds of media, in point (frames), visible frames, how the prompt is given)
_SHOTS = (
    ("Ball", write_bouncing_ball, 6.0, 12, 96, ("metadata", "rubber ball bouncing on a wooden floor, quiet room")),
    ("Door", write_door, 5.0, 6, 84, ("marker", "heavy wooden door slam, room tone")),
    ("Walker", write_walker, 6.0, 24, 96, ("cli", "boots on gravel, light wind")),
)


def make_demo_cut(folder: Path) -> tuple[Path, dict[str, str]]:
    """Footage plus an OTIO cut at 24 fps starting 01:00:00:00 with in points and a gap."""
    media = folder / "media"
    media.mkdir(parents=True, exist_ok=True)
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    cli_prompts: dict[str, str] = {}
    for index, (name, writer, seconds, in_frame, visible, (how, prompt)) in enumerate(_SHOTS):
        path = media / f"{name.lower()}.mp4"
        events = writer(path, RATE, seconds, SIZE)
        if index == 1:
            track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(12, RATE))))
        clip = otio.schema.Clip(
            name=name,
            media_reference=otio.schema.ExternalReference(
                target_url=otio.url_utils.url_from_filepath(str(path.resolve())),
                available_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(round(seconds * RATE), RATE)),
            ),
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(in_frame, RATE), otio.opentime.RationalTime(visible, RATE)),
        )
        clip.metadata["demo"] = {"event_frames": [f - in_frame for f in events if in_frame <= f < in_frame + visible]}
        if how == "metadata":
            clip.metadata["foley"] = {"prompt": prompt}
        elif how == "marker":
            clip.markers.append(
                otio.schema.Marker(name="Foley", marked_range=otio.opentime.TimeRange(otio.opentime.RationalTime(in_frame, RATE)),
                                   metadata={}, comment=prompt)
            )
        else:
            cli_prompts[name] = prompt
        track.append(clip)
    timeline = otio.schema.Timeline(name="Foley Bridge demo", global_start_time=otio.opentime.RationalTime(86400, RATE))
    timeline.tracks.append(track)
    cut = folder / "demo_cut.otio"
    write_timeline(timeline, cut)
    return cut, cli_prompts


def demo_command(folder: Path, quiet: bool = False, pack: bool = False) -> int:
    folder = Path(folder)
    print(f"making a synthetic cut in {folder}/ ...")
    cut, prompts = make_demo_cut(folder)
    output = folder / "demo_with_foley.otio"
    bars = ProgressBars(enabled=not quiet)
    try:
        outcome = generate(cut, output, prompts=prompts, progress=bars)
    finally:
        bars.close()
    code = report(outcome, output)
    if outcome.placements:
        preview = write_preview(outcome.timeline, outcome.placements, folder / "demo_preview.mp4")
        print(f"preview with Foley: {preview}")
        print(f"waveform pictures:  {', '.join(str(c.wav_path.with_suffix('.png')) for c in outcome.clips if c.ok)}")
    if pack:
        from .pack import write_pack

        wavs = write_pack(folder / "pack")
        print(f"listening pack: {len(wavs)} sounds (every model, and variants) in {folder / 'pack'}/ (WAV + spectrogram PNG each)")
    return code
