"""`--stems` with a model engine: stems from the mix's own windows vs each role generated again.

One clip with all three roles ("wooden knocks, light wind, cloth rustle") through run_job on a
resident tiny test model (the figure that carries over to a GPU is the model calls; seconds here are
CPU seconds of a tiny model). Prints, from one run, for the mix alone, stems in one pass (what the
runner does) and stems one role at a time (the runner before 2026-12-06, still the way for engines
without role parts): seconds of the warm job (the second of two), model calls, and each ratio to
the mix alone.
Run: .venv/bin/python bench/stems.py [--engine stable-audio] [--seconds 10] [--profile balanced]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

PROMPT = "wooden knocks, light wind, cloth rustle"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="stable-audio", choices=["stable-audio", "audioldm2"])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--profile", default="balanced")
    args = parser.parse_args()
    from neural_models import save_tiny

    from foley_server.config import get_profile
    from foley_server.engines.registry import create_engine
    from foley_server.pipeline.run import run_job
    from otio_fixtures import event_clip, otio_clip, timeline_with

    rate = Fraction(25)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        engine = create_engine(args.engine, save_tiny(args.engine, tmp / "weights"))
        engine.load("cpu", get_profile(args.profile))
        events = tuple(0.5 + i * (args.seconds - 1) / 7 for i in range(8))
        clip = event_clip(tmp, "Shot", rate, seconds=args.seconds + 1.0, visible_s=args.seconds, event_s=events)
        timeline = timeline_with([otio_clip(clip, metadata={"prompt": PROMPT})], rate)
        calls = []
        denoise = engine.denoise
        engine.denoise = lambda *a, **k: calls.append(1) or denoise(*a, **k)
        own_caps = engine.capabilities

        def job(name: str, stems: bool, role_parts: bool = True) -> tuple[float, int]:
            engine.capabilities = lambda: replace(own_caps(), role_parts=role_parts)
            seconds = []
            for run in range(2):  # the second finds the prompts encoded, as a resident server's job does
                calls.clear()
                t0 = time.perf_counter()
                outcome = run_job(timeline, tmp / name / str(run), engine=engine, profile=args.profile, stems=stems)
                seconds.append(time.perf_counter() - t0)
                assert not outcome.failed, outcome.failed[0].error
            return seconds[-1], len(calls)

        rows = {"mix alone": job("mix", False), "stems, one pass": job("one", True),
                "stems, role by role": job("roles", True, role_parts=False)}
    base_s, base_calls = rows["mix alone"]
    print(f"{args.engine} (tiny test model, CPU), {args.seconds:g} s clip, 8 events, prompt {PROMPT!r}, "
          f"profile {args.profile}; warm job (the second of two)")
    print(f"{'case':<22} {'seconds':>8} {'/ mix':>6} {'model calls':>12} {'/ mix':>6}")
    for name, (seconds, n) in rows.items():
        print(f"{name:<22} {seconds:>8.2f} {seconds / base_s:>6.2f} {n:>12d} {n / base_calls:>6.2f}")


if __name__ == "__main__":
    main()
