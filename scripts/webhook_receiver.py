"""A webhook receiver written independently of the server, for the contract step.

It subscribes to the live server's webhooks, then checks what arrives the way an integrator's own
receiver would: every delivery's `webhook-signature` is verified twice, by the Standard Webhooks
reference library (`standardwebhooks` from PyPI) and by a few lines of Python's own hmac, and the
body must be the event as `GET /v1/changes` lists it. The receiver answers 500 to the first delivery
of the event, so the retry (same `webhook-id`, fresh timestamp and signature) is checked too.

Usage: webhook_receiver.py BASE_URL  (the demo accounts admin.64 and officer.6471 must exist)
"""

import base64
import hashlib
import hmac
import http.server
import json
import sys
import threading
import time
import urllib.request

from standardwebhooks.webhooks import Webhook

PASSWORD = "ormas-demo-2026"
received = []
lock = threading.Lock()
fail_first_event = {"pending": True}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        status = 204
        with lock:
            received.append((headers, body))
            event = json.loads(body)
            if event.get("type") == "ormas.created" and fail_first_event["pending"]:
                fail_first_event["pending"] = False
                status = 500
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def call(base, method, path, token=None, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request, timeout=30) as response:
        text = response.read()
        return response.status, (json.loads(text) if text else None)


def login(base, username):
    _, body = call(base, "POST", "/v1/auth/login", body={"username": username, "password": PASSWORD})
    return body["access_token"]


def own_verify(secret, headers, body):
    """The specification, by hand: HMAC-SHA256 of `id.timestamp.body` with the decoded key."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        part.startswith("v1,") and hmac.compare_digest(part[3:], expected)
        for part in headers["webhook-signature"].split(" ")
    )


def wait_for(what, predicate, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        with lock:
            if predicate(list(received)):
                return list(received)
        time.sleep(0.1)
    raise SystemExit(f"webhook receiver: timed out waiting for {what}; received {len(received)}")


def main():
    base = sys.argv[1].rstrip("/")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks"

    admin = login(base, "admin.64")
    officer = login(base, "officer.6471")
    status, hook = call(base, "POST", "/v1/webhooks", admin, {"url": url, "types": ["ormas.created"], "region": "64.71"})
    assert status == 201, (status, hook)
    secret = hook["secret"]
    verifier = Webhook(secret)

    status, ping = call(base, "POST", f"/v1/webhooks/{hook['id']}/ping", admin, {})
    assert status == 202, (status, ping)
    wait_for("the ping", lambda r: len(r) >= 1)

    stamp = str(time.time_ns())
    status, created = call(base, "POST", "/v1/ormas", officer, {
        "name": f"Ormas Uji Webhook {stamp}", "kind": "tidak_berbadan_hukum",
        "skt_number": f"SKT-WH-{stamp}", "skt_issued_on": "2023-05-10",
        "skt_issuer": "Kementerian Dalam Negeri", "region_code": "64.71", "address": "Jl. Uji No. 1",
    })
    assert status == 201, (status, created)
    got = wait_for("the event, retried after a 500", lambda r: len(r) >= 3)

    ping_headers, ping_body = got[0]
    first, retry = got[1], got[2]
    for headers, body in got:
        verifier.verify(body, headers)  # raises on a bad signature
        assert own_verify(secret, headers, body), headers
    assert json.loads(ping_body)["type"] == "webhook.ping"
    assert ping_headers["webhook-id"] == ping["message_id"]
    assert first[0]["webhook-id"] == retry[0]["webhook-id"], "a retry keeps its webhook-id"
    event = json.loads(retry[1])
    assert event["type"] == "ormas.created" and event["data"]["id"] == created["id"], event
    status, page = call(base, "GET", f"/v1/changes?after={event['seq'] - 1}&limit=1", admin)
    assert page["items"][0] == event, (page, event)

    # A forged signature is refused by the reference library.
    forged = dict(retry[0], **{"webhook-signature": "v1," + base64.b64encode(b"x" * 32).decode()})
    try:
        verifier.verify(retry[1], forged)
        raise SystemExit("webhook receiver: a forged signature verified")
    except SystemExit:
        raise
    except Exception:
        pass

    call(base, "DELETE", f"/v1/webhooks/{hook['id']}", admin)
    print(f"webhook receiver: {len(got)} deliveries verified (standardwebhooks and hmac), retry kept its webhook-id")


if __name__ == "__main__":
    main()
