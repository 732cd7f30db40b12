//! `Idempotency-Key` on every `POST` (draft-ietf-httpapi-idempotency-key-header): a client that
//! sends a key may retry the request safely; the first request runs, later ones with the same key
//! and the same request replay its response (`Idempotency-Replayed: true`), the same key with
//! another request is a 422, and a retry while the first is still running a 409.
//!
//! The key is scoped to its caller: the account or client named by a valid bearer token (so a
//! refreshed token of the same account replays), or, without a bearer token, the SHA-256 of the
//! client address (as the rate limits see it, through trusted proxies only). A request whose
//! bearer token does not verify is passed on untouched: the handler answers it (401 where a
//! token is needed), and nothing is remembered.
//!
//! Kept: 2xx, 3xx and 4xx answers of the handler, except 401 (a retry with a fresh token must run).
//! Not kept: 5xx (the claim is released, so a retry runs again), and this middleware's own 400,
//! 409, 413 and 422.

use std::sync::atomic::{AtomicI64, Ordering};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{Error, HttpMessage, HttpResponse, ResponseError, web};
use futures_util::StreamExt;
use ormas_persistence::idempotency::{self, Claim, Fingerprint, IdempotencyRow, StoredResponse};
use sha2::{Digest, Sha256};

use crate::edge::ClientAddress;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::state::AppState;

pub const IDEMPOTENCY_KEY: HeaderName = HeaderName::from_static("idempotency-key");
pub const IDEMPOTENCY_REPLAYED: HeaderName = HeaderName::from_static("idempotency-replayed");

/// The longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

/// Seconds between two purges of expired keys by one process.
const PURGE_EVERY_SECS: i64 = 600;

/// The key as sent: 1–255 visible ASCII characters (`!` to `~`). A Structured Field string
/// (`"…"`, as the draft writes it) is taken without its quotes.
pub fn parse_key(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?.trim();
    let text = match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) => inner,
        None => text,
    };
    let ok = !text.is_empty()
        && text.len() <= MAX_KEY_LEN
        && text.bytes().all(|b| (0x21..=0x7e).contains(&b));
    ok.then(|| text.to_owned())
}

fn malformed_key() -> ApiError {
    ApiError::new(ErrorKind::BadRequest)
        .with_detail(Text::new(
            "Idempotency-Key harus satu nilai berisi 1–255 karakter ASCII yang terlihat.",
            "Idempotency-Key must be one value of 1–255 visible ASCII characters.",
        ))
        .with_errors(vec![FieldIssue::new(
            "Idempotency-Key",
            "invalid_idempotency_key",
            Text::new(
                "harus berisi 1–255 karakter ASCII yang terlihat",
                "must be 1–255 visible ASCII characters",
            ),
        )])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Who owns the key; `None` when a bearer token is sent that does not verify.
fn caller(req: &ServiceRequest, state: &AppState) -> Option<String> {
    match crate::auth::bearer_token(req.request()) {
        Some(token) => state
            .keys
            .verify(&token)
            .ok()
            .map(|claims| format!("sub:{}", claims.sub)),
        None => {
            let address = ClientAddress::from_request_parts(
                req.peer_addr().map(|a| a.ip()),
                req.headers(),
                &state.config.trusted_proxies,
            );
            Some(format!(
                "anon:{}",
                hex(&Sha256::digest(address.key().as_bytes()))
            ))
        }
    }
}

/// The largest body buffered for the fingerprint: the JSON limit, or for multipart uploads the
/// document limit and room for the form around it.
fn buffer_limit(req: &ServiceRequest, state: &AppState) -> usize {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/")
        });
    if multipart {
        usize::try_from(state.config.document_limit)
            .unwrap_or(usize::MAX)
            .saturating_add(state.config.body_limit)
    } else {
        state.config.body_limit
    }
}

async fn read_body(mut payload: Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(crate::extract::unreadable)?;
        if body.len() + chunk.len() > limit {
            return Err(crate::extract::too_large(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Whether the handler's answer is kept for replays.
fn kept(status: StatusCode) -> bool {
    !(status.is_server_error() || status.is_informational() || status == StatusCode::UNAUTHORIZED)
}

fn header_text<B>(response: &HttpResponse<B>, name: HeaderName) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The stored response, as first answered, marked as a replay.
fn replay(stored: &StoredResponse) -> HttpResponse {
    let status = u16::try_from(stored.status)
        .ok()
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    for (name, value) in [
        (header::CONTENT_TYPE, &stored.content_type),
        (header::LOCATION, &stored.location),
        (header::ETAG, &stored.etag),
    ] {
        if let Some(value) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            response.insert_header((name, value));
        }
    }
    response.insert_header((IDEMPOTENCY_REPLAYED, HeaderValue::from_static("true")));
    response.body(stored.body.clone())
}

/// Releases the claim unless disarmed: when the handler's answer is not kept, or when the request
/// is dropped half-way (the client went away), so that a retry runs anew.
struct ClaimGuard {
    state: web::Data<AppState>,
    caller: String,
    key: String,
    armed: bool,
}

impl ClaimGuard {
    async fn release(mut self) {
        self.armed = false;
        let (caller, key) = (self.caller.clone(), self.key.clone());
        if let Err(e) = self
            .state
            .db(move |conn| idempotency::release(conn, &caller, &key))
            .await
        {
            log::warn!("idempotency: releasing a key failed: {e}");
        }
    }

    async fn complete(mut self, stored: StoredResponse) {
        self.armed = false;
        let (caller, key) = (self.caller.clone(), self.key.clone());
        let result = self
            .state
            .db(move |conn| idempotency::complete(conn, &caller, &key, &stored))
            .await;
        if let Err(e) = result {
            log::warn!("idempotency: storing a response failed: {e}");
            // Better a retry that runs again than a key stuck "in progress" until it expires.
            self.armed = true;
        }
    }
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let state = self.state.clone();
        let (caller, key) = (
            std::mem::take(&mut self.caller),
            std::mem::take(&mut self.key),
        );
        actix_web::rt::spawn(async move {
            if let Err(e) = state
                .db(move |conn| idempotency::release(conn, &caller, &key))
                .await
            {
                log::warn!("idempotency: releasing a key failed: {e}");
            }
        });
    }
}

/// When this process last purged expired keys (seconds since the epoch).
static LAST_PURGE: AtomicI64 = AtomicI64::new(0);

fn purge_due(now: i64) -> bool {
    let last = LAST_PURGE.load(Ordering::Relaxed);
    now - last >= PURGE_EVERY_SECS
        && LAST_PURGE
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
}

/// The middleware: see the module documentation.
pub async fn idempotency_key(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if req.method() != Method::POST || !req.headers().contains_key(IDEMPOTENCY_KEY) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let mut values = req.headers().get_all(IDEMPOTENCY_KEY);
    let key = match (values.next().and_then(parse_key), values.next()) {
        (Some(key), None) => key,
        _ => return Ok(req.into_response(malformed_key().error_response())),
    };
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let Some(caller) = caller(&req, &state) else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };

    let body = match read_body(req.take_payload(), buffer_limit(&req, &state)).await {
        Ok(body) => body,
        Err(e) => return Ok(req.into_response(e.error_response())),
    };
    let fingerprint = Fingerprint {
        method: req.method().as_str().to_owned(),
        path: match req.query_string() {
            "" => req.path().to_owned(),
            query => format!("{}?{query}", req.path()),
        },
        content_type: req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        body_sha256: hex(&Sha256::digest(&body)),
    };
    req.set_payload(Payload::from(body));

    let now = crate::clock::now_utc();
    let ttl = chrono::TimeDelta::from_std(state.config.idempotency_ttl)
        .unwrap_or(chrono::TimeDelta::hours(24));
    let row = IdempotencyRow::claim(&caller, &key, &fingerprint, now, now + ttl);
    let abandon = chrono::TimeDelta::from_std(state.config.idempotency_abandon_after)
        .unwrap_or(chrono::TimeDelta::minutes(5));
    let purge = purge_due(now.and_utc().timestamp());
    let claimed = state
        .db(move |conn| {
            if purge {
                let purged = idempotency::purge_expired(conn, now)?;
                if purged > 0 {
                    log::info!("idempotency: purged {purged} expired key(s)");
                }
            }
            idempotency::claim(conn, &row, now - abandon)
        })
        .await;
    match claimed {
        Err(e) => return Ok(req.into_response(e.error_response())),
        Ok(Claim::Held(held)) => {
            let response = if held.fingerprint() != fingerprint {
                ApiError::new(ErrorKind::IdempotencyKeyReused).error_response()
            } else if let Some(stored) = held.response() {
                replay(&stored)
            } else {
                let mut error = ApiError::new(ErrorKind::IdempotencyKeyInProgress);
                error.retry_after = Some(1);
                error.error_response()
            };
            return Ok(req.into_response(response));
        }
        Ok(Claim::Claimed) => {}
    }

    let guard = ClaimGuard {
        state,
        caller,
        key,
        armed: true,
    };
    let response = match next.call(req).await {
        Ok(response) => response.map_into_boxed_body(),
        Err(e) => {
            guard.release().await;
            return Err(e);
        }
    };
    if !kept(response.status()) {
        guard.release().await;
        return Ok(response);
    }
    let (req, response) = response.into_parts();
    let (response, body) = response.into_parts();
    let bytes = match actix_web::body::to_bytes(body).await {
        Ok(bytes) => bytes,
        Err(e) => {
            guard.release().await;
            let error = ApiError::internal(format!("reading the response body: {e}"));
            return Ok(ServiceResponse::new(req, error.error_response()));
        }
    };
    let stored = StoredResponse {
        status: i32::from(response.status().as_u16()),
        body: bytes.to_vec(),
        content_type: header_text(&response, header::CONTENT_TYPE),
        location: header_text(&response, header::LOCATION),
        etag: header_text(&response, header::ETAG),
    };
    guard.complete(stored).await;
    let response = response.set_body(BoxBody::new(bytes));
    Ok(ServiceResponse::new(req, response))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_at_most_255() {
        let key = |s: &str| parse_key(&HeaderValue::from_str(s).unwrap());
        assert_eq!(
            key("8e03978e-40d5-43e8-bc93-6894a57f9324").as_deref(),
            Some("8e03978e-40d5-43e8-bc93-6894a57f9324")
        );
        assert_eq!(key("\"abc\"").as_deref(), Some("abc"));
        assert_eq!(key(&"k".repeat(255)).map(|k| k.len()), Some(255));
        assert_eq!(key(&"k".repeat(256)), None);
        assert_eq!(key(""), None);
        assert_eq!(key("\"\""), None);
        assert_eq!(key("two words"), None);
        assert!(parse_key(&HeaderValue::from_bytes(b"caf\xc3\xa9").unwrap()).is_none());
    }

    #[test]
    fn server_errors_and_401_are_not_kept() {
        for (status, keep) in [
            (200, true),
            (201, true),
            (204, true),
            (400, true),
            (404, true),
            (409, true),
            (422, true),
            (401, false),
            (500, false),
            (503, false),
        ] {
            assert_eq!(
                kept(StatusCode::from_u16(status).unwrap()),
                keep,
                "{status}"
            );
        }
    }
}
