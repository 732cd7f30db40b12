#!/usr/bin/env bash
# `make bench-export`: throughput and memory of the bulk export (GET /v1/exports/ormas) on the
# national dataset, on PostgreSQL.
#   1. builds the release binary (ormas-api);
#   2. drops and creates the database BENCH_EXPORT_DB, migrates it and generates the national
#      register into it (`seed --scale national --seed 1`, about 550,000 registrations: minutes);
#   3. creates the account bench-export (super_admin: its scope is the whole nation);
#   4. serves on a free port, signs in, and for each format (ndjson, csv) BENCH_RUNS times fetches
#      the whole export with curl to /dev/null while sampling the server's VmRSS every 100 ms;
#   5. prints rows, seconds, rows/s, RSS before / peak / growth, the medians, and the database's own
#      limit: the export's main query (`COPY (SELECT … ORDER BY region_code, id) TO STDOUT`);
#   6. stops the server and drops the database (BENCH_KEEP=1 keeps it).
# Targets (issue 14): ≥ 100,000 rows/s and an RSS growth under 50 MB.
# Variables: BENCH_PG_URL [postgres://postgres@127.0.0.1:5432/postgres] (a database to connect to
# for CREATE/DROP DATABASE), BENCH_EXPORT_DB [ormas_bench_export], BENCH_RUNS [3],
# BENCH_PASSWORD [bench-export-password-2026], BENCH_KEEP [0], CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

admin_url=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
db=${BENCH_EXPORT_DB:-ormas_bench_export}
runs=${BENCH_RUNS:-3}
password=${BENCH_PASSWORD:-bench-export-password-2026}
target_dir=${CARGO_TARGET_DIR:-target}
api="$target_dir/release/ormas-api"
[[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "BENCH_EXPORT_DB must be a plain identifier" >&2; exit 2; }
# The bench database's URL: the admin URL with its database name replaced.
url="${admin_url%/*}/$db"

for tool in psql curl python3; do
  command -v "$tool" >/dev/null || { echo "bench-export needs $tool" >&2; exit 2; }
done

step "release build"
cargo build --release -p ormas-api --bin ormas-api

data=$(mktemp -d)
export DATABASE_URL="$url" ORMAS_DATA_DIR="$data" RUST_LOG="${RUST_LOG:-warn}"
export ORMAS_JWT_SECRET="bench-run-$(date +%s%N)-signing-key-of-at-least-32-bytes"
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$data"
  if [ "${BENCH_KEEP:-0}" != 1 ]; then
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

step "database $db (dropped first if it exists)"
psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
psql "$admin_url" -qc "CREATE DATABASE $db"
"$api" migrate

step "generating the national register"
seed_start=$(date +%s)
RUST_LOG=info "$api" seed --scale national --seed 1
echo "seeded in $(( $(date +%s) - seed_start )) s"
psql "$url" -qc "VACUUM ANALYZE" >/dev/null
registrations=$(psql "$url" -tAqc "SELECT count(*) FROM registrations")
echo "$registrations registrations"

step "account bench-export (super_admin)"
ORMAS_PASSWORD="$password" "$api" users create --username bench-export --role super_admin \
  --display-name "Bulk export benchmark"

step "server"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
# Info from the service itself: its line after the first recount of every office's statistics,
# which it runs at start, says when the server is idle.
ORMAS_BIND="127.0.0.1:$port" RUST_LOG="warn,ormas_api=info" "$api" serve >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -sf "$base/ready" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$data/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "$base/ready" >/dev/null || { echo "the server at $base never became ready" >&2; exit 1; }
echo "serving $base (pid $server)"
for _ in $(seq 1 600); do
  grep -q "statistics: recounted" "$data/server.log" && break
  sleep 0.5
done
grep "statistics: recounted" "$data/server.log" | head -1 || echo "(no statistics recount seen: measuring anyway)"

token=$(curl -sf "$base/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"username\": \"bench-export\", \"password\": \"$password\"}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$server/status"; }

# One export to /dev/null; sets seconds, bytes, before and peak (VmRSS in kB), and load (the
# 1-minute load average before it: these machines are shared, a busy neighbour shows there).
export_once() {
  local format=$1 rss status
  load=$(cut -d' ' -f1 /proc/loadavg)
  before=$(rss_kb)
  peak=$before
  curl -sS -o /dev/null -w '%{http_code} %{size_download} %{time_total}\n' \
    -H "Authorization: Bearer $token" "$base/v1/exports/ormas?format=$format" >"$data/curl.out" &
  local client=$!
  while kill -0 "$client" 2>/dev/null; do
    rss=$(rss_kb)
    [ "$rss" -gt "$peak" ] && peak=$rss
    sleep 0.1
  done
  wait "$client" || { echo "curl failed (exit $?) on format=$format" >&2; exit 1; }
  rss=$(rss_kb)
  [ "$rss" -gt "$peak" ] && peak=$rss
  read -r status bytes seconds <"$data/curl.out"
  [ "$status" = 200 ] || { echo "format=$format answered $status" >&2; exit 1; }
}

step "exports ($runs runs per format, $registrations rows each)"
results="$data/results"
: >"$results"
printf '%-7s %4s %9s %9s %10s %9s %11s %9s %9s %5s\n' format run rows seconds rows/s MB rss_before rss_peak growth load
for format in ndjson csv; do
  for run in $(seq 1 "$runs"); do
    export_once "$format"
    echo "$format $run $registrations $seconds $bytes $before $peak $load" >>"$results"
    python3 - "$format" "$run" "$registrations" "$seconds" "$bytes" "$before" "$peak" "$load" <<'PY'
import sys
fmt, run, rows, secs, size, before, peak, load = sys.argv[1:]
rows, secs, size, before, peak = int(rows), float(secs), int(size), int(before), int(peak)
print(f"{fmt:<7} {run:>4} {rows:>9} {secs:>9.2f} {rows / secs:>10.0f} {size / 1e6:>9.1f} "
      f"{before / 1024:>8.1f} MB {peak / 1024:>6.1f} MB {(peak - before) / 1024:>6.1f} MB {load:>5}")
PY
  done
done

step "the database's own limit: the export's main query, COPY to /dev/null"
baseline_sql="COPY (SELECT r.*, o.* FROM registrations r JOIN organisations o ON o.id = r.organisation_id ORDER BY r.region_code, r.id) TO STDOUT"
baseline=()
for run in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  psql "$url" -qc "$baseline_sql" >/dev/null
  end=$(date +%s.%N)
  baseline+=("$(python3 -c "print($end - $start)")")
done

step "summary (medians of $runs runs)"
python3 - "$results" "$registrations" "${baseline[@]}" <<'PY'
import statistics, sys
path, rows, *baseline = sys.argv[1:]
rows = int(rows)
lines = [l.split() for l in open(path) if l.strip()]
db = statistics.median(float(b) for b in baseline)
print(f"database: {rows} rows in {db:.2f} s = {rows / db:,.0f} rows/s (COPY of the main query)")
for fmt in ("ndjson", "csv"):
    mine = [l for l in lines if l[0] == fmt]
    secs = statistics.median(float(l[3]) for l in mine)
    growth = max((int(l[6]) - int(l[5])) / 1024 for l in mine)
    peak = max(int(l[6]) / 1024 for l in mine)
    rate = rows / secs
    speed = "met" if rate >= 100_000 else "MISSED"
    memory = "met" if growth < 50 else "MISSED"
    print(f"{fmt}: {rows} rows in {secs:.2f} s = {rate:,.0f} rows/s ({rate / (rows / db):.2f}× the "
          f"database's rate); RSS peak {peak:.1f} MB, largest growth {growth:.1f} MB; targets: "
          f"≥ 100,000 rows/s {speed}, growth < 50 MB {memory}")
first_before = int(lines[0][5]) / 1024
top = max(int(l[6]) for l in lines) / 1024
print(f"server RSS: {first_before:.1f} MB before the first export, {top:.1f} MB at most over all "
      f"{len(lines)} exports (+{top - first_before:.1f} MB)")
PY
