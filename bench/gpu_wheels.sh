#!/usr/bin/env bash
# Wheels a lent GPU machine needs for bench/gpu_engines.py, this project's own included (so its
# engines' entry points exist there): the machine's Python 3.12 image has torch, torchaudio,
# transformers, accelerate, scipy and the like (the device tool's KINDS.md lists them) and cannot
# reach a registry. Run here, then give the device call `carry: [".whl"]` and the command this prints.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .whl
# diffusers pinned as in pyproject.toml's neural extra: the engines follow denoising through 0.42's `callback`.
for name in "diffusers>=0.35,<0.43" torchsde trampoline av opentimelineio soundfile cffi pycparser soxr pyloudnorm; do
  python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --platform any -d .whl "$name"
done
rm -f .whl/foley_bridge-*.whl
python3 -m pip wheel -q --no-deps -w .whl .  # build isolation: setuptools>=68 from the registry
du -sh .whl
INSTALL='python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 || exit;'
echo 'device command 1, the benchmark (timeout_s 540):'
echo "$INSTALL python3 bench/gpu_engines.py"
echo 'device command 2, on the machine still warm: the model-engine tests, their foley-generate cases on the GPU'
echo '(bf16, torchaudio); the server cases need fastapi and uvicorn, which the image lacks (timeout_s 180):'
echo "$INSTALL FOLEY_TEST_DEVICE=cuda:0 python3 -m pytest -q -p no:cacheprovider tests/engines/test_neural_engines.py -k 'not server'"
