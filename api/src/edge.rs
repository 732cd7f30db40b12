//! Protection at the edge: who the client is (its address, through trusted proxies only), rate
//! limits on the endpoints anyone may call, CORS for browser apps on other origins, and the
//! security headers of every response.

use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpRequest, ResponseError, web};
use futures_util::future::{Ready, ready};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

use crate::config::{Config, RateLimits};
use crate::error::{ApiError, PROBLEM_JSON, Text};

/// The client's address as rate limits and the login policy count it: an IPv4 address, or the
/// /64 network of an IPv6 address (one subscriber usually holds a whole /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub IpAddr);

impl ClientAddress {
    /// Groups `ip` as counted: IPv4-mapped IPv6 as IPv4, other IPv6 by its /64.
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => ClientAddress(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientAddress(IpAddr::V4(v4)),
                None => {
                    let bits = u128::from(v6) & !((1u128 << 64) - 1);
                    ClientAddress(IpAddr::V6(Ipv6Addr::from(bits)))
                }
            },
        }
    }

    /// The request's client: the peer, or, when the peer is a trusted proxy, the last address in
    /// `X-Forwarded-For` that is not itself a trusted proxy.
    pub fn from_request_parts(
        peer: Option<IpAddr>,
        headers: &HeaderMap,
        trusted: &[IpNet],
    ) -> Self {
        Self::of(client_ip(peer, headers, trusted))
    }

    /// How it is stored and logged: `203.0.113.7`, `2001:db8:1:2::/64`.
    pub fn key(&self) -> String {
        match self.0 {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("{v6}/64"),
        }
    }
}

fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let unspecified = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
    let Some(peer) = peer else {
        return unspecified;
    };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all(HeaderName::from_static("x-forwarded-for"))
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        match parse_hop(hop) {
            Some(ip) => {
                client = ip;
                if !is_trusted(&ip) {
                    break;
                }
            }
            // Whatever a proxy did not write itself cannot be believed further.
            None => break,
        }
    }
    client
}

/// An `X-Forwarded-For` entry: `203.0.113.7`, `203.0.113.7:5000`, `2001:db8::1`, `[2001:db8::1]:5000`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    if let Some(rest) = hop.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    hop.parse::<std::net::SocketAddrV4>()
        .ok()
        .map(|a| IpAddr::V4(*a.ip()))
}

impl FromRequest for ClientAddress {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trusted = req
            .app_data::<web::Data<crate::state::AppState>>()
            .map(|state| state.config.trusted_proxies.clone())
            .unwrap_or_default();
        ready(Ok(Self::from_request_parts(
            req.peer_addr().map(|a| a.ip()),
            req.headers(),
            &trusted,
        )))
    }
}

/// Which limit a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limited {
    Register,
    Login,
    Token,
    Refresh,
    Public,
    Complaints,
}

impl Limited {
    /// The limit of an unauthenticated endpoint; `None` for the others.
    pub fn of(method: &Method, path: &str) -> Option<Self> {
        match (method, path.trim_end_matches('/')) {
            (&Method::POST, "/v1/auth/register") => Some(Limited::Register),
            (&Method::POST, "/v1/auth/login") => Some(Limited::Login),
            (&Method::POST, "/v1/auth/token") => Some(Limited::Token),
            (&Method::POST, "/v1/auth/refresh") => Some(Limited::Refresh),
            (&Method::POST, "/v1/public/complaints") => Some(Limited::Complaints),
            (_, path) if path.starts_with("/v1/public/") || path == "/v1/public" => {
                Some(Limited::Public)
            }
            _ => None,
        }
    }
}

/// One keyed limiter per endpoint group, shared by every worker. Its memory is bounded: every
/// minute the addresses whose allowance is whole again are forgotten.
pub struct RateLimiters {
    register: Option<DefaultKeyedRateLimiter<ClientAddress>>,
    login: Option<DefaultKeyedRateLimiter<ClientAddress>>,
    token: Option<DefaultKeyedRateLimiter<ClientAddress>>,
    refresh: Option<DefaultKeyedRateLimiter<ClientAddress>>,
    public: Option<DefaultKeyedRateLimiter<ClientAddress>>,
    complaints: Option<DefaultKeyedRateLimiter<ClientAddress>>,
    trusted: Vec<IpNet>,
    started: Instant,
    /// Seconds after `started` of the last sweep.
    last_sweep: AtomicU64,
}

const SWEEP_EVERY_SECS: u64 = 60;

fn limiter(count: u32, period: Duration) -> Option<DefaultKeyedRateLimiter<ClientAddress>> {
    let burst = NonZeroU32::new(count)?;
    let quota = Quota::with_period(period / count)?.allow_burst(burst);
    Some(RateLimiter::keyed(quota))
}

impl RateLimiters {
    pub fn new(limits: &RateLimits, trusted: Vec<IpNet>) -> Self {
        let minute = Duration::from_secs(60);
        RateLimiters {
            register: limiter(limits.register_per_hour, Duration::from_secs(3600)),
            login: limiter(limits.login_per_minute, minute),
            token: limiter(limits.token_per_minute, minute),
            refresh: limiter(limits.refresh_per_minute, minute),
            public: limiter(limits.public_per_minute, minute),
            complaints: limiter(limits.complaints_per_hour, Duration::from_secs(3600)),
            trusted,
            started: Instant::now(),
            last_sweep: AtomicU64::new(0),
        }
    }

    pub fn from_config(config: &Config) -> Self {
        Self::new(&config.rate_limits, config.trusted_proxies.clone())
    }

    fn limiter(&self, group: Limited) -> Option<&DefaultKeyedRateLimiter<ClientAddress>> {
        match group {
            Limited::Register => self.register.as_ref(),
            Limited::Login => self.login.as_ref(),
            Limited::Token => self.token.as_ref(),
            Limited::Refresh => self.refresh.as_ref(),
            Limited::Public => self.public.as_ref(),
            Limited::Complaints => self.complaints.as_ref(),
        }
    }

    /// `Err(wait)` when `client` has used up its allowance for `group`.
    pub fn check(&self, group: Limited, client: &ClientAddress) -> Result<(), Duration> {
        self.sweep();
        let Some(limiter) = self.limiter(group) else {
            return Ok(());
        };
        limiter
            .check_key(client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets the addresses whose allowance is whole again, at most once a minute.
    fn sweep(&self) {
        let now = self.started.elapsed().as_secs();
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now < last + SWEEP_EVERY_SECS
            || self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        for limiter in [
            &self.register,
            &self.login,
            &self.token,
            &self.refresh,
            &self.public,
            &self.complaints,
        ]
        .into_iter()
        .flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// How many addresses are remembered (all groups).
    pub fn remembered(&self) -> usize {
        [
            &self.register,
            &self.login,
            &self.token,
            &self.refresh,
            &self.public,
            &self.complaints,
        ]
        .into_iter()
        .flatten()
        .map(|l| l.len())
        .sum()
    }
}

/// The 429 of a rate limit, with `Retry-After` in whole seconds (at least 1).
pub fn rate_limited(wait: Duration) -> ApiError {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    ApiError::too_many_requests(seconds.max(1)).with_detail(Text::new(
        "Terlalu banyak permintaan dari alamat ini; coba lagi setelah waktu pada Retry-After.",
        "Too many requests from this address; try again after Retry-After.",
    ))
}

/// Counts requests to the unauthenticated endpoints per client address; over the limit they
/// answer 429 before anything else is done (no body is read, no database is touched).
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    if let Some(group) = Limited::of(req.method(), req.path())
        && let Some(limiters) = req.app_data::<web::Data<RateLimiters>>()
    {
        let client = ClientAddress::from_request_parts(
            req.peer_addr().map(|a| a.ip()),
            req.headers(),
            &limiters.trusted,
        );
        if let Err(wait) = limiters.check(group, &client) {
            let response = rate_limited(wait).error_response();
            return Ok(req.into_response(response).map_into_right_body());
        }
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The headers of `ORMAS_CORS_ORIGINS`: exact origins only, the methods and request headers the
/// API uses, and the response headers a browser app needs to read.
pub fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            HeaderName::from_static("idempotency-key"),
            header::ACCEPT_LANGUAGE,
            header::ACCEPT,
            HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            HeaderName::from_static("x-request-id"),
            HeaderName::from_static("idempotency-replayed"),
        ])
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// The Content-Security-Policy of the Swagger UI (`/docs/`): its own scripts and styles only
/// (the UI sets inline styles), no framing.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; \
form-action 'none'; frame-ancestors 'none'";

/// Security headers on every response: `X-Content-Type-Options: nosniff`; `Cache-Control:
/// no-store` on answers to authenticated requests, to the sign-in endpoints and the caller's own
/// account (tokens and personal data), unless the handler chose its own; `Vary: Accept-Language`
/// on problem documents (their text follows the language); a strict CSP and no framing on the docs.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let authenticated = req.headers().contains_key(header::AUTHORIZATION);
    let path = req.path().to_owned();
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let private = authenticated
        || path.starts_with("/v1/auth/")
        || path == "/v1/me"
        || path.starts_with("/v1/me/");
    if private && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let is_problem = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(PROBLEM_JSON));
    if is_problem {
        add_vary(headers, "accept-language");
    }
    if path == "/docs" || path.starts_with("/docs/") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_CSP),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Ok(response)
}

/// Adds `name` to `Vary` unless it is there already.
fn add_vary(headers: &mut HeaderMap, name: &'static str) {
    let present = headers
        .get_all(header::VARY)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| v.trim().eq_ignore_ascii_case(name) || v.trim() == "*");
    if !present {
        headers.append(header::VARY, HeaderValue::from_static(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for value in xff {
            map.append(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn forwarded_for_is_believed_from_trusted_proxies_only() {
        let trusted = crate::config::parse_trusted_proxies("127.0.0.1,10.0.0.0/8").unwrap();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let client = |peer: &str, xff: &[&str]| {
            ClientAddress::from_request_parts(Some(ip(peer)), &headers(xff), &trusted).key()
        };
        // An untrusted peer is the client, whatever it claims.
        assert_eq!(client("203.0.113.9", &["198.51.100.1"]), "203.0.113.9");
        // A trusted peer names the client; a spoofed entry left of it is ignored.
        assert_eq!(client("127.0.0.1", &["198.51.100.1"]), "198.51.100.1");
        assert_eq!(
            client("127.0.0.1", &["6.6.6.6, 198.51.100.1, 10.1.2.3"]),
            "198.51.100.1"
        );
        assert_eq!(
            client("127.0.0.1", &["6.6.6.6", "198.51.100.1:4711"]),
            "198.51.100.1"
        );
        assert_eq!(client("127.0.0.1", &[]), "127.0.0.1");
        assert_eq!(client("127.0.0.1", &["garbage"]), "127.0.0.1");
        // IPv6 counts by /64; IPv4-mapped as IPv4.
        assert_eq!(
            client("127.0.0.1", &["[2001:db8:1:2:aaaa::1]:443"]),
            "2001:db8:1:2::/64"
        );
        assert_eq!(client("2001:db8:1:2::77", &[]), "2001:db8:1:2::/64");
        assert_eq!(client("::ffff:198.51.100.1", &[]), "198.51.100.1");
    }

    #[test]
    fn limits_count_per_address_and_say_how_long_to_wait() {
        let limits = RateLimits {
            register_per_hour: 3,
            login_per_minute: 0,
            ..RateLimits::default()
        };
        let limiters = RateLimiters::new(&limits, vec![]);
        let a = ClientAddress::of("198.51.100.1".parse().unwrap());
        let b = ClientAddress::of("198.51.100.2".parse().unwrap());
        for _ in 0..3 {
            assert!(limiters.check(Limited::Register, &a).is_ok());
        }
        let wait = limiters.check(Limited::Register, &a).unwrap_err();
        assert!(
            wait > Duration::from_secs(1000) && wait <= Duration::from_secs(1200),
            "{wait:?}"
        );
        assert!(limiters.check(Limited::Register, &b).is_ok());
        // 0: no limit.
        for _ in 0..100 {
            assert!(limiters.check(Limited::Login, &a).is_ok());
        }
        assert_eq!(
            Limited::of(&Method::GET, "/v1/public/ormas"),
            Some(Limited::Public)
        );
        assert_eq!(Limited::of(&Method::GET, "/v1/ormas"), None);
        assert_eq!(
            Limited::of(&Method::POST, "/v1/public/complaints"),
            Some(Limited::Complaints)
        );
        assert_eq!(
            Limited::of(&Method::GET, "/v1/public/complaints/ABCD"),
            Some(Limited::Public)
        );
        assert_eq!(
            Limited::of(&Method::POST, "/v1/auth/register"),
            Some(Limited::Register)
        );
    }
}
