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

test: $(BIN)/python
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[test,text]'
	$(BIN)/python -m pytest -q

bench: $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python bench/pipeline_vs_decode.py
	$(BIN)/python bench/memory_vs_length.py
	$(BIN)/python bench/engine_rtf.py
	$(BIN)/python bench/server_overhead.py

clean:
	rm -rf $(VENV) demo-out build *.egg-info
