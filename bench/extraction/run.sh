#!/usr/bin/env bash
# Extraction throughput of the built-in encoders (ResNet18 images, MiniLM-L6 texts) on the real emoji set.
# Usage: bench/extraction/run.sh [N_ITEMS=500] [PROVIDER=cpu]
# Prints "images/s" and "texts/s" (each: items over the wall time of its stage, decoding overlapped with inference).
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-500}
provider=${2:-cpu}
scripts/fetch-emoji.sh >/dev/null
slice=data/emoji/bench-$n.jsonl
head -n "$n" data/emoji/manifest.jsonl > "$slice"
out=out/bench-extraction-$provider-$n
rm -rf "$out"
if [ -z "${SCAR_BIN:-}" ]; then
  dotnet build src/Client -c Release -v q -nologo >/dev/null
  SCAR_BIN=src/Client/bin/Release/net10.0/scar
fi
echo "command: $SCAR_BIN extract --manifest $slice --provider $provider --out $out" >&2
"$SCAR_BIN" extract --manifest "$slice" --provider "$provider" --out "$out"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
