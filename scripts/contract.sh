#!/usr/bin/env bash
# `make contract`: proves the committed OpenAPI document the way its consumers use it.
#   1. Redocly lint (recommended rules) of openapi/openapi.json;
#   2. the TypeScript client: regenerated from the spec (must equal the committed one), `tsc --noEmit`,
#      built and run against a live server;
#   3. Schemathesis (all default checks, stateful phase, fixed seed) against the live server,
#      signed in as the demo super_admin.
# The server runs from the debug build on a fresh SQLite database in a temporary directory.
# Tools come from the registries, pinned: npm packages by clients/typescript/package-lock.json,
# Python ones below, into target/tools/venv.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
SCHEMATHESIS_VERSION=4.32.5
# The Standard Webhooks reference library (MIT), for the independent webhook receiver.
STANDARDWEBHOOKS_VERSION=1.0.0
step() { printf '\n==> %s\n' "$*"; }

step "tools"
venv=target/tools/venv
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
"$venv/bin/st" --version
if ! "$venv/bin/pip" show standardwebhooks 2>/dev/null | grep -q "^Version: $STANDARDWEBHOOKS_VERSION$"; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check "standardwebhooks==$STANDARDWEBHOOKS_VERSION"
fi
(cd clients/typescript && npm ci --no-audit --no-fund --loglevel=error)

step "Redocly lint (recommended rules)"
clients/typescript/node_modules/.bin/redocly lint openapi/openapi.json --config redocly.yaml

step "TypeScript client: generated from the committed spec"
generated=$(mktemp --suffix=.d.ts)
(cd clients/typescript && node generate.mjs "$generated")
if ! diff -u clients/typescript/src/schema.d.ts "$generated"; then
  echo "clients/typescript/src/schema.d.ts is out of date: run 'make client' and commit it" >&2
  exit 1
fi
(cd clients/typescript && node_modules/.bin/tsc --noEmit && rm -rf dist && node_modules/.bin/tsc)

step "live server"
cargo build -q -p ormas-api
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
base="http://127.0.0.1:$port"
ORMAS_DATA_DIR="$data" ORMAS_BIND="127.0.0.1:$port" ORMAS_WORKERS=2 RUST_LOG=warn \
  ORMAS_JWT_SECRET="contract-run-$(date +%s%N)-signing-key-of-32-bytes" \
  ORMAS_RATE_LIMIT_LOGIN_PER_MINUTE=100000 ORMAS_RATE_LIMIT_REGISTER_PER_HOUR=100000 \
  ORMAS_RATE_LIMIT_TOKEN_PER_MINUTE=100000 ORMAS_RATE_LIMIT_REFRESH_PER_MINUTE=100000 \
  ORMAS_RATE_LIMIT_PUBLIC_PER_MINUTE=100000 ORMAS_LOGIN_MAX_FAILURES_PER_ADDRESS=100000 \
  ORMAS_WEBHOOK_ALLOWLIST=http://127.0.0.1 ORMAS_WEBHOOK_POLL_MS=200 ORMAS_WEBHOOK_RETRY_BASE_SECS=1 \
  target/debug/ormas-api serve --seed-demo >"$data/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$data" "$generated"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -sf "$base/ready" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.2
done
curl -sf "$base/ready"; echo

step "TypeScript client against $base"
ORMAS_URL="$base" ORMAS_USERNAME=admin.64 ORMAS_OFFICER=officer.6471 ORMAS_PASSWORD=ormas-demo-2026 \
  node clients/typescript/dist/smoke.js

step "webhooks: an independent receiver verifies the deliveries (Python, standardwebhooks $STANDARDWEBHOOKS_VERSION)"
"$venv/bin/python" scripts/webhook_receiver.py "$base"

step "Schemathesis $SCHEMATHESIS_VERSION against $base"
report="$root/target/contract"
mkdir -p "$report"
# Fresh Idempotency-Keys and no long polls (scripts/contract_hooks.py).
export PYTHONPATH="$root/scripts${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=contract_hooks
set +e
# First: the super_admin pass edits and deactivates accounts it finds, the officer among them.
step "Schemathesis as the officer of Kota Balikpapan: the register, reports, statistics, oversight, attribute permits, grants and consultations"
ORMAS_CONTRACT_USERNAME=officer.6471 ORMAS_CONTRACT_PASSWORD=ormas-demo-2026 \
  "$venv/bin/st" --no-color run openapi/openapi.json \
  --url "$base" --include-tag ormas --include-tag reports --include-tag statistics --include-tag oversight \
  --include-tag attribute-permits --include-tag grants --include-tag consultations --max-examples 50 --report junit --report-dir "$report"
status=$?
step "Schemathesis as the oversight team of Kota Balikpapan: complaints, cases, visits, the dashboard"
ORMAS_CONTRACT_USERNAME=oversight.6471 ORMAS_CONTRACT_PASSWORD=ormas-demo-2026 \
  "$venv/bin/st" --no-color run openapi/openapi.json \
  --url "$base" --include-tag oversight \
  --max-examples 50 --report junit --report-dir "$report"
status=$((status | $?))
step "Schemathesis as the head of Kota Balikpapan: the sanction ladder"
ORMAS_CONTRACT_USERNAME=head.6471 ORMAS_CONTRACT_PASSWORD=ormas-demo-2026 \
  "$venv/bin/st" --no-color run openapi/openapi.json \
  --url "$base" --include-tag sanctions \
  --max-examples 50 --report junit --report-dir "$report"
status=$((status | $?))
step "Schemathesis as the super_admin: every operation"
ORMAS_CONTRACT_USERNAME=superadmin ORMAS_CONTRACT_PASSWORD=ormas-demo-2026 \
  "$venv/bin/st" --no-color run openapi/openapi.json \
  --url "$base" --report junit --report-dir "$report"
status=$((status | $?))
set -e
# The service's own errors and any panic fail the run. (actix-http logs malformed requests that it
# answers itself, before any handler, as `ERROR actix_http`: those are the fuzzer's doing.)
if grep -qE 'panicked|ERROR +ormas' "$data/server.log"; then
  echo "the server logged errors during the run:" >&2
  grep -E 'panicked|ERROR +ormas' "$data/server.log" | head -20 >&2
  status=1
fi
exit $status
