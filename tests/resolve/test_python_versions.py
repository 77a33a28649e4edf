"""Resolve runs the plugin on the user's own Python, 3.6 and up, with no packages: the plugin and its client
stay in Python 3.6 syntax and standard library, checked on the source and on the oldest Pythons at hand."""

from __future__ import annotations

import ast
import json
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest
from old_pythons import OLD_PYTHONS, OLDEST_PYTHON
from scenes import PLUGIN, Shot, make_resolve

COMMON = PLUGIN.parent / "common"
SOURCES = sorted(PLUGIN.rglob("*.py")) + sorted((COMMON / "foley_client").rglob("*.py"))

LATER_MODULES = {"dataclasses", "zoneinfo", "graphlib", "tomllib", "importlib.resources", "importlib.metadata"}
LATER_NAMES = {("contextlib", "nullcontext"), ("functools", "cached_property"), ("typing", "Literal"),
               ("typing", "Protocol"), ("typing", "TypedDict"), ("typing", "Final")}
LATER_METHODS = {"removeprefix", "removesuffix", "is_relative_to"}
LATER_KEYWORDS = {"missing_ok", "capture_output"}
BUILTIN_GENERICS = {"list", "dict", "tuple", "set", "frozenset", "type"}


def problems(path: Path) -> list[str]:
    """What Python 3.6 would refuse, or what only later standard libraries have."""
    source = path.read_text(encoding="utf-8")
    found = []
    try:
        tree = ast.parse(source, feature_version=(3, 6))
    except SyntaxError as exc:
        return [f"{path.name}:{exc.lineno}: not Python 3.6 syntax ({exc.msg})"]
    annotations = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.module == "__future__" and any(a.name == "annotations" for a in node.names):
                found.append(f"{path.name}:{node.lineno}: `from __future__ import annotations` is 3.7+")
            for alias in node.names:
                if node.module in LATER_MODULES or (node.module, alias.name) in LATER_NAMES:
                    found.append(f"{path.name}:{node.lineno}: {node.module}.{alias.name} is not in 3.6")
        elif isinstance(node, ast.Import):
            found += [f"{path.name}:{node.lineno}: {a.name} is not in 3.6" for a in node.names if a.name in LATER_MODULES]
        elif isinstance(node, ast.Attribute) and node.attr in LATER_METHODS:
            found.append(f"{path.name}:{node.lineno}: .{node.attr} is 3.9+")
        elif isinstance(node, ast.keyword) and node.arg in LATER_KEYWORDS:
            found.append(f"{path.name}:{node.lineno}: {node.arg}= is 3.7+")
        elif isinstance(node, (ast.arg, ast.AnnAssign)) and node.annotation is not None:
            annotations.append(node.annotation)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            annotations.append(node.returns)
        elif isinstance(node, ast.FormattedValue) and isinstance(node.value, ast.NamedExpr):
            found.append(f"{path.name}:{node.lineno}: walrus in an f-string")
    for annotation in annotations:  # evaluated when the function is defined on 3.6
        for part in ast.walk(annotation):
            if isinstance(part, ast.BinOp) and isinstance(part.op, ast.BitOr):
                found.append(f"{path.name}:{part.lineno}: `X | Y` annotations are 3.10+")
            if isinstance(part, ast.Subscript) and isinstance(part.value, ast.Name) and part.value.id in BUILTIN_GENERICS:
                found.append(f"{path.name}:{part.lineno}: {part.value.id}[...] annotations are 3.9+")
    for line_number, line in enumerate(source.splitlines(), 1):
        if "f\"" in line or "f'" in line:
            if any(marker in line for marker in ("=}", "=!r}", "=:")) and "{" in line and "==" not in line:
                found.append(f"{path.name}:{line_number}: f-string `=` is 3.8+")
    return found


def test_the_plugin_and_its_client_are_python_3_6_code():
    assert len(SOURCES) > 10
    assert [p for path in SOURCES for p in problems(path)] == []


def test_the_source_check_catches_what_3_6_refuses(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from __future__ import annotations\nfrom dataclasses import dataclass\n"
                   "def f(x: int | None, y: list[str]) -> dict[str, int]:\n    return {}\n"
                   "name = 'a'.removeprefix('b')\n")
    assert len(problems(bad)) == 6
    bad.write_text("if (n := 3):\n    pass\n")
    assert "not Python 3.6 syntax" in problems(bad)[0]


@pytest.mark.skipif(not OLD_PYTHONS, reason="no Python 3.6-3.9 installed (pyenv) to compile with")
def test_every_old_python_at_hand_compiles_the_plugin(tmp_path):
    compile_all = ("import py_compile, sys\nfor n, path in enumerate(sys.argv[2:]):\n"
                   "    py_compile.compile(path, cfile='%s/%d.pyc' % (sys.argv[1], n), doraise=True)\n")
    for python in OLD_PYTHONS:
        done = subprocess.run([python, "-c", compile_all, str(tmp_path), *map(str, SOURCES)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        assert done.returncode == 0, (python, done.stdout)


@pytest.mark.skipif(OLDEST_PYTHON is None, reason="no Python 3.6-3.9 installed (pyenv) to run with")
def test_the_client_works_on_the_oldest_python_without_websockets(tmp_path, foley_server, event_media):
    """The plugin's whole library imports there; a job on a Resolve export runs, followed by polling."""
    rate = Fraction(25)
    resolve = make_resolve([Shot("A", event_media(rate), at=10)], rate)
    export = tmp_path / "cut.otio"
    assert resolve.GetProjectManager().GetCurrentProject().GetCurrentTimeline().Export(str(export), resolve.EXPORT_OTIO)
    script = f"""
import json, sys
sys.path[:0] = [{str(PLUGIN)!r}, {str(COMMON)!r}]
import foley_resolve.menu, foley_resolve.dialog, foley_resolve.new_timeline
from foley_client import FoleyClient
from foley_client.client import websockets_available
client = FoleyClient({foley_server!r})
listing = client.timeline_clips({str(export)!r})
job = client.submit(output_dir={str(tmp_path / 'out')!r}, timeline_path={str(export)!r},
                    clips=[{{"clip_id": listing["clips"][0]["clip_id"], "prompt": "wooden hits"}}])
events = []
result = client.follow(job["job_id"], events.append)
print(json.dumps({{"version": sys.version_info[:2], "websockets": websockets_available(),
                  "events": [e["type"] for e in events], "placements": result["placements"]}}))
"""
    done = subprocess.run([OLDEST_PYTHON, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["version"][0] == 3 and report["version"][1] <= 9 and report["websockets"] is False
    assert report["events"][0] == "state" and report["events"][-1] == "done" and "clip_done" in report["events"]
    (placement,) = report["placements"]
    assert (placement["record_start_frame"], placement["duration_frames"]) == (90010, 75)
