"""Peak RSS of the pipeline on a 10-minute clip vs a 1-minute clip (360p25).

Target: the 10-minute run uses at most 64 MB more. Each run is its own process so peaks don't mix.
Run: .venv/bin/python bench/memory_vs_length.py
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from foley_server.generate import generate
t0 = time.perf_counter()
outcome = generate(Path(sys.argv[1]), Path(sys.argv[2]), pictures=False)
assert not outcome.failed, outcome.failed[0].error
print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "seconds": time.perf_counter() - t0}))
"""


def measure(seconds: float) -> dict:
    from _inputs import long_clip, one_clip_timeline

    media = long_clip(seconds, 25, (640, 360))
    with tempfile.TemporaryDirectory() as tmp:
        timeline = one_clip_timeline(media, seconds, 25, Path(tmp))
        done = subprocess.run([sys.executable, "-c", _CHILD, str(timeline), str(Path(tmp) / "out.otio")],
                              capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    print("preparing 1- and 10-minute 360p25 clips (cached) ...", flush=True)
    short, long = measure(60.0), measure(600.0)
    print(f" 1 min: peak RSS {short['peak_rss_mb']:7.1f} MB in {short['seconds']:6.1f} s")
    print(f"10 min: peak RSS {long['peak_rss_mb']:7.1f} MB in {long['seconds']:6.1f} s")
    extra = long["peak_rss_mb"] - short["peak_rss_mb"]
    print(f"10 min uses {extra:+.1f} MB vs 1 min (ratio {long['peak_rss_mb'] / short['peak_rss_mb']:.3f}); "
          f"target <= +64 MB: {'met' if extra <= 64 else 'NOT met'}")


if __name__ == "__main__":
    main()
