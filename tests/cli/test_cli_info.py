"""`foley doctor`, `foley engines` and the progress output people see."""

from __future__ import annotations

import io
from fractions import Fraction

from foley_otio.timeline_io import write_timeline
from foley_server.cli import main
from foley_server.pipeline.progress import ProgressEvent
from foley_server.terminal import ProgressBars, stage_table
from otio_fixtures import event_clip, otio_clip, timeline_with


def test_doctor_checks_decoder_device_and_renders_with_the_engine(capsys):
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "[ok] decoder" in out and "H.264 decode yes" in out
    assert "[ok] engine" in out and "procedural: 1 s rendered" in out
    assert "device" in out and "everything needed" in out


def test_engines_lists_models_and_their_parameters(capsys):
    assert main(["engines"]) == 0
    out = capsys.readouterr().out
    assert "\nprocedural: no weights, devices cpu, 48000 Hz; ready\n" in out
    assert "\nstable-audio: needs weights, devices cuda, cpu, 44100 Hz; not ready: stable-audio: no weights found" in out
    for model in ("impact", "footsteps", "door", "cloth", "whoosh", "room_tone", "rain", "wind"):
        assert f"  {model}" in out
    assert "gravel" in out and "metal" in out
    assert "words: boot, boots" in out  # the words that select footsteps
    assert "words: swing, swings, swipe" in out and "prompts (procedural): keyword rules" in out


def test_progress_in_a_log_is_one_line_per_stage(tmp_path):
    stream = io.StringIO()
    bars = ProgressBars(stream=stream)
    common = dict(clip_id="c1", clip_name="Shot", clip_index=0, clip_count=2)
    for event in (
        ProgressEvent("started", **common),
        ProgressEvent("progress", stage="decode", done=1, total=10, **common),
        ProgressEvent("progress", stage="decode", done=5, total=10, **common),
        ProgressEvent("progress", stage="generate", done=1, total=2, **common),
        ProgressEvent("clip_failed", message="media not found", **common),
    ):
        bars(event)
    assert stream.getvalue().splitlines() == [
        "[1/2] Shot: decode",
        "[1/2] Shot: generate",
        "[1/2] Shot: clip_failed: media not found",
    ]


def test_generate_prints_stage_seconds_and_wall_time(tmp_path, capsys):
    cut = tmp_path / "cut.otio"
    write_timeline(timeline_with([otio_clip(event_clip(tmp_path, "S", Fraction(25)))], Fraction(25)), cut)
    assert main(["generate", str(cut), "-o", str(tmp_path / "o.otio"), "--no-pictures"]) == 0
    captured = capsys.readouterr()
    assert "[1/1] S: decode" in captured.err and "[1/1] S: clip_done" in captured.err
    for stage in ("decode", "see", "generate", "master", "conform", "wall"):
        assert f"  {stage}" in captured.out
    assert stage_table({"decode": 1.0}, 2.0).splitlines()[-1].split()[:2] == ["wall", "2.00"]


def test_generate_says_what_each_clip_heard_and_warns_about_what_it_did_not(tmp_path, capsys):
    cut = tmp_path / "cut.otio"
    write_timeline(timeline_with([otio_clip(event_clip(tmp_path, "S", Fraction(25)))], Fraction(25)), cut)
    out_path = tmp_path / "o.otio"
    assert main(["generate", str(cut), "-o", str(out_path), "--no-pictures", "-q",
                 "--prompt", "S=glass shattering on a tile floor, a dog barking"]) == 0
    out = capsys.readouterr().out
    assert "glass shattering on a tile floor, a dog barking → shatter(item=glass) + room_tone(intensity=0.3)" in out
    assert "warning: S: no sound model for 'a dog barking' (animal voices are beyond the procedural engine" in out
    from foley_otio.timeline_io import read_timeline

    tracks = read_timeline(out_path).tracks
    foley = [t for t in tracks if t.name == "Foley"][0].find_clips()[0]
    assert foley.metadata["foley"]["sound"] == "shatter(item=glass) + room_tone(intensity=0.3)"
    assert "a dog barking" in foley.metadata["foley"]["sound_warnings"][0]


def test_a_prompt_with_nothing_usable_gets_the_pictures_default_and_says_so(tmp_path, capsys):
    cut = tmp_path / "cut.otio"
    write_timeline(timeline_with([otio_clip(event_clip(tmp_path, "S", Fraction(25)))], Fraction(25)), cut)
    assert main(["generate", str(cut), "-o", str(tmp_path / "o.otio"), "--no-pictures", "-q", "--prompt", "S=dog barking"]) == 0
    out = capsys.readouterr().out
    assert "dog barking → impact(material=wood)" in out
    assert "warning: S: no sound model for 'dog barking'" in out and "picture's default" in out

