"""stable-audio: a naive StableAudioPipeline call vs our profiles, on a 10-second 1080p clip with 8 visual events.

On a CUDA machine: Open 1.0-shaped random weights (same shapes and dtype as the real ones, so a step
costs the same). Prints, from one run:
  - speed-up = naive seconds / balanced seconds at equal steps (target >= 2.5)
  - memory   = balanced peak / naive peak (target <= 0.50)
  - the four profiles against each other (seconds, peak memory)
  - peak memory of a 5-minute clip / a 30-second clip (balanced; target <= 1.05)
Without a GPU it says so and runs the same cases on the tiny test models (shorter clips: the tiny
model's window is 3 s), which checks the script, not the targets. `--full --steps 4` runs the
Open 1.0-shaped model on the CPU instead: a proxy (fp32 everywhere, few steps) that shows where the
time and memory go, not the GPU targets.
Each case runs in its own process so peaks never mix, twice: the warm (second) run is the figure, as a
server with the model resident sees it; the cold one is printed beside it. A failed case is reported
and the rest still run.
Run: .venv/bin/python bench/gpu_engines.py [--device cuda:0] [--full] [--steps N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

PROMPT = "wooden knocks, light wind"

_CASE = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, {tests!r})
from foley_server.engines.memory import peak_memory_bytes, reset_peak_memory
case, device, weights, timeline, out, steps, seconds, runs = sys.argv[1:9]
if int(steps):  # every profile at these steps (the profiles' own otherwise)
    from dataclasses import replace
    from foley_server import config
    config.PROFILES.update({{name: replace(p, steps=int(steps)) for name, p in config.PROFILES.items()}})
times, stages = [], {{}}
if case == "naive":
    import torch
    from diffusers import StableAudioPipeline
    pipe = StableAudioPipeline.from_pretrained(weights, torch_dtype=torch.float32, local_files_only=True).to(device)
    pipe.set_progress_bar_config(disable=True)
    reset_peak_memory(device)
    for run in range(int(runs)):
        t0 = time.perf_counter()
        pipe({prompt!r}, audio_end_in_s=float(seconds), num_inference_steps=int(steps) or 25)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
else:
    from foley_server.config import get_profile
    from foley_server.engines.registry import create_engine
    from foley_otio.timeline_io import read_timeline
    from foley_server.pipeline.run import run_job
    engine = create_engine("stable-audio", Path(weights))
    engine.load(device, get_profile(case))
    reset_peak_memory(device)
    for run in range(int(runs)):  # the second job finds the model resident and its prompts encoded, as a server's
        t0 = time.perf_counter()
        outcome = run_job(read_timeline(timeline), Path(out) / str(run), engine=engine, profile=case)
        assert not outcome.failed, outcome.failed[0].error
        times.append(time.perf_counter() - t0)
        stages = {{k: round(v, 2) for k, v in outcome.clips[0].seconds.items()}}
print(json.dumps({{"seconds": times[-1], "cold_seconds": times[0], "peak_bytes": peak_memory_bytes(device),
                  "stages": stages}}))
"""


def _clip(folder: Path, seconds: float, events: int, size: tuple[int, int]) -> Path:
    """A clip with `events` visual events spread over it, on a one-clip OTIO timeline with the prompt."""
    import opentimelineio as otio

    from foley_otio.timeline_io import write_timeline
    from foley_server.demo.footage import write_event_video

    rate = Fraction(25)
    frames = int(seconds * rate)
    media = folder / f"clip_{int(seconds)}s_{size[1]}p.mp4"
    marks = [int((i + 0.5) * frames / events) for i in range(events)]
    write_event_video(media, fps=rate, n_frames=frames, event_frames=marks, size=size)
    clip = otio.schema.Clip(name="Bench", media_reference=otio.schema.ExternalReference(
        target_url=otio.url_utils.url_from_filepath(str(media))),
        source_range=otio.opentime.TimeRange(duration=otio.opentime.RationalTime(frames, 25)))
    clip.metadata["foley"] = {"prompt": PROMPT}
    track = otio.schema.Track(kind=otio.schema.TrackKind.Video)
    track.append(clip)
    timeline = otio.schema.Timeline(name="bench")
    timeline.tracks.append(track)
    path = folder / f"clip_{int(seconds)}s.otio"
    write_timeline(timeline, path)
    return path


def _run(case: str, device: str, weights: Path, timeline: Path, out: Path, steps: int, seconds: float,
         runs: int = 2) -> dict:
    """One case in a fresh process, `runs` times (figures: the last run; peak: all); {"error": ...} if it fails.

    `steps` 0 keeps each profile's own. A failed case is reported and the others still run: a lent
    GPU's minutes are too few to lose every figure to one case.
    """
    code = _CASE.format(tests=str(ROOT / "tests"), prompt=PROMPT)
    done = subprocess.run([sys.executable, "-c", code, case, device, str(weights), str(timeline), str(out), str(steps),
                           str(seconds), str(runs)], capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": done.stderr[-3000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None, help="cuda:N (default: cuda:0 when present, else cpu)")
    parser.add_argument("--full", action="store_true", help="Open 1.0-shaped weights even on the CPU")
    parser.add_argument("--steps", type=int, default=0, help="every case at N steps (default: each profile's own)")
    parser.add_argument("--long", type=float, default=None, help="seconds of the long clip (default 300 on a GPU)")
    args = parser.parse_args()
    import torch
    from neural_models import save_full_stable_audio, save_tiny

    from foley_server.config import PROFILES, get_profile

    device = args.device or ("cuda:0" if torch.cuda.is_available() else "cpu")
    full = args.full or device.startswith("cuda")
    if device.startswith("cuda"):
        print(f"GPU: {torch.cuda.get_device_name(device)}; Open 1.0-shaped random weights")
        clip_s, long_s, short_s, size = 10.0, 300.0, 30.0, (1920, 1080)
    elif full:
        print("CPU proxy: Open 1.0-shaped random weights in fp32 on the CPU (where time and memory go; not the GPU targets)")
        clip_s, long_s, short_s, size = 10.0, 120.0, 30.0, (1920, 1080)
    else:
        print("No CUDA GPU here: running the tiny test models on the CPU (checks the script; not the targets)")
        clip_s, long_s, short_s, size = 2.5, 60.0, 6.0, (1920, 1080)
    long_s = args.long or long_s
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        started = time.perf_counter()
        weights = save_full_stable_audio(tmp / "weights") if full else save_tiny("stable-audio", tmp / "weights")
        print(f"weights built and saved in {time.perf_counter() - started:.0f} s", flush=True)
        clip = _clip(tmp, clip_s, 8, size)
        steps = args.steps or get_profile("balanced").steps
        rows = {"naive": _run("naive", device, weights, clip, tmp / "naive", steps, clip_s)}
        print(f"naive: {rows['naive']}", flush=True)
        for name in PROFILES:
            rows[name] = _run(name, device, weights, clip, tmp / name, args.steps, clip_s)
            print(f"{name}: {rows[name]}", flush=True)
        print(f"\n{clip_s:g}-second {size[1]}p clip, 8 visual events, prompt {PROMPT!r}; naive at {steps} steps, "
              f"profiles at {f'{args.steps} steps' if args.steps else 'their own steps'}; each case twice in one "
              "process: warm = the second run (model resident), cold = the first")
        print(f"{'case':<12} {'warm s':>8} {'cold s':>8} {'peak MB':>9}  stages of the warm job (s; encode, denoise, vae: the engine's)")
        for name, row in rows.items():
            if "error" in row:
                print(f"{name:<12} failed: {_last_line(row['error'])}")
                continue
            stages = " ".join(f"{k}={v:g}" for k, v in row["stages"].items())
            print(f"{name:<12} {row['seconds']:>8.2f} {row['cold_seconds']:>8.2f} {row['peak_bytes'] / 2**20:>9.0f}  {stages}")
        naive, balanced = rows["naive"], rows["balanced"]
        if "error" not in naive and "error" not in balanced:
            print(f"speed-up naive/balanced at {steps} steps each: {naive['seconds'] / balanced['seconds']:.2f}x warm, "
                  f"{naive['cold_seconds'] / balanced['cold_seconds']:.2f}x cold (target >= 2.5)")
            print(f"peak memory balanced/naive: {balanced['peak_bytes'] / naive['peak_bytes']:.2f} (target <= 0.50)")
        short = _run("balanced", device, weights, _clip(tmp, short_s, 8, (640, 360)), tmp / "short", args.steps, short_s, 1)
        long = _run("balanced", device, weights, _clip(tmp, long_s, 8, (640, 360)), tmp / "long", args.steps, long_s, 1)
        if "error" in short or "error" in long:
            print(f"long/short clip failed: {_last_line(short.get('error') or long['error'])}")
            raise SystemExit(1)
        print(f"peak memory {long_s:g} s clip / {short_s:g} s clip: {long['peak_bytes'] / short['peak_bytes']:.3f} "
              f"(target <= 1.05); seconds {long['seconds']:.1f} / {short['seconds']:.1f}")
        if any("error" in row for row in rows.values()):
            raise SystemExit(1)


def _last_line(text: str) -> str:
    """A failed case's last line of stderr: usually the exception that ended it."""
    lines = text.strip().splitlines()
    return lines[-1] if lines else "(no output: killed?)"


if __name__ == "__main__":
    main()
