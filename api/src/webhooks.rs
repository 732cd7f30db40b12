//! Webhook delivery: Standard Webhooks signatures, the SSRF guard's checks of a receiver's URL
//! and addresses, and the dispatcher that delivers each subscription's events in feed order.
//!
//! The dispatcher runs on its own thread with its own small Tokio runtime, never on an actix
//! worker; its database work goes to the blocking pool like every handler's. Several instances may
//! run on one PostgreSQL database: a subscription is delivered only by the instance holding its
//! lease ([`ormas_persistence::webhooks`]). It stops when its [`Dispatcher`] is dropped (the server
//! stopped, on SIGTERM), abandoning an attempt in flight — that delivery stays pending and is sent
//! again, with the same `webhook-id` — and gives its leases back.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use ormas_domain::Role;
use ormas_domain::changes::{all_event_types, readable_event_types};
use ormas_domain::webhooks::{delivered, forbidden_address};
use ormas_persistence::webhooks::{self as store, Attempt, DeliveryRow, Interest, SubscriptionRow};
use sha2::Sha256;
use tokio::sync::Notify;
use url::{Host, Url};

use crate::clock::now_utc;
use crate::config::WebhookSettings;
use crate::routes::changes::ChangeEvent;
use crate::state::AppState;

/// The prefix of Standard Webhooks secrets.
pub const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("{SECRET_PREFIX}{}", BASE64.encode(bytes))
}

/// The key of a secret: the base64 after `whsec_`.
fn key_of(secret: &str) -> Option<Vec<u8>> {
    BASE64
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()
}

/// One Standard Webhooks signature, `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = key_of(secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one signature per secret, space-separated (during a rotation's
/// overlap both the new and the previous secret sign).
pub fn signature_header(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|secret| sign(secret, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether `url`'s origin is on the allow-list: same scheme and host, and the same port when the
/// entry names one.
pub fn allowlisted(url: &Url, allowlist: &[String]) -> bool {
    allowlist
        .iter()
        .filter_map(|o| Url::parse(o).ok())
        .any(|entry| {
            entry.scheme() == url.scheme()
                && entry.host_str() == url.host_str()
                && (entry.port().is_none()
                    || entry.port_or_known_default() == url.port_or_known_default())
        })
}

/// Checks a receiver's URL as written: absolute `https` (plain `http` only to an allow-listed
/// origin), a host, no credentials, no fragment. The English reason when refused.
pub fn check_url(text: &str, allowlist: &[String]) -> Result<Url, &'static str> {
    let url = Url::parse(text).map_err(|_| "is not an absolute URL")?;
    if url.host().is_none() {
        return Err("has no host");
    }
    match url.scheme() {
        "https" => {}
        "http" if allowlisted(&url, allowlist) => {}
        "http" => {
            return Err("must use https (plain http only to an origin on ORMAS_WEBHOOK_ALLOWLIST)");
        }
        _ => return Err("must be an https URL"),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials");
    }
    if url.fragment().is_some() {
        return Err("must not have a fragment");
    }
    Ok(url)
}

/// Where a delivery connects: the checked address (no second lookup), or `None` for an
/// allow-listed origin, which is resolved as usual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub url: Url,
    pub pinned: Option<SocketAddr>,
}

/// How long a receiver's name may take to resolve.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);

/// Resolves the receiver's host and refuses it when any of its addresses is one a delivery may
/// never reach (loopback, private, link-local, CGNAT, multicast, … and IPv4-mapped forms), unless
/// the origin is allow-listed. The reason when refused.
pub async fn resolve(url: &Url, allowlist: &[String]) -> Result<Destination, String> {
    if allowlisted(url, allowlist) {
        return Ok(Destination {
            url: url.clone(),
            pinned: None,
        });
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let addresses: Vec<SocketAddr> = match url.host() {
        Some(Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        Some(Host::Domain(name)) => {
            match tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((name, port))).await
            {
                Err(_) => return Err(format!("{name} did not resolve within 5 s")),
                Ok(Err(e)) => return Err(format!("{name} does not resolve: {e}")),
                Ok(Ok(found)) => found.collect(),
            }
        }
        None => return Err("the URL has no host".into()),
    };
    let first = *addresses
        .first()
        .ok_or_else(|| format!("{} has no address", url.host_str().unwrap_or_default()))?;
    for address in &addresses {
        if let Some(why) = forbidden_address(address.ip()) {
            return Err(format!(
                "{} resolves to {}, a {why} address that webhooks may not reach",
                url.host_str().unwrap_or_default(),
                address.ip()
            ));
        }
    }
    Ok(Destination {
        url: url.clone(),
        pinned: Some(first),
    })
}

/// What one attempt came to: the receiver's status, or why there was none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Answered(u16),
    Failed(String),
}

/// Sends `body` to `destination`, signed with `secrets`, once.
pub async fn send(
    destination: &Destination,
    settings: &WebhookSettings,
    message_id: &str,
    secrets: &[&str],
    body: &str,
) -> Outcome {
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(settings.timeout)
        .connect_timeout(settings.timeout)
        .user_agent(concat!("ormas-webhooks/", env!("CARGO_PKG_VERSION")));
    if let (Some(address), Some(Host::Domain(name))) = (destination.pinned, destination.url.host())
    {
        builder = builder.resolve(name, address);
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => return Outcome::Failed(format!("no HTTP client: {e}")),
    };
    let timestamp = now_utc().and_utc().timestamp();
    let signature = signature_header(secrets, message_id, timestamp, body.as_bytes());
    let sent = client
        .post(destination.url.clone())
        .header("content-type", "application/json")
        .header("webhook-id", message_id)
        .header("webhook-timestamp", timestamp.to_string())
        .header("webhook-signature", signature)
        .body(body.to_owned())
        .send()
        .await;
    match sent {
        Ok(response) => Outcome::Answered(response.status().as_u16()),
        Err(e) if e.is_timeout() => Outcome::Failed(format!(
            "no answer within {} s",
            settings.timeout.as_secs_f32()
        )),
        Err(e) if e.is_connect() => Outcome::Failed(format!("cannot connect: {e}")),
        Err(e) => Outcome::Failed(format!("request failed: {e}")),
    }
}

/// The running dispatcher of this instance; dropping it stops it.
pub struct Dispatcher {
    stopping: Arc<(AtomicBool, Notify)>,
    thread: Option<JoinHandle<()>>,
}

impl Dispatcher {
    /// Starts the dispatcher when the settings ask for one.
    pub fn start(state: Arc<AppState>) -> Option<Dispatcher> {
        let poll = state.config.webhooks.poll?;
        let stopping = Arc::new((AtomicBool::new(false), Notify::new()));
        let signal = stopping.clone();
        let spawned = std::thread::Builder::new()
            .name("webhooks".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        log::error!("webhook dispatcher not started: {e}");
                        return;
                    }
                };
                runtime.block_on(run(state, poll, signal));
            });
        match spawned {
            Ok(thread) => Some(Dispatcher {
                stopping,
                thread: Some(thread),
            }),
            Err(e) => {
                log::error!("webhook dispatcher not started: {e}");
                None
            }
        }
    }
}

impl Drop for Dispatcher {
    fn drop(&mut self) {
        self.stopping.0.store(true, Ordering::SeqCst);
        self.stopping.1.notify_waiters();
        self.stopping.1.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn run(state: Arc<AppState>, poll: Duration, stopping: Arc<(AtomicBool, Notify)>) {
    // The process id first: an operator (or a test) can tell which process holds a lease.
    let instance = format!(
        "pid{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    );
    log::info!("webhook dispatcher {instance} started");
    while !stopping.0.load(Ordering::SeqCst) {
        tokio::select! {
            () = tick(&state, &instance) => {}
            () = stopping.1.notified() => break,
        }
        if stopping.0.load(Ordering::SeqCst) {
            break;
        }
        tokio::select! {
            () = tokio::time::sleep(poll) => {}
            () = stopping.1.notified() => break,
        }
    }
    let owner = instance.clone();
    if let Err(e) = state
        .db(move |conn| store::release(conn, None, &owner))
        .await
    {
        log::warn!("webhook dispatcher {instance}: leases not given back: {e}");
    }
    log::info!("webhook dispatcher {instance} stopped");
}

/// How long a claim or renewal holds a subscription.
fn lease_of(settings: &WebhookSettings) -> chrono::Duration {
    chrono::Duration::from_std(settings.lease).unwrap_or(chrono::Duration::seconds(60))
}

/// One round: claims the subscriptions with work and delivers them side by side.
async fn tick(state: &Arc<AppState>, instance: &str) {
    let settings = &state.config.webhooks;
    let lease = lease_of(settings);
    let limit = i64::try_from(settings.concurrency).unwrap_or(4);
    let owner = instance.to_owned();
    let claimed = state
        .db(move |conn| {
            if !store::any_enabled(conn)? {
                return Ok(Vec::new());
            }
            let now = now_utc();
            store::claim(conn, &owner, now, now + lease, limit)
        })
        .await;
    let ids = match claimed {
        Ok(ids) => ids,
        Err(e) => {
            log::warn!("webhook dispatcher: claiming failed: {e}");
            return;
        }
    };
    let work = ids.into_iter().map(|id| async move {
        if let Err(e) = deliver_subscription(state, instance, &id).await {
            log::warn!("webhook {id}: {e}");
        }
        let owner = instance.to_owned();
        let _ = state
            .db(move |conn| store::release(conn, Some(&id), &owner))
            .await;
    });
    futures_util::future::join_all(work).await;
}

/// The most deliveries one claim makes before the subscription is given back (others' turn).
const DELIVERIES_PER_CLAIM: usize = 100;

/// Delivers a claimed subscription's due events, oldest first, until one fails or none is due.
async fn deliver_subscription(
    state: &Arc<AppState>,
    instance: &str,
    id: &str,
) -> Result<(), crate::error::ApiError> {
    let settings = state.config.webhooks.clone();
    let lease = lease_of(&settings);
    for _ in 0..DELIVERIES_PER_CLAIM {
        let owner = instance.to_owned();
        let sub_id = id.to_owned();
        let next = state
            .db(move |conn| {
                let Some(sub) = store::find_subscription(conn, &sub_id)? else {
                    return Ok(None);
                };
                if !sub.enabled || sub.lease_owner.as_deref() != Some(owner.as_str()) {
                    return Ok(None);
                }
                if !store::owner_active(conn, &sub.owner_id)? {
                    store::disable(
                        conn,
                        &sub.id,
                        "the account or API client that created it is no longer active",
                        now_utc(),
                    )?;
                    return Ok(None);
                }
                let interest = interest_of(&sub);
                store::fan_out(conn, &sub.id, &owner, &interest, 500, now_utc(), &payload)?;
                let Some(delivery) = store::next_pending(conn, &sub.id)? else {
                    return Ok(None);
                };
                let now = now_utc();
                if delivery.next_attempt_at > now
                    || !store::renew(conn, &sub.id, &owner, now + lease)?
                {
                    return Ok(None);
                }
                Ok(Some((sub, delivery)))
            })
            .await?;
        let Some((sub, delivery)) = next else {
            return Ok(());
        };
        let now = now_utc();
        let outcome = match check_url(&sub.url, &settings.allowlist) {
            Err(why) => Outcome::Failed(format!("the URL {why}")),
            Ok(url) => match resolve(&url, &settings.allowlist).await {
                Err(why) => Outcome::Failed(format!("refused: {why}")),
                Ok(destination) => {
                    let secrets = sub.signing_secrets(now);
                    send(
                        &destination,
                        &settings,
                        &delivery.message_id,
                        &secrets,
                        &delivery.payload,
                    )
                    .await
                }
            },
        };
        let attempt = attempt_of(&outcome, &delivery, &settings, now_utc());
        let failed = matches!(attempt, Attempt::Failed { .. });
        let owner = instance.to_owned();
        let recorded = state
            .db(move |conn| store::record_attempt(conn, &delivery, &owner, now_utc(), &attempt))
            .await?;
        if !recorded || failed {
            return Ok(());
        }
    }
    Ok(())
}

/// What a subscription may receive: its types, within what its owner's role may read, in its
/// region.
fn interest_of(sub: &SubscriptionRow) -> Interest {
    let readable: Vec<String> = sub
        .owner_role
        .parse::<Role>()
        .map(|role| {
            readable_event_types(role)
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let readable = (readable.len() < all_event_types().len()).then_some(readable);
    Interest {
        types: sub.types(),
        readable,
        region: sub.region_code.clone(),
    }
}

/// A delivery's body: the event exactly as `GET /v1/changes` lists it.
fn payload(row: &ormas_persistence::changes::ChangeRow) -> String {
    serde_json::to_string(&ChangeEvent::from(row.clone())).unwrap_or_else(|_| "{}".into())
}

/// Turns an outcome into the attempt to record: delivered on 2xx; otherwise a retry after the
/// policy's wait, or, once the attempts are exhausted, the end (the subscription is disabled).
fn attempt_of(
    outcome: &Outcome,
    delivery: &DeliveryRow,
    settings: &WebhookSettings,
    now: NaiveDateTime,
) -> Attempt {
    let (status, error) = match outcome {
        Outcome::Answered(code) if delivered(*code) => {
            return Attempt::Delivered {
                status: i32::from(*code),
            };
        }
        Outcome::Answered(code) if (300..400).contains(code) => (
            Some(i32::from(*code)),
            format!(
                "the receiver answered {code}, a redirect (deliveries do not follow redirects)"
            ),
        ),
        Outcome::Answered(code) => (
            Some(i32::from(*code)),
            format!("the receiver answered {code}"),
        ),
        Outcome::Failed(why) => (None, why.clone()),
    };
    let made = u32::try_from(delivery.attempts).unwrap_or(0) + 1;
    let retry_at = (!settings.retry.exhausted(made)).then(|| {
        let wait = settings.retry.delay(made, rand::random::<f64>());
        now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(12))
    });
    let reason = format!(
        "delivery {} ({}) failed {made} times; last: {error}",
        delivery.id, delivery.event_type
    );
    Attempt::Failed {
        status,
        error,
        retry_at,
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_standard_webhooks_test_vector() {
        // The test vector published with the Standard Webhooks specification.
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            signature.as_deref(),
            Some("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        );
    }

    #[test]
    fn both_secrets_sign_during_an_overlap() {
        let a = new_secret();
        let b = new_secret();
        assert!(a.starts_with(SECRET_PREFIX) && a != b);
        let header = signature_header(&[&a, &b], "m", 1, b"{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(Some(parts[0].to_owned()), sign(&a, "m", 1, b"{}"));
        assert_eq!(Some(parts[1].to_owned()), sign(&b, "m", 1, b"{}"));
    }

    #[test]
    fn urls_as_written() {
        let allow = vec![
            "http://127.0.0.1".to_owned(),
            "http://intranet.local:8080".to_owned(),
        ];
        for (url, ok) in [
            ("https://siormas.kemendagri.go.id/hooks", true),
            ("http://siormas.kemendagri.go.id/hooks", false),
            ("ftp://example.org/", false),
            ("https://user:pw@example.org/", false),
            ("https://example.org/#frag", false),
            ("not a url", false),
            ("http://127.0.0.1:9999/receiver", true),
            ("http://intranet.local:8080/x", true),
            ("http://intranet.local:8081/x", false),
            ("http://127.0.0.2/x", false),
        ] {
            assert_eq!(check_url(url, &allow).is_ok(), ok, "{url}");
        }
    }

    #[tokio::test]
    async fn resolving_refuses_every_forbidden_address() {
        for url in [
            "https://127.0.0.1/",
            "https://10.0.0.1/",
            "https://172.20.1.1/",
            "https://192.168.0.10/",
            "https://169.254.169.254/latest/meta-data/",
            "https://100.64.0.1/",
            "https://224.0.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://[::ffff:169.254.169.254]/",
            "https://[fe80::1]/",
            "https://[fd00::1]/",
            "https://[ff02::1]/",
            "https://localhost/",
        ] {
            let parsed = Url::parse(url).unwrap_or_else(|_| panic!("{url}"));
            let result = resolve(&parsed, &[]).await;
            assert!(result.is_err(), "{url}: {result:?}");
        }
        // An allow-listed origin passes without checks; a public literal is pinned as checked.
        let local = Url::parse("http://127.0.0.1:1234/x").unwrap_or_else(|_| panic!("url"));
        let allowed = resolve(&local, &["http://127.0.0.1".to_owned()]).await;
        assert_eq!(allowed.map(|d| d.pinned), Ok(None));
        let public = Url::parse("https://8.8.8.8/x").unwrap_or_else(|_| panic!("url"));
        let pinned = resolve(&public, &[]).await.map(|d| d.pinned);
        assert_eq!(
            pinned,
            Ok(Some(
                "8.8.8.8:443".parse().unwrap_or_else(|_| panic!("addr"))
            ))
        );
    }
}
