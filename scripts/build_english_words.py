"""Build the common-English word list the prompt reader uses to tell real words from misspellings.

Source: the English word-frequency list shipped in the PyPI package pyspellchecker (MIT licence),
every alphabetic word seen more often than the list's floor count (about 58,000 words, with their
inflections: "dropping", "knocking"). Run once when the list should change, then commit the output:
    .venv/bin/pip install pyspellchecker && .venv/bin/python scripts/build_english_words.py
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import spellchecker

OUT = Path(__file__).resolve().parents[1] / "server/foley_server/engines/procedural/english_words.txt.gz"


def main() -> None:
    source = Path(spellchecker.__file__).parent / "resources/en.json.gz"
    counts: dict[str, int] = json.loads(gzip.decompress(source.read_bytes()))
    floor = min(counts.values())
    words = sorted(w for w, c in counts.items() if c > floor and w.isascii() and w.isalpha() and len(w) >= 2)
    header = f"# common English words: pyspellchecker {spellchecker.__version__} en list (MIT), count > {floor}\n"
    # mtime=0: the same list gives the same bytes, so a rebuild without changes leaves git clean.
    OUT.write_bytes(gzip.compress((header + "\n".join(words) + "\n").encode(), mtime=0))
    print(f"{len(words)} words -> {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
