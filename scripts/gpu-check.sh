#!/usr/bin/env bash
# The GPU check, for a machine with an NVIDIA GPU (and, as far as it goes, any other): installs what
# it needs from the npm registry and Debian apt only, runs `npm run bench -- gpu --torch` (each GPU
# provider that works against the CPU path, in float32 and fp16, and PyTorch on the CPU and on CUDA
# where the installed torch has CUDA) and the WebGPU tests on the real adapter, and prints one
# summary at the end. Never stops at the first failure: each part says what it could not do.
#
#   bash scripts/gpu-check.sh [--presets bert-tiny,bert-mini,bert-small] [--batch 32] [--steps 5]
#
# What it needs there:
#   - WebGPU (Vulkan on Linux): libvulkan1 (apt) and the NVIDIA driver's Vulkan ICD
#     (/usr/share/vulkan/icd.d/nvidia_icd.json; in a container, NVIDIA_DRIVER_CAPABILITIES must
#     include `graphics`). Without it, Mesa's lavapipe (scripts/ensure-webgpu.sh) gives a software
#     adapter: the WebGPU numbers are then CPU numbers, and the summary says so.
#   - CUDA in ONNX Runtime: onnxruntime-node's CUDA binaries come from outside the npm registry
#     (`npm install onnxruntime-node --onnxruntime-node-install=cuda12`); tried once, reported.
#   - PyTorch on CUDA: Debian's python3-torch is CPU-only. FINETUNE_PYTHON=/path/to/python with a
#     CUDA torch makes the bench use that one instead.
set -uo pipefail
cd "$(dirname "$0")/.."
ARGS=("$@")
[ ${#ARGS[@]} -eq 0 ] && ARGS=(--presets bert-tiny,bert-mini,bert-small --batch 32 --steps 5)
LOG=$(mktemp -d)
SUMMARY=()
note() { SUMMARY+=("$1"); echo "== $1"; }
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo

echo "== machine"
uname -srm
nproc
if command -v nvidia-smi >/dev/null; then
  GPU=$(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | head -1)
  note "GPU: ${GPU:-nvidia-smi found but no GPU listed}"
else
  note "GPU: no nvidia-smi (no NVIDIA driver here)"
fi

# Node dependencies (npm registry only; onnxruntime-node's CUDA download is skipped by .npmrc).
if [ ! -d node_modules/onnxruntime-node ]; then
  npm ci --no-audit --no-fund >"$LOG/npm.txt" 2>&1 && note "npm ci: done" || note "npm ci failed (see $LOG/npm.txt)"
fi

# Vulkan for WebGPU: the NVIDIA ICD when the driver has one, else lavapipe.
ICD=$(ls /usr/share/vulkan/icd.d/nvidia_icd*.json /etc/vulkan/icd.d/nvidia_icd*.json 2>/dev/null | head -1)
if [ -n "$ICD" ]; then
  dpkg-query -W libvulkan1 >/dev/null 2>&1 || { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libvulkan1 >/dev/null; }
  note "Vulkan: NVIDIA ICD $ICD"
else
  bash scripts/ensure-webgpu.sh
  note "Vulkan: no NVIDIA Vulkan ICD here; WebGPU runs on Mesa lavapipe if at all (software: not GPU timings)"
fi
if ! command -v vulkaninfo >/dev/null; then DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq vulkan-tools >/dev/null 2>&1 || true; fi
if command -v vulkaninfo >/dev/null; then
  ADAPTERS=$(vulkaninfo --summary 2>/dev/null | grep -E 'deviceName' | sed 's/.*= //' | paste -sd ';' -)
  note "Vulkan adapters: ${ADAPTERS:-none}"
fi

# ONNX Runtime's CUDA provider (binaries from outside the npm registry: may not download here).
if command -v nvidia-smi >/dev/null && [ ! -e node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so ]; then
  if timeout 300 npm install --no-save --no-audit --no-fund onnxruntime-node@"$(node -p "require('onnxruntime-node/package.json').version")" --onnxruntime-node-install=cuda12 >"$LOG/cuda.txt" 2>&1 &&
    [ -e node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so ]; then
    note "onnxruntime-node CUDA provider: installed"
  else
    note "onnxruntime-node CUDA provider: could not be installed here (its binaries are not on the npm registry); CUDA rows skipped"
  fi
fi

# PyTorch: the bench's reference (CPU), and CUDA where the torch at hand has it.
PY=${FINETUNE_PYTHON:-/usr/bin/python3}
if ! "$PY" -c 'import torch' 2>/dev/null && [ "$PY" = /usr/bin/python3 ]; then
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-torch libopenblas0-openmp >/dev/null; } 2>&1 | tail -2
fi
TORCH=$("$PY" -c 'import torch; print(torch.__version__, "cuda:", torch.cuda.is_available())' 2>/dev/null || echo "none")
note "PyTorch ($PY): $TORCH$([ "$PY" = /usr/bin/python3 ] && echo " (Debian's build: CPU only)")"

echo "== npm run bench -- gpu --torch ${ARGS[*]}"
FINETUNE_PYTHON="$PY" npm run --silent bench -- gpu --torch "${ARGS[@]}" 2>"$LOG/bench-err.txt" | tee "$LOG/bench.txt"
[ "${PIPESTATUS[0]}" = 0 ] && note "bench gpu: done" || note "bench gpu failed (see $LOG/bench-err.txt)"

echo "== WebGPU tests (test/integration/gpu)"
node scripts/test.mjs integration gpu >"$LOG/tests.txt" 2>&1
TESTS=$(grep -E '^# (pass|fail|skipped)' "$LOG/tests.txt" | tr '\n' ' ')
note "WebGPU tests: ${TESTS:-no result} (log: $LOG/tests.txt)"
grep -E '^# Subtest|skip' "$LOG/tests.txt" | grep -i skip | head -3

echo
echo "================ GPU check summary ================"
for line in "${SUMMARY[@]}"; do echo "- $line"; done
echo
grep -E '^\||^sequence|^note|not measured|No GPU' "$LOG/bench.txt" || echo "(no bench table)"
