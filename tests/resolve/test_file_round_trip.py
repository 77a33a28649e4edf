"""Free DaVinci Resolve 21.1+ runs no Python scripts: the README's file round trip, with a Resolve-dialect
export: File > Export > Timeline > OTIO, `foley generate`, File > Import > Timeline."""

from __future__ import annotations

from fractions import Fraction

from foley_server.generate import generate
from resolve_double import FREE
from resolve_double.otio_io import read_into_timeline, write_resolve_otio
from scenes import Shot, make_resolve

RATE = Fraction(24000, 1001)


def test_export_generate_import_puts_the_foley_on_the_source_frames(event_media, tmp_path):
    shots = [Shot("A", event_media(RATE), at=48), Shot("B", event_media(RATE), at=300),
             Shot("Over B", event_media(RATE), at=320, track=2)]
    resolve = make_resolve(shots, RATE, product=FREE, version=(21, 1, 0, 7, ""))
    assert resolve.GetProjectManager() is None  # no scripting here: the user works with files
    project, cut = resolve.project, resolve.project.current
    exported = tmp_path / "Cut 1.otio"
    write_resolve_otio(cut, str(exported))  # File > Export > Timeline > OpenTimelineIO
    # what `foley generate "Cut 1.otio" -o "Cut 1 Foley.otio"` runs
    assert not generate(exported, tmp_path / "Cut 1 Foley.otio", pictures=False).failed
    imported = read_into_timeline(str(tmp_path / "Cut 1 Foley.otio"), project, True)  # File > Import > Timeline
    foley_tracks = [t for t in imported.audio if t.name in ("Foley", "Foley 2")]
    assert [t.name for t in foley_tracks] == ["Foley", "Foley 2"]
    placed = sorted((i.start, i.duration) for t in foley_tracks for i in t.items)
    assert placed == sorted((i.start, i.duration) for t in cut.video for i in t.items)
    assert all(i.media is not None and i.media.path.endswith(".wav") for t in foley_tracks for i in t.items)
    assert imported.start_frame == cut.start_frame == 86400
