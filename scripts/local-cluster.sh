#!/usr/bin/env bash
# Starts and stops a local Scar cluster of N silo processes on this machine.
#   scripts/local-cluster.sh up N      start N silos (gateways on 30000, 30001, ...); prints the --cluster value
#   scripts/local-cluster.sh down      stop them (SIGTERM, then SIGKILL after 20 s)
#   scripts/local-cluster.sh status    list the running silos
# Environment: SCAR_CLUSTER_DIR (state, logs, pids; default .scar-cluster), SCAR_CLUSTER_ID (scar-local),
# SCAR_BASE_SILO_PORT (11111), SCAR_BASE_GATEWAY_PORT (30000), SCAR_STORAGE (file | memory | redis),
# SCAR_CLUSTERING (localhost | redis), SCAR_REDIS (localhost:6379), SCAR_PROBE_CONCURRENCY (0 = cores),
# SCAR_SILO_DLL (the silo build to run; default src/Silo/bin/Release/net10.0/Scar.Silo.dll).
# SCAR_BASE_HTTP_PORT (unset: no HTTP API; else silo i serves it on BASE + i, with SCAR_API_TOKEN, SCAR_DATA_ROOTS, SCAR_HTTP_BIND).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${SCAR_CLUSTER_DIR:-$root/.scar-cluster}
silo_dll=${SCAR_SILO_DLL:-$root/src/Silo/bin/Release/net10.0/Scar.Silo.dll}
base_silo=${SCAR_BASE_SILO_PORT:-11111}
base_gateway=${SCAR_BASE_GATEWAY_PORT:-30000}

wait_for_port() {
  local port=$1 deadline=$((SECONDS + 90))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then return 1; fi
    sleep 0.5
  done
}

# A port another process still holds (a silo of an earlier cluster that is still stopping) would make the check
# below talk to the old silo: wait for it to be released first.
wait_for_free_port() {
  local port=$1 deadline=$((SECONDS + 30))
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    if [ $SECONDS -ge $deadline ]; then return 1; fi
    sleep 0.5
  done
}

case "${1:-}" in
  up)
    n=${2:?usage: local-cluster.sh up N}
    mkdir -p "$dir/state"
    if [ ! -f "$silo_dll" ]; then
      dotnet build "$root/src/Silo" -c Release >/dev/null
    fi
    gateways=()
    for ((i = 0; i < n; i++)); do
      if [ -f "$dir/silo-$i.pid" ] && kill -0 "$(cat "$dir/silo-$i.pid")" 2>/dev/null; then
        echo "silo $i already running (pid $(cat "$dir/silo-$i.pid"))" >&2
      else
        for port in $((base_silo + i)) $((base_gateway + i)); do
          if ! wait_for_free_port "$port"; then
            echo "port $port is in use by another process; stop it (scripts/local-cluster.sh down, or see ss -ltnp) or choose other ports with SCAR_BASE_SILO_PORT / SCAR_BASE_GATEWAY_PORT" >&2
            exit 1
          fi
        done
        (
          # With SCAR_BASE_HTTP_PORT, silo i serves the HTTP API on SCAR_BASE_HTTP_PORT + i.
          if [ -n "${SCAR_BASE_HTTP_PORT:-}" ]; then export SCAR_HTTP_PORT=$((SCAR_BASE_HTTP_PORT + i)); fi
          SCAR_SILO_PORT=$((base_silo + i)) SCAR_GATEWAY_PORT=$((base_gateway + i)) SCAR_PRIMARY_SILO_PORT=$base_silo \
          SCAR_STORAGE=${SCAR_STORAGE:-file} SCAR_STORAGE_DIR=$dir/state SCAR_CLUSTER_ID=${SCAR_CLUSTER_ID:-scar-local} \
            setsid nohup dotnet "$silo_dll" >"$dir/silo-$i.log" 2>&1 < /dev/null &
          echo $! >"$dir/silo-$i.pid"
        )
      fi
      if ! wait_for_port $((base_gateway + i)); then
        echo "silo $i did not open its gateway on port $((base_gateway + i)); see $dir/silo-$i.log" >&2
        exit 1
      fi
      gateways+=("localhost:$((base_gateway + i))")
    done
    (IFS=,; echo "${gateways[*]}")
    ;;
  down)
    shopt -s nullglob
    for pidfile in "$dir"/silo-*.pid; do
      kill -TERM "$(cat "$pidfile")" 2>/dev/null || true
    done
    for pidfile in "$dir"/silo-*.pid; do
      pid=$(cat "$pidfile")
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      rm -f "$pidfile"
    done
    ;;
  status)
    shopt -s nullglob
    for pidfile in "$dir"/silo-*.pid; do
      pid=$(cat "$pidfile")
      if kill -0 "$pid" 2>/dev/null; then echo "$(basename "$pidfile" .pid) running (pid $pid)"; else echo "$(basename "$pidfile" .pid) stopped"; fi
    done
    ;;
  *)
    echo "usage: $0 up N | down | status" >&2
    exit 2
    ;;
esac
