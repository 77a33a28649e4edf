"""`audioldm2`: AudioLDM 2 through diffusers' AudioLDM2Pipeline (16 kHz mono, 10.24 s windows; resampled to 48 kHz)."""

from __future__ import annotations

import numpy as np

from .diffusion import DiffusionEngine
from .weights import WeightsSpec


class AudioLdm2Engine(DiffusionEngine):
    name = "audioldm2"
    weights_spec = WeightsSpec("audioldm2", "cvssp/audioldm2", "FOLEY_WEIGHTS_AUDIOLDM2", gated=False,
                               licence="CC BY-NC-SA 4.0")
    default_rate = 16_000
    default_max_s = 10.24
    channels = 1

    def pipeline_class(self):
        from diffusers import AudioLDM2Pipeline

        return AudioLDM2Pipeline

    @property
    def rate(self) -> int:
        return int(self.pipe.vocoder.config.sampling_rate)

    def max_window_s(self) -> float:
        """The length the UNet was trained on: sample_size × VAE scale × the vocoder's hop (10.24 s)."""
        vocoder = self.pipe.vocoder.config
        return self.pipe.unet.config.sample_size * self.pipe.vae_scale_factor * float(np.prod(vocoder.upsample_rates)) / self.rate

    def set_scheduler(self, kind: str) -> None:
        """"fast": DPM-Solver++ (good at 8-25 steps) instead of the model's DDIM; "default" restores it."""
        from diffusers import DPMSolverMultistepScheduler

        if not hasattr(self, "_own_scheduler"):
            self._own_scheduler = self.pipe.scheduler
        self.pipe.scheduler = (DPMSolverMultistepScheduler.from_config(self._own_scheduler.config) if kind == "fast"
                               else self._own_scheduler)

    def unload(self) -> None:
        self.__dict__.pop("_own_scheduler", None)
        super().unload()

    def encode_text(self, text: str) -> tuple:
        """T5 states, their mask and the GPT-2 generated states of one prompt (no guidance pairing here)."""
        import torch

        with torch.no_grad():
            hidden, mask, generated = self.pipe.encode_prompt([text], self.pipe._execution_device, 1, False)
        return hidden, mask, generated

    def denoise(self, embeds: list[tuple], negative: tuple, seconds: float, seeds: list[int], steps: int,
                guidance: float, on_step) -> object:
        import torch

        n = len(embeds)
        # CPU generators, as stable-audio's: the same seed gives the same sound on any device (diffusers
        # draws the latents on the CPU and moves them; its schedulers here add no noise after that).
        generators = [torch.Generator("cpu").manual_seed(s) for s in seeds]
        # T5 pads each prompt to its own length: pad every one (and the negative) to the longest, masked out.
        length = max(e[0].shape[1] for e in [*embeds, negative])
        hidden = torch.cat([_pad(e[0], length) for e in embeds])
        mask = torch.cat([_pad(e[1], length) for e in embeds])
        return self.pipe(
            prompt_embeds=hidden, attention_mask=mask, generated_prompt_embeds=torch.cat([e[2] for e in embeds]),
            negative_prompt_embeds=_pad(negative[0], length).expand(n, -1, -1).contiguous(),
            negative_attention_mask=_pad(negative[1], length).expand(n, -1).contiguous(),
            negative_generated_prompt_embeds=negative[2].expand(n, -1, -1).contiguous(),
            audio_length_in_s=seconds, num_inference_steps=steps, guidance_scale=guidance, generator=generators,
            output_type="latent", callback=lambda step, timestep, latents: on_step(), callback_steps=1,
        ).audios

    def waveforms(self, latents):
        import torch

        with torch.no_grad():
            mel = self.pipe.vae.decode(latents / self.pipe.vae.config.scaling_factor).sample
            # The vocoder's own output (batch, samples), as a tensor on the pipeline's device.
            return self.pipe.vocoder(mel.squeeze(1) if mel.dim() == 4 else mel).unsqueeze(1)


def _pad(tensor, length: int):
    """Zeros after the last token up to `length` along the token axis (states and masks alike)."""
    import torch

    missing = length - tensor.shape[1]
    if missing <= 0:
        return tensor
    shape = list(tensor.shape)
    shape[1] = missing
    return torch.cat([tensor, tensor.new_zeros(shape)], dim=1)
