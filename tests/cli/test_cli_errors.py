"""Every bad input gets a clear error, a non-zero exit code and nothing half-written."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from foley_otio.timeline_io import read_timeline, write_timeline
from foley_server.cli import main
from foley_server.demo.footage import write_audio_only, write_corrupt_file
from otio_fixtures import event_clip, otio_clip, timeline_with

RATE = Fraction(24)


def _cut(tmp_path: Path, clips) -> Path:
    path = tmp_path / "cut.otio"
    write_timeline(timeline_with(clips, RATE), path)
    return path


def _media_clip(tmp_path, name, media: Path) -> otio.schema.Clip:
    ec = event_clip(tmp_path, name, RATE)
    clip = otio_clip(ec)
    clip.media_reference.target_url = otio.url_utils.url_from_filepath(str(media))
    return clip


def test_missing_media_fails_that_clip_and_still_delivers_the_others(tmp_path, capsys):
    good = otio_clip(event_clip(tmp_path, "Good", RATE))
    missing = _media_clip(tmp_path, "Missing", tmp_path / "gone" / "lost.mp4")
    out = tmp_path / "out.otio"
    code = main(["generate", str(_cut(tmp_path, [good, missing])), "-o", str(out), "-q", "--no-pictures"])
    text = capsys.readouterr().out
    assert code == 1
    assert "FAILED  Missing" in text and "lost.mp4" in text and "relink" in text
    result = read_timeline(out)
    foley = [c for t in result.tracks if t.kind == otio.schema.TrackKind.Audio for c in t.find_clips()]
    assert [c.name for c in foley] == ["Good Foley"]


@pytest.mark.parametrize(
    "maker, needle",
    [(write_corrupt_file, "cannot read"), (write_audio_only, "no video stream")],
    ids=["corrupt", "audio-only"],
)
def test_unusable_media_is_reported_and_no_output_is_written(tmp_path, capsys, maker, needle):
    media = tmp_path / "bad.mp4"
    maker(media)
    out = tmp_path / "out.otio"
    code = main(["generate", str(_cut(tmp_path, [_media_clip(tmp_path, "Bad", media)])), "-o", str(out), "-q"])
    text = capsys.readouterr().out
    assert code == 1
    assert needle in text.lower()
    assert not out.exists()
    assert not list(tmp_path.glob("out.otio.foley/*.wav"))


def test_zero_length_clip_is_refused_with_a_reason(tmp_path, capsys):
    clip = otio_clip(event_clip(tmp_path, "Empty", RATE))
    clip.source_range = otio.opentime.TimeRange(clip.source_range.start_time, otio.opentime.RationalTime(0, 24))
    good = otio_clip(event_clip(tmp_path, "Good", RATE))
    code = main(["generate", str(_cut(tmp_path, [clip, good])), "-o", str(tmp_path / "out.otio"), "-q", "--no-pictures"])
    captured = capsys.readouterr()
    assert code != 0
    assert "zero" in (captured.out + captured.err).lower()


def test_malformed_otio_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "broken.otio"
    bad.write_text('{"OTIO_SCHEMA": "Timeline.1", "tracks": ')
    code = main(["generate", str(bad), "-o", str(tmp_path / "out.otio")])
    err = capsys.readouterr().err
    assert code == 2
    assert "broken.otio" in err and "foley: error:" in err
    assert not (tmp_path / "out.otio").exists()


def test_missing_timeline_file_is_a_clear_error(tmp_path, capsys):
    code = main(["generate", str(tmp_path / "nope.otio"), "-o", str(tmp_path / "out.otio")])
    assert code == 2
    assert "nope.otio" in capsys.readouterr().err


def test_unknown_clip_name_lists_the_available_ones(tmp_path, capsys):
    cut = _cut(tmp_path, [otio_clip(event_clip(tmp_path, "Shot 1", RATE))])
    code = main(["generate", str(cut), "-o", str(tmp_path / "out.otio"), "--clip", "Shot 9"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Shot 9" in err and "Shot 1" in err


def test_prompt_for_an_unknown_clip_is_refused(tmp_path, capsys):
    cut = _cut(tmp_path, [otio_clip(event_clip(tmp_path, "Shot 1", RATE))])
    code = main(["generate", str(cut), "-o", str(tmp_path / "out.otio"), "--prompt", "Shot 2=rain"])
    assert code == 2
    assert "Shot 2" in capsys.readouterr().err


def test_prompt_argument_without_equals_sign_is_refused(tmp_path, capsys):
    cut = _cut(tmp_path, [otio_clip(event_clip(tmp_path, "Shot 1", RATE))])
    code = main(["generate", str(cut), "-o", str(tmp_path / "out.otio"), "--prompt", "just rain"])
    assert code == 2
    assert "NAME=TEXT" in capsys.readouterr().err


def test_unwritable_output_folder_is_a_clear_error(tmp_path, capsys):
    cut = _cut(tmp_path, [otio_clip(event_clip(tmp_path, "Shot 1", RATE))])
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    code = main(["generate", str(cut), "-o", str(tmp_path / "out.otio"), "--output-dir", str(blocker / "wavs")])
    err = capsys.readouterr().err
    assert code == 2
    assert "cannot write to output folder" in err
    assert not (tmp_path / "out.otio").exists()


def test_console_script_runs_and_reports_errors_with_exit_code(tmp_path):
    foley = Path(sys.executable).with_name("foley")
    done = subprocess.run([str(foley), "generate", str(tmp_path / "missing.otio"), "-o", str(tmp_path / "o.otio")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "missing.otio" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("whole_group", [False, True], ids=["process", "terminal-group"])
def test_ctrl_c_exits_130_and_leaves_no_files(tmp_path, whole_group):
    # A terminal's Ctrl-C reaches the whole process group, the decoder child included.
    import os
    import signal
    import time

    from foley_server.demo.footage import write_long_video

    media = tmp_path / "long.mp4"
    write_long_video(media, 240.0, 25, (64, 36))
    clip = otio_clip(event_clip(tmp_path, "Long", RATE))
    clip.media_reference.target_url = otio.url_utils.url_from_filepath(str(media))
    clip.media_reference.available_range = None
    clip.source_range = otio.opentime.TimeRange(otio.opentime.RationalTime(0, 25), otio.opentime.RationalTime(240 * 25, 25))
    cut = _cut(tmp_path, [clip])
    wavs = tmp_path / "out.otio.foley"
    proc = subprocess.Popen([str(Path(sys.executable).with_name("foley")), "generate", str(cut), "-o", str(tmp_path / "out.otio"), "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while time.time() < deadline and not (wavs.exists() and any(wavs.iterdir())):
        time.sleep(0.02)
    if whole_group:
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted" in err
    assert "Traceback" not in err, err  # the decoder child leaves interrupts to its parent
    assert list(wavs.iterdir()) == []  # neither a WAV nor a temp file
    assert not (tmp_path / "out.otio").exists()
    deadline = time.time() + 10  # and no process of the run is left behind
    while time.time() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("a process of the interrupted run is still alive")
