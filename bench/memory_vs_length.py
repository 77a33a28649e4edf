"""Peak RSS of the pipeline (+ its decoder child) on a 10-minute clip vs a 1-minute clip (360p25).

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
seconds = time.perf_counter() - t0
from foley_server.pipeline import decode_process
decode_process.shutdown()  # the decoder child's peak counts once it has ended
own, child = (resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
print(json.dumps({"peak_rss_mb": own + child, "own_mb": own, "decoder_mb": child, "seconds": seconds}))
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
    for name, run in ((" 1 min", short), ("10 min", long)):
        print(f"{name}: peak RSS {run['peak_rss_mb']:7.1f} MB (pipeline {run['own_mb']:.1f} + decoder child "
              f"{run['decoder_mb']:.1f}) in {run['seconds']:6.1f} s")
    extra = long["peak_rss_mb"] - short["peak_rss_mb"]
    print(f"10 min uses {extra:+.1f} MB vs 1 min (ratio {long['peak_rss_mb'] / short['peak_rss_mb']:.3f}); "
          f"target <= +64 MB: {'met' if extra <= 64 else 'NOT met'}")


if __name__ == "__main__":
    main()
