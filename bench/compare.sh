#!/usr/bin/env bash
# Runs each Scar benchmark beside its Python peer on the same .npy data and prints the ratios of issue 8.
# Usage: bench/compare.sh [all|gemm|kmeans|probe|characterize]...   (sizes and threads via the variables below)
set -euo pipefail
cd "$(dirname "$0")/.."
# Only here, for the benchmark: OpenBLAS picks its own kernel and cache sizes (tests and CI keep the environment).
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
# Then check which kernels it picked: an OpenBLAS that does not know the processor (Debian's 0.3.21 on Emerald Rapids
# takes Prescott's) would slow FAISS, NumPy and the SGEMM peak alike. Give it the kernels of the processor's vector
# width for both sides then, and say so.
core=$(/usr/bin/python3 -c "import ctypes; l=ctypes.CDLL('libopenblas.so.0'); l.openblas_get_corename.restype=ctypes.c_char_p; print(l.openblas_get_corename().decode())" 2>/dev/null || echo none)
case ",${core,,}," in
  *,haswell,*|*,skylakex,*|*,cooperlake,*|*,sapphirerapids,*|*,zen,*|*,excavator,*|*,none,*) ;;
  *) if grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo; then
       grep -qw avx512f /proc/cpuinfo && export OPENBLAS_CORETYPE=SkylakeX || export OPENBLAS_CORETYPE=Haswell
       echo "# OpenBLAS chose its $core kernels (a fallback for a processor it does not know): OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE for every program below"
     fi ;;
esac
T=${THREADS:-2}
export OMP_NUM_THREADS=$T OPENBLAS_NUM_THREADS=$T MKL_NUM_THREADS=$T
DATA=${DATA:-bench/data}
KM_N=${KM_N:-200000} KM_D=${KM_D:-512} KM_K=${KM_K:-100} KM_ITERS=${KM_ITERS:-20}
PR_N=${PR_N:-200000} PR_D=${PR_D:-512} PR_C=${PR_C:-10} PR_EPOCHS=${PR_EPOCHS:-100}
CH_N=${CH_N:-100000} CH_D=${CH_D:-512} CH_K=${CH_K:-10}
PY=/usr/bin/python3
dotnet build bench/Scar.Bench -c Release -v q -nologo >/dev/null
BENCH=bench/Scar.Bench/bin/Release/net10.0/Scar.Bench
field() { $PY -c "import json,sys; d=json.loads(sys.argv[1]); print(d$2)" "$1"; }
ratio() { $PY -c "import sys; print(f'{float(sys.argv[1])/float(sys.argv[2]):.3f}')" "$1" "$2"; }
what=${*:-all}
echo "# $(date -u +%FT%TZ) $(nproc) cores, threads=$T, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), OpenBLAS kernels ${OPENBLAS_CORETYPE:-$core}"

PEAK=""
if [[ $what == *all* || $what == *gemm* || $what == *kmeans* || $what == *probe* ]]; then
  g=$($BENCH gemm --m 4096 --n 4096 --k 1024 --threads "$T" --json)
  gm=$($BENCH gemm --m 4096 --n 4096 --k 1024 --threads "$T" --managed --json)
  PEAK=$(field "$g" "['gflops']")
  echo "sgemm peak (OpenBLAS via Scar, 4096x4096x1024): $PEAK GFLOP/s; Scar managed kernel: $(field "$gm" "['gflops']") GFLOP/s"
fi

if [[ $what == *all* || $what == *kmeans* ]]; then
  s=$($BENCH kmeans --n "$KM_N" --d "$KM_D" --k "$KM_K" --iters "$KM_ITERS" --threads "$T" --data "$DATA" --json)
  x=$(field "$s" "['x']"); init=$(field "$s" "['init']")
  f=$($PY bench/peers/kmeans_faiss.py --x "$x" --init "$init" --iters "$KM_ITERS" --threads "$T" --json)
  echo "kmeans n=$KM_N d=$KM_D k=$KM_K iters=$KM_ITERS: scar $(field "$s" "['seconds']") s $(field "$s" "['gflops']") GFLOP/s obj $(field "$s" "['objective']"); faiss $(field "$f" "['seconds']") s $(field "$f" "['gflops']") GFLOP/s obj $(field "$f" "['objective']")"
  echo "  RATIO kmeans throughput scar/faiss = $(ratio "$(field "$s" "['gflops']")" "$(field "$f" "['gflops']")") (target >= 1.5)"
  echo "  RATIO kmeans objective |scar-faiss|/faiss = $($PY -c "import sys; a,b=map(float,sys.argv[1:]); print(f'{abs(a-b)/b:.2e}')" "$(field "$s" "['objective']")" "$(field "$f" "['objective']")") (target <= 5e-3)"
  echo "  RATIO kmeans scar/sgemm peak = $(ratio "$(field "$s" "['gflops']")" "$PEAK") (target >= 0.5)"
fi

if [[ $what == *all* || $what == *probe* ]]; then
  s=$($BENCH probe --n "$PR_N" --d "$PR_D" --classes "$PR_C" --epochs "$PR_EPOCHS" --threads "$T" --data "$DATA" --json)
  t=$($PY bench/peers/probe_torch.py --x "$(field "$s" "['x']")" --y "$(field "$s" "['y']")" --epochs "$PR_EPOCHS" --threads "$T" --json)
  sm=$(field "$s" "['ms_per_epoch']"); tm=$(field "$t" "['ms_per_epoch']")
  echo "probe n=$PR_N d=$PR_D classes=$PR_C: scar $sm ms/epoch ($(field "$s" "['epochs']") epochs, loss $(field "$s" "['final_loss']")); torch $tm ms/epoch ($(field "$t" "['epochs']") epochs, loss $(field "$t" "['final_loss']"))"
  echo "  RATIO probe epoch scar/torch = $(ratio "$sm" "$tm") (target <= 0.5)"
  gf=$($PY -c "import sys; print(f'{4*$PR_N*$PR_D*$PR_C/(float(sys.argv[1])/1000)/1e9:.1f}')" "$sm")
  echo "  RATIO probe kernels scar/sgemm peak = $(ratio "$gf" "$PEAK") ($gf GFLOP/s for the two products; target >= 0.5)"
  # With 10 classes an epoch does 4·d·k flops per row it streams (4·d bytes read once): k flops per byte. The roofline
  # min(peak, bandwidth × k) says whether memory or the multiply units bound the two products on this machine.
  bw=$($BENCH bandwidth --mib 1024 --threads "$T" --json)
  gbs=$(field "$bw" "['gb_per_s']")
  roof=$($PY -c "import sys; p,b,k=map(float,sys.argv[1:]); print(f'{min(p, b*k):.1f}')" "$PEAK" "$gbs" "$PR_C")
  echo "  probe roofline: read bandwidth $gbs GB/s x $PR_C flops/byte = $roof GFLOP/s attainable; RATIO probe kernels scar/roofline = $(ratio "$gf" "$roof")"
fi

if [[ $what == *all* || $what == *characterize* ]]; then
  s=$($BENCH characterize --n "$CH_N" --d "$CH_D" --k "$CH_K" --threads "$T" --data "$DATA" --json)
  if [[ $(field "$s" "['peak_includes_generation']") == True ]]; then
    s=$($BENCH characterize --n "$CH_N" --d "$CH_D" --k "$CH_K" --threads "$T" --data "$DATA" --json)  # the peak of the pipeline alone
  fi
  p=$($PY bench/peers/pipeline_python.py --out "$(field "$s" "['out']")" --k "$CH_K" --threads "$T" --json)
  echo "characterize n=$CH_N d=$CH_D k=$CH_K: scar $(field "$s" "['seconds']") s $(field "$s" "['stages']"); python $(field "$p" "['seconds']") s $(field "$p" "['stages']")"
  echo "  FDS scar $(field "$s" "['fds']"), python $(field "$p" "['fds']")"
  echo "  python probes started from torch's own init instead of Scar's: $(field "$p" ".get('init_fallbacks')")"
  echo "  RATIO whole method python/scar = $(ratio "$(field "$p" "['seconds']")" "$(field "$s" "['seconds']")") (target >= 3)"
  echo "  RATIO FDS |python-scar|/scar = $(field "$p" "['fds_rel_diff']") (target <= 0.01)"
  echo "  RATIO peak working set / embedding bytes = $(field "$s" "['peak_ratio']") (target <= 1.5)"
fi
