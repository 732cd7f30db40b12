#!/usr/bin/env bash
# `make browser`: the API as a browser on another origin sees it, in headless Chromium (Debian's
# `chromium`), against the running server (issue 10 §5, CORS):
#   1. a page served from an allowed origin (another local port, in ORMAS_CORS_ORIGINS) signs in,
#      calls `GET /v1/me` with `Authorization` (a real preflight), creates a draft, and writes it
#      with `If-Match` from the exposed `ETag` (PATCH, PUT of the board, and a stale one: 412);
#   2. a page from an origin that is not allowed (a third port) is refused by the browser;
#   3. the docs UI (`/docs/`, under its strict CSP) renders: its DOM is checked and a screenshot is
#      kept in target/browser/docs.png.
# The server runs from the debug build on a fresh SQLite database with the demo accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
step() { printf '\n==> %s\n' "$*"; }
fail() { echo "make browser: $*" >&2; exit 1; }

command -v chromium >/dev/null || fail "chromium is missing (apt-get install -y chromium)"
cargo build -q -p ormas-api

work=$(mktemp -d)
server= page= other=
cleanup() {
  for pid in $server $page $other; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# Three distinct free ports: the API, the allowed page's origin, a refused page's origin.
read -r api_port page_port other_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])
for s in socks: s.close()')
api="http://127.0.0.1:$api_port"
allowed="http://127.0.0.1:$page_port"
refused="http://127.0.0.1:$other_port"

step "server on $api, CORS for $allowed"
mkdir -p "$work/data" "$work/site"
ORMAS_DATA_DIR="$work/data" ORMAS_BIND="127.0.0.1:$api_port" ORMAS_WORKERS=2 RUST_LOG=warn \
  ORMAS_JWT_SECRET="browser-run-$(date +%s%N)-signing-key-of-32-bytes" \
  ORMAS_CORS_ORIGINS="$allowed" \
  target/debug/ormas-api serve --seed-demo >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sf "$api/ready" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; fail "the server did not start"; }
  sleep 0.2
done
curl -sf "$api/ready" >/dev/null || fail "the server is not ready"

# The pages: plain fetch calls; each result is one line in <pre id="out">, read from the dumped DOM.
cat >"$work/site/cors.html" <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>CORS check</title></head>
<body><pre id="out">pending</pre>
<script>
const api = new URLSearchParams(location.search).get("api");
const out = document.getElementById("out");
const lines = [];
const log = (line) => { lines.push(line); out.textContent = lines.join("\n"); };
const json = { "Content-Type": "application/json" };
const draft = {
  name: "Ormas Peramban", kind: "tidak_berbadan_hukum", skt_number: "SKT-BROWSER",
  skt_issued_on: "2023-05-10", skt_issuer: "Kementerian Dalam Negeri",
  region_code: "64.71", address: "Jl. Peramban No. 1",
};
const board = { members: [
  { position: "ketua", name: "Budi Santoso", nik: "6471011203850001" },
  { position: "sekretaris", name: "Siti Aminah", nik: "6471014506900002" },
  { position: "bendahara", name: "Andi Wijaya", nik: "6471012001880003" },
] };
(async () => {
  try {
    const login = await fetch(api + "/v1/auth/login", { method: "POST", headers: json,
      body: JSON.stringify({ username: "officer.6471", password: "ormas-demo-2026" }) });
    log("login " + login.status);
    const auth = { Authorization: "Bearer " + (await login.json()).access_token };
    const me = await fetch(api + "/v1/me", { headers: auth });
    log("me " + me.status + " " + (await me.json()).username
      + " request-id " + (me.headers.get("X-Request-Id") ? "exposed" : "hidden"));
    const created = await fetch(api + "/v1/ormas", { method: "POST", headers: { ...auth, ...json },
      body: JSON.stringify(draft) });
    const tag = created.headers.get("ETag");
    const id = (await created.json()).id;
    log("create " + created.status + " etag " + (tag ? "exposed" : "hidden")
      + " location " + (created.headers.get("Location") === "/v1/ormas/" + id ? "exposed" : "hidden"));
    const patched = await fetch(api + "/v1/ormas/" + id, { method: "PATCH",
      headers: { ...auth, ...json, "If-Match": tag }, body: JSON.stringify({ address: "Jl. Peramban No. 2" }) });
    log("patch " + patched.status + " " + (await patched.json()).address);
    const read = await fetch(api + "/v1/ormas/" + id + "/board", { headers: auth });
    const boardTag = read.headers.get("ETag");
    const put = await fetch(api + "/v1/ormas/" + id + "/board", { method: "PUT",
      headers: { ...auth, ...json, "If-Match": boardTag }, body: JSON.stringify(board) });
    log("board " + put.status + " complete " + (await put.json()).complete);
    const stale = await fetch(api + "/v1/ormas/" + id, { method: "PATCH",
      headers: { ...auth, ...json, "If-Match": tag }, body: JSON.stringify({ address: "Jl. Lama" }) });
    log("stale " + stale.status + " " + (await stale.json()).code);
    log("done");
  } catch (error) {
    log("error " + error);
  }
})();
</script></body></html>
HTML
cat >"$work/site/refused.html" <<'HTML'
<!doctype html>
<html><head><meta charset="utf-8"><title>CORS refusal</title></head>
<body><pre id="out">pending</pre>
<script>
const api = new URLSearchParams(location.search).get("api");
const out = document.getElementById("out");
const lines = [];
const log = (line) => { lines.push(line); out.textContent = lines.join("\n"); };
(async () => {
  for (const [name, init] of [
    ["simple", {}],
    ["preflighted", { headers: { Authorization: "Bearer x" } }],
  ]) {
    try {
      const answer = await fetch(api + "/v1/public/ormas", init);
      log(name + " answered " + answer.status);
    } catch (error) {
      log(name + " refused " + error.name);
    }
  }
  log("done");
})();
</script></body></html>
HTML
python3 -m http.server "$page_port" --bind 127.0.0.1 --directory "$work/site" >"$work/page.log" 2>&1 &
page=$!
python3 -m http.server "$other_port" --bind 127.0.0.1 --directory "$work/site" >"$work/other.log" 2>&1 &
other=$!
for port in "$page_port" "$other_port"; do
  for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$port/cors.html" >/dev/null 2>&1 && break
    sleep 0.1
  done
done

# One Chromium run per page, each with its own profile; the DOM after the scripts ran.
browse() {
  local profile
  profile=$(mktemp -d -p "$work")
  timeout 60 chromium --headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --no-first-run --no-default-browser-check --disable-extensions --user-data-dir="$profile" \
    --enable-logging=stderr --v=0 --virtual-time-budget=10000 "$@" 2>>"$work/chromium.log"
}
expect() {
  local dom=$1 line=$2
  grep -qF -- "$line" <<<"$dom" || { echo "$dom" >&2; fail "expected '$line'"; }
  echo "ok: $line"
}

step "a page on $allowed calls the API"
dom=$(browse --dump-dom "$allowed/cors.html?api=$api")
for line in "login 200" "me 200 officer.6471 request-id exposed" \
  "create 201 etag exposed location exposed" "patch 200 Jl. Peramban No. 2" \
  "board 200 complete true" "stale 412 precondition_failed" "done"; do
  expect "$dom" "$line"
done
# The browser asked before sending Authorization: the preflight is answered before authentication.
preflight=$(curl -s -o /dev/null -w '%{http_code} %header{access-control-allow-origin}' -X OPTIONS \
  -H "Origin: $allowed" -H "Access-Control-Request-Method: GET" \
  -H "Access-Control-Request-Headers: authorization" "$api/v1/me")
[ "$preflight" = "200 $allowed" ] || fail "preflight answered '$preflight'"
echo "ok: preflight 200 for $allowed"

step "a page on $refused (not allowed) is refused by the browser"
dom=$(browse --dump-dom "$refused/refused.html?api=$api")
for line in "simple refused TypeError" "preflighted refused TypeError" "done"; do
  expect "$dom" "$line"
done
# Refused by CORS (the browser's console says why), not by a failing network.
grep -q "from origin '$refused' has been blocked by CORS policy" "$work/chromium.log" \
  || { cat "$work/chromium.log" >&2; fail "no CORS refusal in the browser's console"; }
echo "ok: the console names the CORS policy"
: >"$work/chromium.log"

step "the docs UI renders under its CSP"
dom=$(browse --dump-dom "$api/docs/")
expect "$dom" 'class="swagger-ui'
expect "$dom" 'operation-tag-content'
expect "$dom" 'replaceBoard'
mkdir -p "$root/target/browser"
browse --window-size=1280,900 --screenshot="$root/target/browser/docs.png" "$api/docs/" >/dev/null
[ -s "$root/target/browser/docs.png" ] || fail "no screenshot"
echo "ok: screenshot in target/browser/docs.png"
if grep -qi "content security policy" "$work/chromium.log"; then
  grep -i "content security policy" "$work/chromium.log" >&2
  fail "the CSP blocked something on /docs/"
fi
echo
echo "browser checks passed"
