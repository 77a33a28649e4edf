"""stable-audio's step noise: per-sound generators (StepNoise) vs the scheduler's Brownian trees.

Times one batched denoising call of the tiny test model (3 sounds, 25 steps), where a call costs its
per-step overhead rather than its FLOPs, as short calls do on a GPU. Prints, from one run:
  - seconds with StepNoise (what the engine does)
  - seconds with one Brownian tree per sound (what per-sound seeds cost without StepNoise)
  - seconds with one Brownian tree for the batch (the pipeline's own way: not reproducible per sound)
and the ratios of the last two to the first. Best of --repeats each.
Run: .venv/bin/python bench/step_noise.py [--sounds 3] [--steps 25] [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from diffusers import CosineDPMSolverMultistepScheduler
    from neural_models import save_tiny

    from foley_server.config import get_profile
    from foley_server.engines.registry import create_engine

    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine("stable-audio", save_tiny("stable-audio", Path(tmp) / "w"))
        engine.load("cpu", get_profile("balanced"))
    pipe = engine.pipe
    seeded = pipe.scheduler
    plain = CosineDPMSolverMultistepScheduler.from_config(seeded.config)

    class OneTree(CosineDPMSolverMultistepScheduler):
        """The pipeline's own way with a single generator: one Brownian tree for the whole batch."""

        def step(self, model_output, timestep, sample, generator=None, return_dict: bool = True):
            return super().step(model_output, timestep, sample, generator=generator[0], return_dict=return_dict)

    one_tree = OneTree.from_config(seeded.config)
    knock, negative = engine.encode_text("a knock"), engine.encode_text("")
    seeds = list(range(1, args.sounds + 1))

    def call(scheduler) -> None:  # the engine's own call: per-sound generators, whatever the scheduler does with them
        pipe.scheduler = scheduler
        engine.denoise([knock] * args.sounds, negative, 2.0, seeds, args.steps, 7.0, lambda: None)

    def best(run) -> float:
        run()  # warm-up
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        return min(times)

    step_noise = best(lambda: call(seeded))
    trees = best(lambda: call(plain))
    batch_tree = best(lambda: call(one_tree))
    print(f"tiny stable-audio, {args.sounds} sounds x {args.steps} steps in one call, best of {args.repeats}")
    print(f"StepNoise (per-sound generators)   {step_noise:.3f} s")
    print(f"Brownian tree per sound            {trees:.3f} s  ({trees / step_noise:.2f}x)")
    print(f"one Brownian tree for the batch    {batch_tree:.3f} s  ({batch_tree / step_noise:.2f}x)")


if __name__ == "__main__":
    main()
