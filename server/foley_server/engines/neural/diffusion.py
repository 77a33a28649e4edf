"""What the diffusers engines share: loading, profiles, picture sync by composition, batched calls.

Per clip, the event layer's one-shots are generated once, in batched calls (N takes per distinct
sound), trimmed to their attacks and placed on the visual onsets with level from onset strength;
beds and movement are generated per render window (never longer than the model's maximum) and
crossfaded by the renderer. Cost grows with the number of distinct sounds and the bed's length,
not with the number of events. Subclasses say how to encode text and run one batched call.
"""

from __future__ import annotations

import importlib.util
import math
import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from pathlib import Path

import numpy as np

from ...config import OUTPUT_SAMPLE_RATE as DELIVERY_RATE
from ...config import Profile
from ..base import (
    Audio,
    CancelToken,
    ClipRequest,
    EngineCaps,
    EngineError,
    EngineOutOfMemory,
    EngineUnavailable,
    Layer,
    Progress,
    SoundSpec,
    VisualEvents,
)
from ..placement import place_events
from ..seeds import stable_seed
from . import oneshots, prompting, weights
from .clip_state import BatchReport, ClipState, StepTracker
from .runtime import (
    InjectedOom,
    can_offload,
    device_resampler,
    free_device_memory,
    is_out_of_memory,
    quiet_loading,
    share_cpu,
    torch_dtype,
)

ONESHOT_S = 2.0  # generated per one-shot take; trimmed to its attack and tail afterwards
ROLE_GAIN = {"events": 0.5, "movement": 0.12, "ambience": 0.1}  # before mastering, as the procedural engine
EMBEDDING_CACHE = 256  # prompts whose text-encoder outputs are kept (a job repeats its bed prompts every window)


class DiffusionEngine(ABC):
    """A text-to-audio diffusers pipeline made picture-synced; subclasses bind one model family."""

    name = ""
    weights_spec: weights.WeightsSpec
    default_rate = 44_100
    default_max_s = 10.0
    channels = 2
    required_modules = ("torch", "diffusers", "transformers")

    def __init__(self, weights: Path | None = None) -> None:
        self.weights = Path(weights) if weights is not None else None
        self.pipe = None
        self.device = "cpu"
        self._resample = None  # torchaudio's resample on a GPU, else None (the renderer resamples on the host)
        self.profile: Profile | None = None
        self.batch = 1
        self._embeddings: OrderedDict[str, tuple] = OrderedDict()
        self._clips: OrderedDict[tuple, ClipState] = OrderedDict()

    # -- what the engine is -------------------------------------------------------------------------

    def capabilities(self) -> EngineCaps:
        rate, max_s = (self.output_rate, self.max_window_s()) if self.pipe is not None else (self.default_rate, self.default_max_s)
        return EngineCaps(needs_weights=True, devices=("cuda", "cpu"), max_chunk_s=max_s, sample_rate=rate,
                          channels=self.channels, max_batch=self.batch if self.pipe is not None else 16,
                          role_parts=True)

    def models(self) -> dict[str, str]:
        return {
            "events": "one-shots generated per distinct sound (N takes in one batch), placed on visual onsets",
            "movement": "a generated texture that follows the picture's motion envelope",
            "ambience": f"a generated bed, in windows of at most the model's length ({self.default_max_s:g} s)",
        }

    def interpret(self, prompt: str | None, negative_prompt: str | None = None,
                  events: VisualEvents | None = None) -> SoundSpec:
        return prompting.interpret(self.name, prompt, negative_prompt, events)

    def ready(self) -> None:
        """EngineUnavailable naming the missing extra or weights files, with what to do."""
        self._weights_folder()

    def _weights_folder(self) -> Path:
        """The folder to load from, once the extra is known to be installed (else EngineUnavailable)."""
        missing = [m for m in self.required_modules if importlib.util.find_spec(m) is None]
        if missing:
            raise EngineUnavailable(
                f"{self.name} needs the neural extra ({', '.join(missing)} not installed): "
                "pip install 'foley-bridge[neural]' after installing torch (CUDA machines: 'foley-bridge[gpu]')")
        return weights.locate(self.weights_spec, self.weights)

    def weights_report(self) -> list[str]:
        return weights.report(self.weights_spec, self.weights)

    # -- lifetime ------------------------------------------------------------------------------------

    def load(self, device: str, profile: Profile) -> None:
        """Load from the local folder only (never the network), resident until unload()."""
        folder = self._weights_folder()
        self.device = device
        self.dtype = torch_dtype(profile.precision, device)
        share_cpu(device)
        quiet_loading()
        try:
            self.pipe = self.pipeline_class().from_pretrained(str(folder), torch_dtype=self.dtype, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise EngineUnavailable(f"{self.name}: the weights in {folder} could not be loaded ({exc}); "
                                    "download them again") from None
        self.pipe.set_progress_bar_config(disable=True)
        self._resample = device_resampler(device)
        self.profile = None
        self._apply_profile(profile)

    def unload(self) -> None:
        self.pipe = None
        self._embeddings.clear()
        self._clips.clear()
        free_device_memory(self.device)

    def _apply_profile(self, profile: Profile) -> None:
        """Precision, VAE slicing/tiling, offload and scheduler of a profile (again after an OOM drop)."""
        import torch

        dtype = torch_dtype(profile.precision, self.device)
        if dtype != self.dtype:
            self.pipe.to(dtype=dtype)
            self.dtype = dtype
            self._embeddings.clear()  # cached encodings are in the old dtype
        vae = self.pipe.vae
        vae.enable_slicing() if profile.vae_slicing else vae.disable_slicing()
        vae.enable_tiling() if profile.vae_tiling else vae.disable_tiling()
        if profile.cpu_offload and can_offload(self.device):
            self.pipe.enable_model_cpu_offload(device=torch.device(self.device))
        else:
            # Hooks of an earlier low-memory profile (an OOM fallback) would keep moving every sub-model
            # between host and GPU on each call of the resident engine's later jobs; .to() leaves them.
            self.pipe.remove_all_hooks()
            self.pipe.to(self.device)
        self.set_scheduler(profile.scheduler)
        self.batch = max(1, profile.batch)
        self.profile = profile

    # -- model specifics (subclasses) -------------------------------------------------------------------

    @abstractmethod
    def pipeline_class(self):
        """The diffusers pipeline class this engine loads."""

    @property
    @abstractmethod
    def rate(self) -> int:
        """The model's own sample rate."""

    @abstractmethod
    def max_window_s(self) -> float:
        """The longest audio one call may generate, from the model's config."""

    def set_scheduler(self, kind: str) -> None:  # noqa: B027 - optional hook: the model's own scheduler is the default
        """"default" keeps the model's own; subclasses may offer "fast"."""

    @abstractmethod
    def encode_text(self, text: str) -> tuple:
        """Text-encoder outputs for one prompt, batch dimension 1 (cached by the caller)."""

    @abstractmethod
    def denoise(self, embeds: list[tuple], negative: tuple, seconds: float, seeds: list[int], steps: int,
                guidance: float, on_step) -> object:
        """One batched diffusion run; returns latents."""

    @abstractmethod
    def waveforms(self, latents):
        """Latents → a tensor (batch, channels, samples) at the model's `rate`, on its device."""

    def decode(self, latents, seconds: float) -> np.ndarray:
        """Latents → float32 audio (batch, samples, channels) at `output_rate`, cut or padded to `seconds`.

        On a GPU with torchaudio, resampled to 48 kHz on the device (the renderer then resamples nothing).
        """
        audio = self.waveforms(latents).float()
        if self.output_rate != self.rate:
            audio = self._resample(audio, self.rate, self.output_rate)
        samples = int(round(seconds * self.output_rate))
        audio = audio[:, :, :samples].cpu().numpy().transpose(0, 2, 1)
        if audio.shape[1] < samples:
            audio = np.pad(audio, ((0, 0), (0, samples - audio.shape[1]), (0, 0)))
        return np.ascontiguousarray(audio, dtype=np.float32)

    @property
    def output_rate(self) -> int:
        """48 kHz when resampling on the GPU (torchaudio imports), else the model's own rate."""
        return DELIVERY_RATE if self._resample is not None else self.rate

    # -- generation ----------------------------------------------------------------------------------------

    def prepare(self, req: ClipRequest, progress: Progress, cancel: CancelToken) -> None:
        """Run the window's model calls, which need no picture: the clip's one-shot takes, the window's beds.

        The renderer calls this before it waits for the window's events, so generation overlaps the
        decoding and analysis of the picture; generate() then only places and mixes.
        """
        if self.pipe is None:
            raise EngineError(f"{self.name} is not loaded; call load() first")
        if req.profile != self.profile:
            self._apply_profile(req.profile)  # the renderer dropped a profile level after an OOM
        events, beds = self._layers(req)
        clip = self._clip_state(req)
        n = self._window_frames(req)
        tracker = StepTracker(clip, progress, cancel, req.profile.steps)
        tracker.plan(self._calls_left(req, clip, len(events), len(beds)))
        try:
            if events and clip.banks is None:
                texts, seeds = oneshots.take_prompts(events, req)
                takes = self._generate_batched(texts, req.spec.negative_prompt, ONESHOT_S, seeds, tracker,
                                               clip.report, req)
                clip.banks = oneshots.banks_from_takes(events, takes, self.output_rate)
            if beds and n > 0 and req.window_index not in clip.bed_takes:
                texts = [layer.params["text"] for layer in beds]
                seeds = [stable_seed(req.seed, text, "bed", req.window_index) for text in texts]
                takes = self._generate_batched(texts, req.spec.negative_prompt, n / self.output_rate, seeds, tracker,
                                               clip.report, req)
                clip.bed_takes[req.window_index] = [take[:n] for take in takes]
        except EngineOutOfMemory:
            clip.report.warnings.clear()  # carried by the error; the retry at a lower profile starts afresh
            raise

    def generate(self, req: ClipRequest, progress: Progress, cancel: CancelToken) -> Audio:
        self.prepare(req, progress, cancel)  # nothing left to do when the renderer prepared the window
        rate = self.output_rate
        start = int(round(req.window_start_s * rate))
        n = self._window_frames(req)
        out = np.zeros((max(0, n), 2), dtype=np.float32)  # one-shots: the same in every window that sees them
        events, beds = self._layers(req)
        clip = self._clip_state(req)
        report, clip.report = clip.report, BatchReport()
        # beds: generated afresh per window (the renderer joins them at equal power), summed per role
        role_beds = {layer.role: np.zeros_like(out) for layer in beds}
        for layer, take in zip(beds, clip.bed_takes.pop(req.window_index, [])):
            self._mix_bed(role_beds[layer.role], layer, take, req.events, start, rate)
        for index, _layer in events:
            gain = ROLE_GAIN["events"] / math.sqrt(len(events))
            place_events(out, clip.banks[index], req.events.onset_times_s, req.events.onset_strengths, start,
                         req.seed, f"{self.name}-{index}", gain, rate)
        if req.window_index == req.window_count - 1:
            self._clips.pop(self._clip_key(req), None)
        # Each role's share too (the renderer joins the mix and the stems in place: every buffer its own).
        parts = {role: Audio(np.zeros_like(out), rate, fresh=bed.copy()) for role, bed in role_beds.items()}
        if events:
            parts["events"] = Audio(out.copy(), rate)
        fresh = sum(role_beds.values()) if role_beds else None
        return Audio(out, rate, report.seconds, tuple(report.warnings), fresh=fresh, parts=parts)

    @staticmethod
    def _layers(req: ClipRequest) -> tuple[list[tuple[int, Layer]], list[Layer]]:
        """(index, layer) of the event layers, and the bed layers (ambience, movement)."""
        events = [(i, layer) for i, layer in enumerate(req.spec.layers) if layer.role == "events"]
        return events, [layer for layer in req.spec.layers if layer.role != "events"]

    def _window_frames(self, req: ClipRequest) -> int:
        rate = self.output_rate
        return int(round(req.window_end_s * rate)) - int(round(req.window_start_s * rate))

    def _clip_key(self, req: ClipRequest) -> tuple:
        return (req.clip_id, req.seed, repr(req.spec.layers), req.spec.negative_prompt, req.window_count)

    def _clip_state(self, req: ClipRequest) -> ClipState:
        key = self._clip_key(req)
        if key not in self._clips:
            self._clips[key] = ClipState()
            while len(self._clips) > 16:  # clips abandoned mid-way (cancelled) do not pile up
                self._clips.popitem(last=False)
        return self._clips[key]

    def _calls_left(self, req: ClipRequest, clip: ClipState, n_events: int, n_beds: int) -> int:
        """Batched model calls still to come for this clip, this window included (progress = steps × calls)."""
        take_calls = math.ceil(n_events * req.profile.variants / self.batch) if n_events and clip.banks is None else 0
        windows = req.window_count - req.window_index - (req.window_index in clip.bed_takes)
        beds = math.ceil(n_beds / self.batch) * windows if n_beds else 0
        return take_calls + beds

    def _mix_bed(self, out: np.ndarray, layer: Layer, take: np.ndarray, events: VisualEvents, start: int, rate: int) -> None:
        """Ambience as it is; movement shaped by the picture's motion envelope (smoothed over 50 ms)."""
        gain = ROLE_GAIN.get(layer.role, 0.1)
        take = take if take.shape[1] == 2 else np.repeat(take, 2, axis=1)
        if layer.role == "movement":
            times = (start + np.arange(take.shape[0])) / rate
            motion = events.motion_at(times)
            width = max(1, int(0.05 * rate))
            motion = np.convolve(motion, np.ones(width, dtype=np.float32) / width, mode="same")
            take = take * motion[:, None]
        out[: take.shape[0]] += gain * take

    def _generate_batched(self, texts: list[str], negative: str, seconds: float, seeds: list[int],
                          tracker: StepTracker, report: BatchReport, req: ClipRequest) -> list[np.ndarray]:
        """Generate every text, `self.batch` per call; on OOM free, halve the batch and retry that call."""
        results: list[np.ndarray] = []
        negative_embeds = self._embedding(negative, report)
        i = 0
        while i < len(texts):
            size = min(self.batch, len(texts) - i)
            embeds = [self._embedding(t, report) for t in texts[i:i + size]]
            steps_before = tracker.clip.done
            try:
                InjectedOom.maybe_raise()
                t0 = time.perf_counter()
                latents = self.denoise(embeds, negative_embeds, seconds, seeds[i:i + size], req.profile.steps,
                                       req.profile.guidance, tracker.step)
                report.add("denoise", time.perf_counter() - t0)
                t0 = time.perf_counter()
                audio = self.decode(latents, seconds)
                report.add("vae", time.perf_counter() - t0)
            except Exception as exc:
                if not is_out_of_memory(exc):
                    raise
                free_device_memory(self.device)
                if size == 1:
                    raise EngineOutOfMemory(f"{self.name}: {exc}", tuple(report.warnings)) from None
                self.batch = max(1, size // 2)
                report.warnings.append(f"out of device memory generating {size} sounds in one call; "
                                       f"now {self.batch} per call")
                left = len(texts) - i  # the failed call's steps were spent; its sounds now take more calls
                extra_calls = math.ceil(left / self.batch) - math.ceil(left / size)
                tracker.total += (tracker.clip.done - steps_before) + extra_calls * tracker.steps
                continue
            results.extend(audio[k] for k in range(audio.shape[0]))
            i += size
        return results

    def _embedding(self, text: str, report: BatchReport) -> tuple:
        """Text-encoder outputs, encoded once per prompt and kept (the model stays resident across jobs)."""
        cached = self._embeddings.get(text)
        if cached is not None:
            self._embeddings.move_to_end(text)
            return cached
        t0 = time.perf_counter()
        encoded = self.encode_text(text)
        report.add("encode", time.perf_counter() - t0)
        self._embeddings[text] = encoded
        while len(self._embeddings) > EMBEDDING_CACHE:
            self._embeddings.popitem(last=False)
        return encoded
