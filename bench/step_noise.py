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
    knock, negative = engine.encode_text("a knock"), engine.encode_text("")
    seeds = list(range(1, args.sounds + 1))

    def per_sound(scheduler) -> None:
        pipe.scheduler = scheduler
        engine.denoise([knock] * args.sounds, negative, 2.0, seeds, args.steps, 7.0, lambda: None)

    def one_tree() -> None:  # the pipeline's own way with a single generator: one tree for the whole batch
        pipe.scheduler = plain
        pipe(**_kwargs(engine, knock, negative, args, seeds))

    def best(run) -> float:
        run()  # warm-up
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            run()
            times.append(time.perf_counter() - t0)
        return min(times)

    step_noise = best(lambda: per_sound(seeded))
    trees = best(lambda: per_sound(plain))
    batch_tree = best(one_tree)
    print(f"tiny stable-audio, {args.sounds} sounds x {args.steps} steps in one call, best of {args.repeats}")
    print(f"StepNoise (per-sound generators)   {step_noise:.3f} s")
    print(f"Brownian tree per sound            {trees:.3f} s  ({trees / step_noise:.2f}x)")
    print(f"one Brownian tree for the batch    {batch_tree:.3f} s  ({batch_tree / step_noise:.2f}x)")


def _kwargs(engine, knock, negative, args, seeds) -> dict:
    """The engine's own call, but with one generator for the batch instead of one per sound."""
    import math

    import torch

    n = args.sounds
    hidden, mask = knock[0].expand(n, -1, -1), knock[1].expand(n, -1)
    neg_hidden = torch.where(negative[1].bool().unsqueeze(2), negative[0], 0.0).expand(n, -1, -1)
    length = math.ceil(2.0 * engine.rate / engine.hop)
    channels = engine.pipe.transformer.config.in_channels
    latents = torch.randn((n, channels, length), generator=torch.Generator("cpu").manual_seed(seeds[0]))
    return dict(prompt_embeds=hidden.contiguous(), attention_mask=mask.contiguous(),
                negative_prompt_embeds=neg_hidden.contiguous(), negative_attention_mask=negative[1].expand(n, -1).contiguous(),
                audio_start_in_s=0.0, audio_end_in_s=2.0, num_inference_steps=args.steps, guidance_scale=7.0,
                latents=latents, generator=torch.Generator("cpu").manual_seed(seeds[0]), output_type="latent")


if __name__ == "__main__":
    main()
