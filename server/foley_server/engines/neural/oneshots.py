"""Generated one-shots made placeable: start each at its attack, end it with a short tail.

A text-to-audio model puts its sound somewhere in the clip it generates; to land a hit on a
visual onset to the frame, the attack (detected in the generated audio) must be sample 0.
"""

from __future__ import annotations

import numpy as np

from ..base import ClipRequest, Layer
from ..placement import Bank
from ..seeds import stable_seed

ATTACK_HOP_S = 0.001  # energy measured per millisecond
FADE_IN_S = 0.0005  # a half-millisecond ramp into the attack: no step (click) where the take is cut
MAX_ONESHOT_S = 1.5  # a hit, a step, a knock: longer than this is a bed, not a one-shot
TAIL_FADE_S = 0.06
SILENCE_DB = -50.0  # below the peak: where a one-shot has ended


def attack_sample(mono: np.ndarray, rate: int) -> int:
    """The sample where the loudest event's attack starts: the last quiet point before its peak.

    Quiet means under 10 % of the peak's short-time energy; a model's low-level noise floor before
    the hit does not count as its start.
    """
    hop = max(1, int(round(ATTACK_HOP_S * rate)))
    frames = len(mono) // hop
    if frames == 0:
        return 0
    energy = np.square(mono[: frames * hop].reshape(frames, hop)).mean(axis=1)
    peak = int(np.argmax(energy))
    if energy[peak] <= 0:
        return 0
    quiet = np.nonzero(energy[: peak + 1] < 0.1 * energy[peak])[0]
    start_frame = int(quiet[-1]) + 1 if len(quiet) else 0
    return start_frame * hop


def trim_to_attack(audio: np.ndarray, rate: int) -> np.ndarray:
    """(samples, channels) → the same sound from its attack (sample 0 lands on the visual onset), cut where
    it has died away, tail faded."""
    if audio.ndim == 1:
        audio = audio[:, None]
    mono = audio.mean(axis=1)
    start = attack_sample(mono, rate)
    sound = audio[start : start + int(MAX_ONESHOT_S * rate)]
    level = np.abs(sound.mean(axis=1))
    peak = float(level.max()) if len(level) else 0.0
    if peak > 0:
        loud = np.nonzero(level > peak * 10 ** (SILENCE_DB / 20))[0]
        sound = sound[: int(loud[-1]) + 1] if len(loud) else sound
    sound = np.array(sound, dtype=np.float32)  # a copy we may shape
    ramp = min(len(sound), max(1, int(FADE_IN_S * rate)))
    sound[:ramp] *= np.linspace(0.0, 1.0, ramp, endpoint=False, dtype=np.float32)[:, None] + np.float32(1.0 / ramp)
    fade = min(len(sound), int(TAIL_FADE_S * rate))
    if fade:
        sound[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
    if peak > 0:
        sound /= np.float32(np.abs(sound).max() or 1.0)  # level comes from the onset's strength, not the model
    return sound


def take_prompts(events: list[tuple[int, Layer]], req: ClipRequest) -> tuple[list[str], list[int]]:
    """Every distinct event sound's text once per take (the profile's variants), each take with its own seed."""
    takes = req.profile.variants
    texts = [layer.params["text"] for _, layer in events for _ in range(takes)]
    seeds = [stable_seed(req.seed, layer.params["text"], "take", t) for _, layer in events for t in range(takes)]
    return texts, seeds


def banks_from_takes(events: list[tuple[int, Layer]], audio: list[np.ndarray], rate: int) -> dict[int, Bank]:
    """Generated takes, in take_prompts' order, trimmed to their attacks: event layer index -> its bank."""
    per_sound = len(audio) // max(1, len(events))
    banks = {}
    for k, (index, _) in enumerate(events):
        variants = [trim_to_attack(a, rate).mean(axis=1) for a in audio[k * per_sound:(k + 1) * per_sound]]
        banks[index] = Bank([v[: int(MAX_ONESHOT_S * rate)] for v in variants])
    return banks
