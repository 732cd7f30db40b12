#!/usr/bin/env bash
# `make bench-stats`: latency of the statistics, list and status endpoints on a national-scale
# PostgreSQL database.
#   1. builds the release binaries (ormas-api, ormas-bench);
#   2. migrates BENCH_DATABASE_URL (created when missing) and, when it holds no registrations yet,
#      generates the national register into it (`seed --scale national --seed 1`, a few minutes;
#      kept for the next run);
#   3. creates the account bench-admin (super_admin) unless it exists;
#   4. serves on a free port, waits for /ready, runs ormas-bench, and stops the server.
# Variables: BENCH_DATABASE_URL [postgres://postgres@127.0.0.1:5432/ormas_bench],
# BENCH_PASSWORD [bench-admin-password-2026], BENCH_REQUESTS [200], BENCH_WARMUP [20],
# BENCH_ARGS (more ormas-bench options, e.g. --cases health,list-region), CARGO_TARGET_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n==> %s\n' "$*"; }

url=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ormas_bench}
password=${BENCH_PASSWORD:-bench-admin-password-2026}
target_dir=${CARGO_TARGET_DIR:-target}
api="$target_dir/release/ormas-api"
bench="$target_dir/release/ormas-bench"

step "release build"
cargo build --release -p ormas-api -p ormas-tests --bin ormas-api --bin ormas-bench

data=$(mktemp -d)
export DATABASE_URL="$url" ORMAS_DATA_DIR="$data" RUST_LOG="${RUST_LOG:-warn}"
export ORMAS_JWT_SECRET="bench-run-$(date +%s%N)-signing-key-of-at-least-32-bytes"
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$data"
}
trap cleanup EXIT

step "database"
"$api" migrate
registrations=
if command -v psql >/dev/null; then
  registrations=$(psql "$url" -tAqc "SELECT count(*) FROM registrations")
fi
if [ "$registrations" = "0" ]; then
  step "generating the national register (once per database)"
  RUST_LOG=info "$api" seed --scale national --seed 1
elif [ -n "$registrations" ]; then
  echo "the database holds $registrations registrations: not seeding"
else
  # No psql: the seeder itself refuses a database that holds registrations.
  if ! out=$(RUST_LOG=info "$api" seed --scale national --seed 1 2>&1); then
    grep -q "already holds" <<<"$out" || { echo "$out" >&2; exit 1; }
    echo "the database holds registrations already: not seeding"
  else
    echo "$out"
  fi
fi

step "account bench-admin"
if ! out=$(ORMAS_PASSWORD="$password" "$api" users create --username bench-admin --role super_admin 2>&1); then
  grep -qE "taken|already exists" <<<"$out" || { echo "$out" >&2; exit 1; }
  echo "bench-admin exists"
else
  echo "$out"
fi

step "server"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
ORMAS_BIND="127.0.0.1:$port" "$api" serve >"$data/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -sf "$base/ready" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$data/server.log" >&2; exit 1; }
  sleep 0.2
done
curl -sf "$base/ready" >/dev/null || { echo "the server at $base never became ready" >&2; exit 1; }
echo "serving $base"

step "ormas-bench"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
"$bench" --base-url "$base" --username bench-admin --password "$password" \
  --requests "${BENCH_REQUESTS:-200}" --warmup "${BENCH_WARMUP:-20}" ${BENCH_ARGS:-}
