"""`foley demo` leaves everything it promises: timeline, WAVs, pictures, a preview with picture and sound."""

from __future__ import annotations

import av
import opentimelineio as otio

from foley_otio.timeline_io import read_timeline
from foley_server.cli import main


def test_demo_writes_timeline_wavs_pictures_and_preview(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "-q"]) == 0
    text = capsys.readouterr().out
    result = read_timeline(out / "demo_with_foley.otio")
    assert result.global_start_time == otio.opentime.RationalTime(86400, 24)
    foley = [t for t in result.tracks if t.name == "Foley"][0]
    clips = foley.find_clips()
    assert sorted(c.name for c in clips) == ["Ball Foley", "Door Foley", "Walker Foley"]
    prompts = {c.name: c.metadata["foley"]["prompt"] for c in clips}
    assert "gravel" in prompts["Walker Foley"] and "door" in prompts["Door Foley"] and "ball" in prompts["Ball Foley"]
    wavs = sorted((out / "demo_with_foley.otio.foley").glob("*.wav"))
    pngs = sorted((out / "demo_with_foley.otio.foley").glob("*.png"))
    assert len(wavs) == 3 and len(pngs) == 3 and all(p.stat().st_size > 10_000 for p in pngs)
    with av.open(str(out / "demo_preview.mp4")) as preview:
        kinds = sorted(s.type for s in preview.streams)
        duration = preview.duration / av.time_base
    assert kinds == ["audio", "video"]
    end = max(c.range_in_parent().end_time_exclusive().to_seconds() for c in result.tracks[0].find_clips())
    assert abs(duration - end) < 0.2
    assert "preview with Foley" in text


def test_listening_pack_has_a_mastered_wav_and_a_spectrogram_per_model(tmp_path):
    import numpy as np
    import soundfile as sf

    from foley_server.demo.pack import PACK, write_pack
    from foley_server.engines.procedural import MODEL_DESCRIPTIONS

    assert {layer.model for _, layer in PACK} == set(MODEL_DESCRIPTIONS)  # every model is in the pack
    assert len({stem for stem, _ in PACK}) == len(PACK)  # each under a name of its own
    defaults = [stem for stem, layer in PACK if set(layer.params) == {"intensity"}]
    assert len(defaults) == len(MODEL_DESCRIPTIONS)
    wavs = write_pack(tmp_path, only=defaults)  # the variants go through the same path: `foley demo --pack` writes them too
    assert sorted(w.stem for w in wavs) == sorted(defaults)
    for wav in wavs:
        audio, rate = sf.read(wav)
        # Audible after mastering: a loud body, or (sparse clicks: a switch, a clock, whose loudness the
        # -1 dBTP ceiling caps before -20 LUFS) peaks near full scale.
        assert rate == 48_000 and (np.sqrt(np.mean(audio**2)) > 0.01 or np.abs(audio).max() > 0.7), wav.stem
        assert wav.with_suffix(".png").stat().st_size > 10_000
