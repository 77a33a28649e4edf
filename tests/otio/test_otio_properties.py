"""Property: whatever the rates, gaps, in points and overlaps, every Foley clip covers its source.

Exactly (RationalTime equality) when clips are whole timeline frames, as every editor's timeline
is; to 1e-9 s when a hand-made timeline puts fractional frames on the timeline (OTIO's JSON
reader is 1 ULP lossy for fractional values).
"""

from __future__ import annotations

import opentimelineio as otio
from hypothesis import given, settings
from hypothesis import strategies as st

from foley_otio import FoleyItem, place_foley_track, read_timeline, record_range, source_clips, write_timeline

RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
RATES = [24000 / 1001, 24.0, 25.0, 30000 / 1001, 30.0, 50.0, 60000 / 1001]

# (gap, in point, length, media rate or None for "the timeline's rate")
clip_spec = st.tuples(st.integers(0, 500), st.integers(0, 2000), st.integers(1, 900), st.sampled_from([None, *RATES]))
track_spec = st.lists(clip_spec, min_size=1, max_size=5)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(rate=st.sampled_from(RATES), tracks=st.lists(track_spec, min_size=1, max_size=3), start=st.integers(0, 200_000))
def test_foley_covers_every_source_exactly_after_a_round_trip(tmp_path_factory, rate, tracks, start):
    timeline = otio.schema.Timeline(global_start_time=RT(start, rate))
    for t_index, clips in enumerate(tracks):
        track = otio.schema.Track(name=f"V{t_index + 1}", kind=otio.schema.TrackKind.Video)
        for c_index, (gap, in_point, length, media_rate) in enumerate(clips):
            if gap:
                track.append(otio.schema.Gap(source_range=TR(duration=RT(gap, rate))))
            media_rate = media_rate or rate
            track.append(otio.schema.Clip(
                name=f"c{t_index}-{c_index}",
                media_reference=otio.schema.ExternalReference(target_url=f"file:///m/{t_index}-{c_index}.mov"),
                source_range=TR(RT(in_point, media_rate), RT(length, media_rate)),
            ))
        timeline.tracks.append(track)
    sources = source_clips(timeline)
    items = [FoleyItem(s.clip_id, s.name, f"/w/{s.clip_id}.wav", s.record_range) for s in sources]
    path = tmp_path_factory.mktemp("p") / "out.otio"
    write_timeline(place_foley_track(timeline, items), path)
    result = read_timeline(path)
    placed = {c.metadata["foley"]["clip_id"]: record_range(c, result)
              for t in result.tracks if t.kind == otio.schema.TrackKind.Audio for c in t.find_clips()}
    assert set(placed) == {s.clip_id for s in sources}
    for s in sources:
        got, want = placed[s.clip_id], s.record_range
        if all(float(v).is_integer() for v in (want.start_time.value, want.duration.value)):
            assert got.start_time == want.start_time and got.duration == want.duration
        else:
            assert abs(got.start_time.to_seconds() - want.start_time.to_seconds()) < 1e-9
            assert abs(got.duration.to_seconds() - want.duration.to_seconds()) < 1e-9
    for track in (t for t in result.tracks if t.kind == otio.schema.TrackKind.Audio):
        spans = sorted((record_range(c, result).start_time.to_seconds(), record_range(c, result).end_time_exclusive().to_seconds())
                       for c in track.find_clips())
        assert all(a_end <= b_start + 1e-9 for (_, a_end), (b_start, _) in zip(spans, spans[1:]))  # no overlaps
