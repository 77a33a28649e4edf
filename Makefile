# The two front-door commands: `make demo` and `make test` (each creates .venv on first use).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install -q -e .

demo: install
	$(BIN)/foley demo --out demo-out

# The Blender extension is tested on Blender 5.0.1 and the 4.5 LTS (bpy from PyPI; it pins numpy<2,
# so each gets a venv of its own with just what an installed extension has).
BLENDER_PKGS := pytest websockets opentimelineio

test: $(BIN)/python .venv-blender50/bin/python .venv-blender45/bin/python
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test,text,neural]'
	$(BIN)/python -m pytest -q
	.venv-blender50/bin/python -m pytest -q -p no:cacheprovider tests/blender
	.venv-blender45/bin/python -m pytest -q -p no:cacheprovider tests/blender

.venv-blender50/bin/python:
	$(PYTHON) -m venv .venv-blender50
	.venv-blender50/bin/python -m pip install -q bpy==5.0.1 $(BLENDER_PKGS)

.venv-blender45/bin/python:
	$(PYTHON) -m venv .venv-blender45
	.venv-blender45/bin/python -m pip install -q "bpy>=4.5,<4.6" $(BLENDER_PKGS)

bench: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python bench/pipeline_vs_decode.py
	$(BIN)/python bench/memory_vs_length.py
	$(BIN)/python bench/engine_rtf.py
	$(BIN)/python bench/server_overhead.py

clean:
	rm -rf $(VENV) .venv-blender50 .venv-blender45 demo-out build dist *.egg-info
