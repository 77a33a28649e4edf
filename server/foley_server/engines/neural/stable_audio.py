"""`stable-audio`: Stable Audio Open 1.0 through diffusers' StableAudioPipeline (44.1 kHz stereo, ≤ 47 s a call).

The pipeline always denoises its full 47 s latent and crops afterwards; we hand it latents of the
length a window or a one-shot needs (the DiT's rotary positions allow any length), which is most
of the speed-up on short windows.
"""

from __future__ import annotations

import math

from .diffusion import DiffusionEngine
from .weights import WeightsSpec


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
        # Noise from CPU generators: the same seed gives the same sound on any device.
        noise = torch.stack([torch.randn((channels, length), generator=torch.Generator("cpu").manual_seed(s))
                             for s in seeds])
        latents = noise.to(self.pipe._execution_device, dtype=hidden.dtype)
        return self.pipe(
            prompt_embeds=hidden, attention_mask=mask, negative_prompt_embeds=neg_hidden.contiguous(),
            negative_attention_mask=neg_mask.contiguous(), audio_start_in_s=0.0, audio_end_in_s=seconds,
            num_inference_steps=steps, guidance_scale=guidance, latents=latents, output_type="latent",
            callback=lambda step, timestep, latents: on_step(), callback_steps=1,
        ).audios

    def waveforms(self, latents):
        import torch

        with torch.no_grad():
            return self.pipe.vae.decode(latents).sample  # (batch, channels, samples); slicing per profile
