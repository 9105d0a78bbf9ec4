#!/usr/bin/env bash
# All issue-8 benchmarks on a machine with an NVIDIA GPU, in under five minutes once built:
#   1. SGEMM peak on the CPU (reference for GFLOP/s)
#   2. k-means 200000×512, k=100, 20 Lloyd iterations: --device cuda (ONNX graph: Gemm, ArgMin, ReduceMin, OneHot
#      sums), then the managed CPU kernels on the same data and start for comparison
#   3. probe 200000×512 → 10 classes, 100 epochs: --device cuda (ONNX graph: Gemm, Softmax, LogSoftmax, Xᵀ·G), then CPU
#   4. the whole method (100000 pairs × 512 × 2, k = 10) with the shards' k-means and probe gradients on the device
#      (as a silo with SCAR_ACCELERATOR=cuda), then on the CPU; FDS printed for both
#   5. extraction throughput (emoji set, ResNet18 + MiniLM) with --provider cuda
# Every CUDA step fails loudly when CUDA cannot start (no fallback to the CPU): a missing CUDA runtime ends the
# script at the first step with the reason. CPU results never need this script (bench/compare.sh).
# Needs: the CUDA 12/13 runtime + cuBLAS + cuDNN 9 that Microsoft.ML.OnnxRuntime.Gpu 1.32.0 expects, and either
# the .NET 10 SDK with the NuGet packages (the script builds first; the build is not in the five minutes) or
# SCAR_BENCH / SCAR_BIN pointing at a built Scar.Bench / scar. The emoji data must be in data/emoji
# (scripts/fetch-emoji.sh; carry it when the GPU machine has no network); SKIP_EXTRACTION=1 leaves step 4 out.
# Sizes: KM_N KM_D KM_K KM_ITERS, PR_N PR_D PR_C PR_EPOCHS, CH_N CH_D CH_K. Results: out/bench-gpu/results.jsonl.
# DEVICE=onnx-cpu (extraction: --provider cpu) is a dry run of the script itself on a machine without a GPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
KM_N=${KM_N:-200000} KM_D=${KM_D:-512} KM_K=${KM_K:-100} KM_ITERS=${KM_ITERS:-20}
PR_N=${PR_N:-200000} PR_D=${PR_D:-512} PR_C=${PR_C:-10} PR_EPOCHS=${PR_EPOCHS:-100}
CH_N=${CH_N:-100000} CH_D=${CH_D:-512} CH_K=${CH_K:-10}
BUDGET=${BUDGET:-290} DEVICE=${DEVICE:-cuda}
provider=cuda
[ "$DEVICE" = cuda ] || provider=cpu

nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "warning: nvidia-smi not found" >&2
if [ -z "${SCAR_BENCH:-}" ]; then
  dotnet build bench/Scar.Bench -c Release -v q -nologo >/dev/null
  SCAR_BENCH=bench/Scar.Bench/bin/Release/net10.0/Scar.Bench
fi
if [ -z "${SKIP_EXTRACTION:-}" ] && [ -z "${SCAR_BIN:-}" ]; then
  dotnet build src/Client -c Release -v q -nologo >/dev/null
  SCAR_BIN=src/Client/bin/Release/net10.0/scar
fi

out=out/bench-gpu
rm -rf "$out"
mkdir -p "$out"
results=$out/results.jsonl
data=${DATA:-bench/data}
start=$(date +%s)

# Runs "$@" with at most $1 seconds and never past the overall budget; a failure or a timeout ends the script.
step() {
  local cap=$1 name=$2
  shift 2
  local left=$(( BUDGET - ($(date +%s) - start) ))
  (( left < cap )) && cap=$left
  if (( cap <= 0 )); then
    echo "FAILED: $name: the ${BUDGET} s budget is spent" >&2
    exit 1
  fi
  echo "== $name (at most ${cap} s)" >&2
  local rc=0
  timeout "$cap" "$@" || rc=$?
  if (( rc != 0 )); then
    (( rc == 124 )) && echo "FAILED: $name timed out after ${cap} s" >&2 || echo "FAILED: $name (exit $rc)" >&2
    exit 1
  fi
}

bench() { # name cap verb args...: one JSON line appended to results.jsonl, tagged with the step's name
  local name=$1 cap=$2
  shift 2
  step "$cap" "$name" "$SCAR_BENCH" "$@" --data "$data" --json >"$out/$name.json"
  sed "s/^{/{\"step\":\"$name\",/" "$out/$name.json" >>"$results"
}

# Fail fast when CUDA is missing: a tiny k-means on the CUDA provider before any long step.
step 60 "$DEVICE preflight" "$SCAR_BENCH" kmeans --n 2000 --d 16 --k 4 --iters 2 --data "$data/preflight" --device "$DEVICE"

bench gemm-cpu 60 gemm --m 4096 --n 4096 --k 1024 --reps 3
bench "kmeans-$DEVICE" 90 kmeans --n "$KM_N" --d "$KM_D" --k "$KM_K" --iters "$KM_ITERS" --device "$DEVICE"
bench "probe-$DEVICE" 90 probe --n "$PR_N" --d "$PR_D" --classes "$PR_C" --epochs "$PR_EPOCHS" --patience "$PR_EPOCHS" --device "$DEVICE"
bench kmeans-cpu 60 kmeans --n "$KM_N" --d "$KM_D" --k "$KM_K" --iters "$KM_ITERS"
bench probe-cpu 60 probe --n "$PR_N" --d "$PR_D" --classes "$PR_C" --epochs "$PR_EPOCHS" --patience "$PR_EPOCHS"
# The whole method: the first run generates the data (not part of the device's figure, so it is the CPU run's).
bench characterize-cpu 120 characterize --n "$CH_N" --d "$CH_D" --k "$CH_K"
bench "characterize-$DEVICE" 90 characterize --n "$CH_N" --d "$CH_D" --k "$CH_K" --device "$DEVICE"

if [ -z "${SKIP_EXTRACTION:-}" ]; then
  if [ ! -s data/emoji/manifest.jsonl ]; then
    step 60 "fetch emoji" scripts/fetch-emoji.sh
  fi
  ext_start=$(date +%s)
  step 200 "extraction-$provider" "$SCAR_BIN" extract --manifest data/emoji/manifest.jsonl --provider "$provider" --out "$out/extract"
  echo "{\"step\":\"extraction-$provider\",\"seconds\":$(( $(date +%s) - ext_start ))}" >>"$results"
fi

echo
echo "results ($results), $(( $(date +%s) - start )) s in all:"
field() { sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" <<<"$1" | tr -d '"'; }
while IFS= read -r line; do
  name=$(field "$line" step)
  case $name in
    *gemm*) printf '  %-16s %8.1f GFLOP/s  (%s)\n' "$name" "$(field "$line" gflops)" "$(field "$line" backend)" ;;
    *kmeans*) printf '  %-16s %8.1f GFLOP/s  %.3f s for %s iterations, objective %s  (%s)\n' "$name" "$(field "$line" gflops)" \
      "$(field "$line" seconds)" "$(field "$line" iterations)" "$(field "$line" objective)" "$(field "$line" backend)" ;;
    *characterize*) printf '  %-16s %8.2f s whole method, FDS %s  (%s)\n' "$name" "$(field "$line" seconds)" \
      "$(sed -n 's/.*"fds":\({[^}]*}\).*/\1/p' <<<"$line")" "$(field "$line" backend)" ;;
    *probe*) printf '  %-16s %8.2f ms/epoch  %s epochs, final loss %s  (%s)\n' "$name" "$(field "$line" ms_per_epoch)" \
      "$(field "$line" epochs)" "$(field "$line" final_loss)" "$(field "$line" backend)" ;;
    *) printf '  %-16s %s s (model loading and the merge included)\n' "$name" "$(field "$line" seconds)" ;;
  esac
done <"$results"
