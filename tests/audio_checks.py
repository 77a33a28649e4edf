"""What a test hears in a WAV (shared by the alignment, model-engine and Resolve tests)."""

from __future__ import annotations

import numpy as np
import soundfile as sf


def wav_onsets(path) -> np.ndarray:
    """Transient starts in seconds: where the 1 ms peak envelope jumps above 10 % of the file's peak."""
    audio, rate = sf.read(path, always_2d=True)
    mono = np.abs(audio).max(axis=1)
    hop = rate // 1000
    env = mono[: len(mono) // hop * hop].reshape(-1, hop).max(axis=1)
    threshold = 0.1 * env.max()
    above = env > threshold
    onsets = []
    quiet_needed = 150  # ms below half the threshold before a new onset counts
    quiet = quiet_needed
    for i, (a, level) in enumerate(zip(above, env)):
        if a and quiet >= quiet_needed:
            j = i * hop  # refine to the first sample over the threshold in this hop
            j += int(np.argmax(mono[j : j + hop] > threshold))
            onsets.append(j / rate)
        quiet = 0 if level > threshold / 2 else quiet + 1
    return np.array(onsets)
