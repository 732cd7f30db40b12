#!/usr/bin/env bash
# `make test`: the whole suite on SQLite, then again on PostgreSQL.
# PostgreSQL is used when reachable at TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres,
# the admin URL on which each test creates and drops its own database). When it is not reachable the
# PostgreSQL run is skipped and said so, unless REQUIRE_POSTGRES=1, which makes it a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
redacted=$(printf '%s' "$pg_url" | sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#')

reachable() {
  local url=$1 host port
  if [[ $url =~ ^postgres(ql)?://([^@/]*@)?([^:/?]+)(:([0-9]+))? ]]; then
    host=${BASH_REMATCH[3]}
    port=${BASH_REMATCH[5]:-5432}
  else
    return 1
  fi
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -d "$url" -t 3
  else
    timeout 3 bash -c "</dev/tcp/$host/$port" 2>/dev/null
  fi
}

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Sums cargo's "test result" lines of one run into the plain closing line "NAME: N passed, M failed".
summarize() {
  awk -v name="$1" '/^test result:/ { p += $4; f += $6 } END { printf "%s: %d passed, %d failed\n", name, p, f }' "$log"
}

echo "==> test suite on SQLite"
env -u TEST_DATABASE_URL cargo test --workspace 2>&1 | tee "$log"
sqlite_summary=$(summarize sqlite)

if reachable "$pg_url"; then
  echo "==> test suite on PostgreSQL ($redacted)"
  TEST_DATABASE_URL="$pg_url" cargo test --workspace 2>&1 | tee "$log"
  echo "==> both backends passed"
  echo "$sqlite_summary"
  summarize postgres
elif [[ "${REQUIRE_POSTGRES:-0}" == 1 ]]; then
  echo "ERROR: PostgreSQL is required (REQUIRE_POSTGRES=1) but not reachable at $redacted" >&2
  exit 1
else
  echo "==> SKIPPED the PostgreSQL run: nothing reachable at $redacted (set TEST_DATABASE_URL to a server's admin URL)"
  echo "$sqlite_summary"
fi
