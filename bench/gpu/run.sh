#!/usr/bin/env bash
# Extraction throughput with ONNX Runtime's CUDA execution provider, on a machine with an NVIDIA GPU.
# Needs: the CUDA 12/13 runtime + cuBLAS + cuDNN that Microsoft.ML.OnnxRuntime.Gpu 1.32.0 expects, and either the
# .NET 10 SDK with the NuGet packages (the script builds) or SCAR_BIN pointing at a built `scar`.
# The emoji data must be in data/emoji (scripts/fetch-emoji.sh; carry it when the GPU machine has no network).
# Runs in well under 5 minutes: the whole emoji set (3,786 images, ~7,500 captions) with --provider cuda,
# which fails loudly instead of falling back to the CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "warning: nvidia-smi not found" >&2
if [ ! -s data/emoji/manifest.jsonl ]; then
  scripts/fetch-emoji.sh
fi
if [ -z "${SCAR_BIN:-}" ]; then
  dotnet build src/Client -c Release -v q -nologo >/dev/null
  SCAR_BIN=src/Client/bin/Release/net10.0/scar
fi
out=out/bench-gpu
rm -rf "$out"
start=$(date +%s)
timeout 280 "$SCAR_BIN" extract --manifest data/emoji/manifest.jsonl --provider cuda --out "$out"
echo "wall: $(( $(date +%s) - start )) s (model loading and the merge included)"
