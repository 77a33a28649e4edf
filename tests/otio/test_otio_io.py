"""Reading every supported format (with errors a user can act on) and atomic writing."""

from __future__ import annotations

import os
from fractions import Fraction

import opentimelineio as otio
import pytest

from foley_otio import FoleyOtioError, TimelineReadError, read_timeline, select_clips, source_clips, write_timeline

RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange


def _cut(rate: float = 24.0, name: str = "cut") -> otio.schema.Timeline:
    """V1: a one-second gap, "Shot A" (in point 10 frames, 2 s), "Shot B" (1.5 s)."""
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    track.append(otio.schema.Gap(source_range=TR(duration=RT(round(rate), rate))))
    for clip_name, start, frames in (("Shot A", 10, 2 * round(rate)), ("Shot B", 0, 3 * round(rate) // 2)):
        track.append(otio.schema.Clip(
            name=clip_name, source_range=TR(RT(start, rate), RT(frames, rate)),
            media_reference=otio.schema.ExternalReference(
                target_url=f"file:///media/{clip_name.replace(' ', '_')}.mov", available_range=TR(RT(0, rate), RT(240, rate))),
        ))
    timeline = otio.schema.Timeline(name=name, global_start_time=RT(3600 * round(rate), rate))
    timeline.tracks.append(track)
    return timeline


def test_read_errors_say_what_is_wrong(tmp_path):
    with pytest.raises(TimelineReadError, match="not found"):
        read_timeline(tmp_path / "none.otio")
    (tmp_path / "cut.mov").write_text("x")
    with pytest.raises(TimelineReadError, match=r"unsupported timeline type '\.mov'.*\.edl.*\.fcpxml.*\.otio"):
        read_timeline(tmp_path / "cut.mov")
    (tmp_path / "bad.otio").write_text("{not json")
    with pytest.raises(TimelineReadError, match="bad.otio is not a valid OTIO JSON timeline: .*JSON parse error"):
        read_timeline(tmp_path / "bad.otio")
    (tmp_path / "bad.fcpxml").write_text("<fcpxml><oops")
    with pytest.raises(TimelineReadError, match="not a valid FCPXML"):
        read_timeline(tmp_path / "bad.fcpxml")
    (tmp_path / "dict.otio").write_text("{}")
    with pytest.raises(TimelineReadError, match="holds no timeline"):
        read_timeline(tmp_path / "dict.otio")


def test_a_collection_of_one_timeline_reads_as_that_timeline(tmp_path):
    one = otio.schema.SerializableCollection(name="bin", children=[_cut(name="only")])
    otio.adapters.write_to_file(one, str(tmp_path / "one.otio"))
    assert read_timeline(tmp_path / "one.otio").name == "only"
    two = otio.schema.SerializableCollection(children=[_cut(name="a"), _cut(name="b")])
    otio.adapters.write_to_file(two, str(tmp_path / "two.otio"))
    with pytest.raises(TimelineReadError, match="holds 2 timelines"):
        read_timeline(tmp_path / "two.otio")


def test_write_replaces_atomically_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "out.otio"
    path.write_text("old")
    assert write_timeline(_cut(), path) == path
    assert read_timeline(path).name == "cut"
    assert os.listdir(tmp_path) == ["out.otio"]


def test_write_failure_keeps_the_old_file_and_removes_the_temp(tmp_path):
    path = tmp_path / "out.otioz"
    path.write_bytes(b"old bundle")
    missing_media = _cut()  # otioz must bundle media that does not exist here
    with pytest.raises(FoleyOtioError, match="must hold its media, and /media/Shot_A.mov is not a file here; write .otio"):
        write_timeline(missing_media, path)
    assert path.read_bytes() == b"old bundle"
    assert os.listdir(tmp_path) == ["out.otioz"]


def test_write_into_a_missing_folder_says_what_to_do(tmp_path):
    with pytest.raises(FoleyOtioError, match="check that the folder exists and is writable"):
        write_timeline(_cut(), tmp_path / "no" / "such" / "out.otio")


def test_write_with_a_format_suffix_for_temp_names(tmp_path):
    path = tmp_path / "out.partial"
    write_timeline(_cut(), path, format_suffix=".otio")
    assert otio.adapters.read_from_file(str(path), adapter_name="otio_json").name == "cut"


def _with_local_media(timeline: otio.schema.Timeline, folder) -> otio.schema.Timeline:
    media = folder / "shot.mov"
    media.write_bytes(b"not really a movie")
    for clip in timeline.find_clips():
        clip.media_reference.target_url = otio.url_utils.url_from_filepath(str(media))
    return timeline


def test_otiod_folder_round_trip_and_overwrite(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    path = out / "cut.otiod"
    write_timeline(_with_local_media(_cut(name="first"), tmp_path), path)
    write_timeline(_with_local_media(_cut(name="second"), tmp_path), path)  # the adapter alone refuses to overwrite
    assert read_timeline(path).name == "second"
    assert os.listdir(out) == ["cut.otiod"]


def test_otioz_bundle_reads_with_media_unpacked_beside_it(tmp_path):
    write_timeline(_with_local_media(_cut(), tmp_path), tmp_path / "cut.otioz")
    clips = source_clips(read_timeline(tmp_path / "cut.otioz"))
    assert [c.name for c in clips] == ["Shot A", "Shot B"]
    assert all(open(c.media_path, "rb").read() == b"not really a movie" for c in clips)


@pytest.mark.parametrize("rate", [24.0, 25.0, 30.0])
def test_fcpxml_round_trip_keeps_clips_and_record_ranges(tmp_path, rate):
    original = _cut(rate)
    path = tmp_path / "cut.fcpxml"
    write_timeline(original, path)
    timeline = read_timeline(path)
    clips = select_clips(timeline, None)
    assert [c.name for c in clips] == ["Shot A", "Shot B"]
    want = source_clips(original)
    assert [c.record_range for c in clips] == [c.record_range for c in want]
    assert [c.source_range for c in clips] == [c.source_range for c in want]
    assert [c.media_path for c in clips] == ["/media/Shot_A.mov", "/media/Shot_B.mov"]
    assert [c.name for c in select_clips(timeline, ["Shot B"])] == ["Shot B"]


def test_fcpxml_writer_refuses_ntsc_rates_instead_of_writing_a_broken_file(tmp_path):
    path = tmp_path / "cut.fcpxml"
    with pytest.raises(FoleyOtioError, match="cannot express 23.976 fps; write .otio instead"):
        write_timeline(_cut(24000 / 1001), path)
    assert not path.exists() and os.listdir(tmp_path) == []


def _fcp_export(rate: Fraction, tc_start_frames: int) -> str:
    """FCPXML as Final Cut Pro writes it: offsets on the sequence clock, which starts at tcStart."""
    def t(frames: int) -> str:
        seconds = Fraction(frames) / rate
        return f"{seconds.numerator}/{seconds.denominator}s"

    start = tc_start_frames
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE fcpxml>
<fcpxml version="1.8">
  <resources>
    <format id="r1" frameDuration="{t(1)}" name="FFVideoFormat1080p"/>
    <asset id="r2" name="Shot A" src="file:///media/Shot_A.mov" start="0s" duration="{t(2400)}" hasVideo="1" format="r1"/>
  </resources>
  <project name="ntsc cut">
    <sequence format="r1" duration="{t(72)}" tcStart="{t(start)}" tcFormat="NDF">
      <spine>
        <gap name="Gap" offset="{t(start)}" start="{t(start)}" duration="{t(24)}"/>
        <clip name="Shot A" offset="{t(start + 24)}" start="{t(10)}" duration="{t(48)}">
          <video offset="0s" ref="r2" duration="{t(2400)}"/>
        </clip>
      </spine>
    </sequence>
  </project>
</fcpxml>
"""


@pytest.mark.parametrize("rate", [Fraction(24000, 1001), Fraction(30000, 1001), Fraction(25)], ids=str)
def test_fcpxml_from_final_cut_reads_at_exact_rates_with_its_start_timecode(tmp_path, rate):
    path = tmp_path / "fcp.fcpxml"
    path.write_text(_fcp_export(rate, tc_start_frames=3600 * round(rate)))
    timeline = read_timeline(path)
    (clip,) = select_clips(timeline, None)
    r = float(rate)
    # otio-fcpx-xml-adapter alone reads 23.976 as 23 fps and keeps the hour as a leading gap
    assert timeline.global_start_time == RT(3600 * round(rate), r)
    assert clip.record_range == TR(RT(24, r), RT(48, r))
    assert clip.source_range == TR(RT(10, r), RT(48, r))
    assert clip.media_start_s == pytest.approx(10 / r)


def test_fcpxml_reader_fix_is_scoped_to_our_reads(tmp_path):
    path = tmp_path / "fcp.fcpxml"
    path.write_text(_fcp_export(Fraction(24000, 1001), 0))
    read_timeline(path)
    plain = otio.adapters.read_from_file(str(path), adapter_name="fcpx_xml")
    assert plain.find_clips()[0].source_range.duration.rate == 23  # the adapter's own behaviour is restored


def test_edl_reads_with_the_given_rate(tmp_path):
    edl = tmp_path / "cut.edl"
    edl.write_text(
        "TITLE: cut\nFCM: NON-DROP FRAME\n\n"
        "001  AX       V     C        00:00:01:00 00:00:03:00 01:00:00:00 01:00:02:00\n"
        "* FROM CLIP NAME: shot1.mov\n"
    )
    timeline = read_timeline(edl, rate=25)
    (clip,) = select_clips(timeline, None)
    assert clip.source_range == TR(RT(25, 25), RT(50, 25))
    assert clip.record_range == TR(RT(0, 25), RT(50, 25))
    assert clip.name == "shot1.mov"
