"""Schemathesis hooks for `make contract` (loaded through SCHEMATHESIS_HOOKS=contract_hooks).

- Every generated `Idempotency-Key` is replaced by a fresh UUID just before the request is sent.
  The fuzzer otherwise reuses its few shrunk values ("0", "a") across different requests, and the
  server rightly answers those 422 `idempotency_key_reused` (or 409 while the first runs); replays of
  the same key are tested over HTTP in tests/tests/api/idempotency.rs.
- `wait` of `GET /v1/changes` (a long poll of up to 30 s) is sent as 0: the run's request timeout is
  20 s, and waiting is not what the fuzzer tests (tests/tests/api/changes.rs does).
"""

import re
import uuid

import schemathesis

# A key the server accepts; a generated invalid one (negative tests) is left as it is.
VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and VALID_KEY.match(str(headers[name])):
            headers[name] = str(uuid.uuid4())
    if case.query and "wait" in case.query and getattr(case.operation, "path", "") == "/v1/changes":
        case.query["wait"] = 0
    return None
