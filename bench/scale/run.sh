#!/usr/bin/env bash
# Scale benchmark (issue 3): a synthetic paired corpus of N pairs × D dims × 2 modalities, characterized with k = K
# on a local cluster of S silo processes. Prints wall time per stage, peak memory per silo (VmHWM), the embedding
# bytes each silo held, and throughput.
#   bench/scale/run.sh [N=1000000] [D=512] [K=10] [SILOS=2]
# Data goes to ${SCAR_BENCH_DIR:-bench/data/scale} (git-ignored); the cluster uses its own ports and folder.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}; d=${2:-512}; k=${3:-10}; silos=${4:-2}
dir=${SCAR_BENCH_DIR:-$root/bench/data/scale}
mkdir -p "$dir"
bin=$dir/bin
dotnet publish "$root/src/Client" -c Release -o "$bin/client" >/dev/null
dotnet publish "$root/src/Silo" -c Release -o "$bin/silo" >/dev/null
data=$dir/corpus-$n-$d
if [ ! -f "$data/data/text.npy" ]; then
  /usr/bin/time -f "generate: %e s, peak %M KiB" dotnet "$bin/client/scar.dll" demo --generate-only --out "$data" --n "$n" --concepts "$k" --image-dim "$d" --text-dim "$d"
fi
export SCAR_CLUSTER_DIR=$dir/cluster SCAR_BASE_SILO_PORT=${SCAR_BASE_SILO_PORT:-12111} SCAR_BASE_GATEWAY_PORT=${SCAR_BASE_GATEWAY_PORT:-31000}
export SCAR_CLUSTER_ID=scar-bench SCAR_SILO_DLL=$bin/silo/Scar.Silo.dll
rm -rf "$SCAR_CLUSTER_DIR"
gateways=$("$root/scripts/local-cluster.sh" up "$silos")
trap '"$root/scripts/local-cluster.sh" down' EXIT
out=$dir/out-$n-$d-k$k-s$silos
rm -rf "$out"
# Memory timeline: every second, each silo's resident MiB (one column per silo), to see which stage peaks.
timeline=$dir/memory-$n-$d-k$k-s$silos.tsv
(
  t0=$(date +%s)
  while sleep 1; do
    line="$(( $(date +%s) - t0 ))"
    for pidfile in "$SCAR_CLUSTER_DIR"/silo-*.pid; do
      rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$(cat "$pidfile")/status" 2>/dev/null || echo 0)
      line="$line	$rss"
    done
    echo "$line"
  done
) >"$timeline" &
sampler=$!
trap 'kill $sampler 2>/dev/null; "$root/scripts/local-cluster.sh" down' EXIT
start=$(date +%s.%N)
dotnet "$bin/client/scar.dll" characterize --embeddings "image=$data/data/image.npy" --embeddings "text=$data/data/text.npy" \
  --k "$k" --out "$out" --cluster "$gateways" --cluster-id scar-bench
end=$(date +%s.%N)
echo
echo "== scale benchmark: n=$n d=$d k=$k silos=$silos"
echo "wall: $(echo "$end - $start" | bc) s"
echo "stages (s): $(cat "$out/timings.json" | tr -d '\n ')"
bytes=$((2 * n * d * 4))
echo "embedding bytes: $bytes ($((bytes / 1048576)) MiB), $((bytes / silos / 1048576)) MiB per silo if spread evenly"
for pidfile in "$SCAR_CLUSTER_DIR"/silo-*.pid; do
  pid=$(cat "$pidfile")
  hwm=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  if [ -z "$hwm" ]; then
    echo "$(basename "$pidfile" .pid): not running at the end (see ${pidfile%.pid}.log)"
    continue
  fi
  log=${pidfile%.pid}.log
  held=$(grep -o 'held here: [0-9]* bytes' "$log" 2>/dev/null | awk '{s += $3} END {printf "%.0f\n", s}')
  ratio=$(if [ "$held" -gt 0 ]; then echo "scale=2; $hwm * 1024 / $held" | bc; else echo "n/a"; fi)
  echo "$(basename "$pidfile" .pid): peak resident $((hwm / 1024)) MiB, embedding shards held $((held / 1048576)) MiB, ratio $ratio"
done
echo "memory timeline (s, resident MiB per silo): $timeline"
echo "throughput: $(echo "scale=1; $n / ($end - $start)" | bc) pairs/s end to end"
