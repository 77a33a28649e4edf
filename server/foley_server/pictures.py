"""Pictures people would rather look at than read: a clip's Foley waveform under its visual events."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .engines.base import VisualEvents


def waveform_png(path: Path, overview: np.ndarray, duration_s: float, events: VisualEvents, title: str) -> Path:
    """Waveform (min/max per bin) with onsets (red, height = strength), cuts (blue) and motion (grey)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_motion, ax_wave) = plt.subplots(2, 1, figsize=(12, 4.2), sharex=True, height_ratios=(1, 2.2))
    try:
        ax_motion.fill_between(events.envelope_times_s, events.motion_envelope, color="0.6", lw=0)
        ax_motion.vlines(events.onset_times_s, 0, events.onset_strengths, color="crimson", lw=1.2, label="visual onsets")
        ax_motion.set_ylim(0, 1.05)
        ax_motion.set_ylabel("motion")
        ax_motion.set_title(title, fontsize=10, loc="left")
        times = (np.arange(len(overview)) + 0.5) * (duration_s / max(1, len(overview)))
        ax_wave.fill_between(times, overview[:, 0], overview[:, 1], color="#1f4e79", lw=0, step="mid")
        for t in events.onset_times_s:
            ax_wave.axvline(t, color="crimson", lw=0.6, alpha=0.6)
        for t in events.cut_times_s:
            for ax in (ax_motion, ax_wave):
                ax.axvline(t, color="royalblue", lw=1.5, ls="--")
        ax_wave.set_ylim(-1, 1)
        ax_wave.set_xlim(0, duration_s)
        ax_wave.set_ylabel("Foley")
        ax_wave.set_xlabel("seconds from the clip's first frame (red: visual onsets, blue dashed: cuts)")
        fig.tight_layout()
        fig.savefig(path, dpi=90)
    finally:
        plt.close(fig)
    return path


def spectrogram_png(path: Path, wav_path: Path, title: str) -> Path:
    """Spectrogram of a (short) WAV: what a sound designer looks at to judge a model.
    Drawn as one image of a precomputed STFT (twice as fast as pyplot's specgram: the pack has
    a picture for every model)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import soundfile as sf
    from scipy.signal import stft

    audio, rate = sf.read(str(wav_path), always_2d=True, dtype="float32")
    freqs, times, z = stft(audio.mean(axis=1), rate, nperseg=1024, noverlap=768, boundary=None, padded=False)
    shown = freqs <= 16000
    db = 20 * np.log10(np.abs(z[shown]) + 1e-7)  # digital silence is drawn as black, not -inf
    fig, ax = plt.subplots(figsize=(10, 3.6))
    try:
        ax.imshow(db, origin="lower", aspect="auto", cmap="magma", vmin=-130, vmax=max(-20.0, float(db.max())),
                  extent=(float(times[0]), float(times[-1]), 0.0, float(freqs[shown][-1])), interpolation="nearest")
        ax.set_ylabel("Hz")
        ax.set_xlabel("seconds")
        ax.set_title(title, fontsize=10, loc="left")
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.9)
        fig.savefig(path, dpi=90)
    finally:
        plt.close(fig)
    return path
