"""`stable-audio`: Stable Audio Open 1.0 through diffusers' StableAudioPipeline (44.1 kHz stereo, ≤ 47 s a call).

The pipeline always denoises its full 47 s latent and crops afterwards; we hand it latents of the
length a window or a one-shot needs (the DiT's rotary positions allow any length), which is most
of the speed-up on short windows.
"""

from __future__ import annotations

import math
from functools import cache

from .diffusion import DiffusionEngine
from .weights import WeightsSpec


class StepNoise:
    """Fresh N(0, 1) noise per denoising step from each sound's own generator.

    What the scheduler's Brownian tree gives a one-pass sampler (disjoint steps, independent noise),
    at one draw per sound and step instead of a tree search per step: that search cost ~2 ms of
    Python per sound and step (tiny model, CPU; measured). Per-sound generators make a sound
    independent of the call and batch it is generated in, and the same on any device.
    """

    def __init__(self, generators: list, like) -> None:
        self.generators, self.shape, self.device, self.dtype = generators, tuple(like.shape[1:]), like.device, like.dtype

    def __call__(self, sigma, sigma_next):
        import torch

        noise = torch.stack([torch.randn(self.shape, generator=g) for g in self.generators])
        return noise.to(self.device, self.dtype)


@cache
def seeded_scheduler_class():
    """Open 1.0's cosine DPM++ SDE scheduler, drawing its step noise from the call's per-sound generators."""
    from diffusers import CosineDPMSolverMultistepScheduler

    class SeededCosineDPMSolverMultistepScheduler(CosineDPMSolverMultistepScheduler):
        def step(self, model_output, timestep, sample, generator=None, return_dict: bool = True):
            if self.noise_sampler is None and isinstance(generator, list):  # reset by set_timesteps every call
                self.noise_sampler = StepNoise(generator, model_output)
            return super().step(model_output, timestep, sample, generator=generator, return_dict=return_dict)

    return SeededCosineDPMSolverMultistepScheduler


class StableAudioEngine(DiffusionEngine):
    name = "stable-audio"
    weights_spec = WeightsSpec("stable-audio", "stabilityai/stable-audio-open-1.0", "FOLEY_WEIGHTS_STABLE_AUDIO",
                               gated=True, licence="the Stability AI Community License")
    default_rate = 44_100
    default_max_s = 47.0
    channels = 2
    required_modules = ("torch", "diffusers", "transformers", "torchsde")  # its cosine DPM scheduler needs torchsde

    def pipeline_class(self):
        from diffusers import StableAudioPipeline

        return StableAudioPipeline

    @property
    def rate(self) -> int:
        return int(self.pipe.vae.config.sampling_rate)

    @property
    def hop(self) -> int:
        return int(self.pipe.vae.hop_length)

    def set_scheduler(self, kind: str) -> None:
        """The model's own scheduler in every profile (a multistep solver already), its step noise seeded per sound."""
        from diffusers import CosineDPMSolverMultistepScheduler

        seeded = seeded_scheduler_class()
        scheduler = self.pipe.scheduler
        if isinstance(scheduler, CosineDPMSolverMultistepScheduler) and not isinstance(scheduler, seeded):
            self.pipe.scheduler = seeded.from_config(scheduler.config)

    def max_window_s(self) -> float:
        """The transformer's sample_size in latents × the VAE hop, in seconds (47.55 s for Open 1.0)."""
        return self.pipe.transformer.config.sample_size * self.hop / self.rate

    def encode_text(self, text: str) -> tuple:
        """T5 hidden states and attention mask; the projection runs inside the pipeline call."""
        import torch

        tokenizer = self.pipe.tokenizer
        tokens = tokenizer([text], padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                           return_tensors="pt")
        device = self.pipe._execution_device
        ids, mask = tokens.input_ids.to(device), tokens.attention_mask.to(device)
        with torch.no_grad():
            hidden = self.pipe.text_encoder(ids, attention_mask=mask)[0]
        return hidden, mask

    def denoise(self, embeds: list[tuple], negative: tuple, seconds: float, seeds: list[int], steps: int,
                guidance: float, on_step) -> object:
        import torch

        hidden = torch.cat([e[0] for e in embeds])
        mask = torch.cat([e[1] for e in embeds])
        # An unconditional embedding is zero where the negative prompt has no tokens (what the pipeline does).
        neg_hidden = torch.where(negative[1].bool().unsqueeze(2), negative[0], 0.0).expand(len(embeds), -1, -1)
        neg_mask = negative[1].expand(len(embeds), -1)
        length = math.ceil(seconds * self.rate / self.hop)
        channels = self.pipe.transformer.config.in_channels
        # Noise from CPU generators: the same seed gives the same sound on any device. The generators also
        # give the scheduler its step noise (StepNoise; without them it draws a fresh seed per call), so
        # a sound does not depend on the call or the batch it was generated in.
        generators = [torch.Generator("cpu").manual_seed(s) for s in seeds]
        noise = torch.stack([torch.randn((channels, length), generator=g) for g in generators])
        latents = noise.to(self.pipe._execution_device, dtype=hidden.dtype)
        return self.pipe(
            prompt_embeds=hidden, attention_mask=mask, negative_prompt_embeds=neg_hidden.contiguous(),
            negative_attention_mask=neg_mask.contiguous(), audio_start_in_s=0.0, audio_end_in_s=seconds,
            num_inference_steps=steps, guidance_scale=guidance, latents=latents, generator=generators,
            output_type="latent",
            callback=lambda step, timestep, latents: on_step(), callback_steps=1,
        ).audios

    def waveforms(self, latents):
        import torch

        with torch.no_grad():
            return self.pipe.vae.decode(latents).sample  # (batch, channels, samples); slicing per profile
