"""What a test hears in a WAV (shared by the alignment, model-engine and Resolve tests)."""

from __future__ import annotations

import numpy as np
import soundfile as sf


def wav_onsets(path) -> np.ndarray:
    """Transient starts in seconds: where the 1 ms peak envelope jumps above 10 % of the file's peak,
    after at least 150 ms below half of that (a rise of up to 5 ms through the band between is one onset)."""
    audio, rate = sf.read(path, always_2d=True)
    mono = np.abs(audio).max(axis=1)
    hop = rate // 1000
    env = mono[: len(mono) // hop * hop].reshape(-1, hop).max(axis=1)
    threshold = 0.1 * env.max()
    onsets = []
    quiet_needed, rise_allowed = 150, 5  # ms
    armed, quiet, rising = True, quiet_needed, 0
    for i, level in enumerate(env):
        if level > threshold:
            if armed:
                j = i * hop  # refine to the first sample over the threshold in this hop
                j += int(np.argmax(mono[j : j + hop] > threshold))
                onsets.append(j / rate)
            armed, quiet, rising = False, 0, 0
        elif level > threshold / 2:  # sounding, not quiet: only a short rise keeps an armed onset
            quiet, rising = 0, rising + 1
            armed = armed and rising <= rise_allowed
        else:
            quiet, rising = quiet + 1, 0
            armed = armed or quiet >= quiet_needed
    return np.array(onsets)
