//! Configuration from environment variables, each with a documented default.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ormas_persistence::{DatabaseTarget, PoolOptions};

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA_DIR: &str = "./data";
pub const DEFAULT_POOL_SIZE: u32 = 10;
pub const DEFAULT_POOL_TIMEOUT_SECS: u64 = 5;
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;
pub const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 30;
pub const DEFAULT_ACCESS_TOKEN_TTL_SECS: u64 = 15 * 60;
pub const DEFAULT_REFRESH_TOKEN_TTL_SECS: u64 = 30 * 24 * 3600;
pub const DEFAULT_LOGIN_MAX_FAILURES: u64 = 5;
pub const DEFAULT_LOGIN_WINDOW_SECS: u64 = 15 * 60;
pub const DEFAULT_LOGIN_MAX_FAILURES_PER_ADDRESS: u64 = 20;
pub const DEFAULT_LOGIN_MAX_DELAY_SECS: u64 = 16;
pub const MIN_JWT_SECRET_BYTES: usize = 32;
pub const DEFAULT_DOCUMENT_LIMIT: u64 = 10 * 1024 * 1024;
pub const DEFAULT_UTC_OFFSET_HOURS: i64 = 7;
pub const DEFAULT_IDEMPOTENCY_TTL_HOURS: u64 = 24;

pub use crate::clock::Clock;

/// The variables, their defaults and meaning, as printed by `ormas-api --help` and the README.
pub const ENVIRONMENT_HELP: &str = "\
Environment variables:
  ORMAS_BIND                  address to listen on [default: 127.0.0.1:8080]
  ORMAS_DATA_DIR              directory for the SQLite file and other local data [default: ./data]
  DATABASE_URL                postgres://user:pass@host/db for PostgreSQL, or an SQLite file path
                              (sqlite://PATH also accepted) [default: $ORMAS_DATA_DIR/ormas.db]
  ORMAS_DB_POOL_SIZE          connections in the pool [default: 10]
  ORMAS_DB_TEST_IDLE_SECS     a pooled connection idle longer than this is tested (SELECT 1) before
                              use; 0: test every checkout [default: 2]
  ORMAS_DB_POOL_TIMEOUT_SECS  seconds a request waits for a connection before a 503 [default: 5]
  ORMAS_BODY_LIMIT            largest JSON request body, in bytes [default: 1048576]
  ORMAS_WORKERS               HTTP worker threads [default: number of CPUs]
  ORMAS_SHUTDOWN_TIMEOUT_SECS seconds in-flight requests get to finish after SIGTERM [default: 30]
  ORMAS_JWT_SECRET            key that signs access tokens, at least 32 bytes [default: generated
                              once and kept in $ORMAS_DATA_DIR/jwt-secret, with a warning]
  ORMAS_ACCESS_TOKEN_TTL_SECS lifetime of an access token [default: 900]
  ORMAS_REFRESH_TOKEN_TTL_SECS lifetime of a login session and its refresh tokens [default: 2592000]
  ORMAS_LOGIN_MAX_FAILURES    failed logins for one username from one client address before that
                              pair answers 429; from as many failures from any addresses on, each
                              login for the username is slowed (1 s, 2 s, 4 s, ...) [default: 5]
  ORMAS_LOGIN_MAX_FAILURES_PER_ADDRESS  failed logins from one client address, any usernames,
                              before that address answers 429 [default: 20]
  ORMAS_LOGIN_MAX_DELAY_SECS  the longest slow-down of a login (0: none) [default: 16]
  ORMAS_LOGIN_WINDOW_SECS     the window those failures are counted in [default: 900]
  ORMAS_TRUSTED_PROXIES       comma-separated IPs or CIDRs of reverse proxies whose X-Forwarded-For
                              names the client; other peers are the client [default: none]
  ORMAS_RATE_LIMIT_REGISTER_PER_HOUR  self-registrations (POST /v1/auth/register) per client
                              address (IPv6: per /64) per hour; 0 switches a limit off [default: 10]
  ORMAS_RATE_LIMIT_LOGIN_PER_MINUTE   logins per client address per minute [default: 30]
  ORMAS_RATE_LIMIT_TOKEN_PER_MINUTE   client-credential tokens per client address per minute
                              [default: 30]
  ORMAS_RATE_LIMIT_REFRESH_PER_MINUTE token refreshes per client address per minute [default: 60]
  ORMAS_RATE_LIMIT_PUBLIC_PER_MINUTE  reads of the public register (/v1/public/...) per client
                              address per minute [default: 120]
  ORMAS_RATE_LIMIT_COMPLAINTS_PER_HOUR  public complaints (POST /v1/public/complaints) per client
                              address per hour [default: 5]
  ORMAS_CORS_ORIGINS          comma-separated origins (scheme://host[:port]) whose pages may call the
                              API from a browser [default: none]
  ORMAS_DOCUMENT_LIMIT        largest uploaded document, in bytes [default: 10485760]
  ORMAS_REQUIRED_DOCUMENTS    comma-separated document types a registration needs before it is
                              submitted [default: cover_letter,legal_basis,deed_of_establishment,
                              statutes,board_decree,work_programme,domicile_letter,office_photo,
                              npwp,statements]
  ORMAS_REGISTRATION_NUMBER_PATTERN  pattern of registration numbers
                              [default: {seq:03}/SKM/{region}/{roman_month}/{year}]
  ORMAS_UTC_OFFSET_HOURS      the deployment's time zone for dates and deadlines (7 WIB, 8 WITA,
                              9 WIT) [default: 7]
  ORMAS_REPORT_CADENCE        how often ormas report: semester (YYYY-S1, YYYY-S2) or annual (YYYY)
                              [default: semester]
  ORMAS_REPORT_DUE_DAYS       calendar days after a period ends that its report is due [default: 30]
  ORMAS_ACTIVE_WINDOW_MONTHS  months an accepted report keeps an ormas active [default: 12]
  ORMAS_REQUIRE_VERIFICATION_VISIT  true: `approve` needs a field visit that found the secretariat
                              [default: false]
  ORMAS_STATS_REFRESH_SECS    seconds between background recounts of the statistics of offices
                              whose data changed (0: only on request) [default: 60]
  ORMAS_ATTRIBUTE_PERMIT_ANSWER_DAYS  working days the office has to answer a submitted attribute
                              permit request [default: 7]
  ORMAS_ATTRIBUTE_PERMIT_VALIDITY_MONTHS  months an approved attribute permit is valid [default: 6]
  ORMAS_CONSULTATION_FIRST_ANSWER_DAYS  working days from opening a consultation to its first
                              answer's due day [default: 3]
  ORMAS_CONSULTATION_AUTO_CLOSE_DAYS    days after an answer without the asker's reply before a
                              consultation reads closed [default: 14]
  ORMAS_CHANGES_RETENTION_DAYS  days the changes feed keeps its events [default: 400]
  ORMAS_CHANGES_PRUNE_SECS    how often events past retention are removed; 0: never [default: 3600]
  ORMAS_IDEMPOTENCY_TTL_HOURS hours an Idempotency-Key of a POST is remembered for replays
                              [default: 24]
  ORMAS_WEBHOOK_POLL_MS       how often the webhook dispatcher looks for new events, in
                              milliseconds; 0: no dispatcher in this instance [default: 1000]
  ORMAS_WEBHOOK_TIMEOUT_SECS  how long a receiver has to answer a delivery (1 to 30) [default: 15]
  ORMAS_WEBHOOK_LEASE_SECS    how long an instance holds a subscription between renewals; another
                              instance takes it over after this (more than the timeout)
                              [default: 60]
  ORMAS_WEBHOOK_RETRY_BASE_SECS  the first retry's wait; the n-th waits base × 4^(n-1), at most
                              base × 4320, ±20 % [default: 10]
  ORMAS_WEBHOOK_MAX_ATTEMPTS  attempts before a delivery is given up and its subscription
                              disabled (13 at base 10 s: about three days) [default: 13]
  ORMAS_WEBHOOK_ALLOWLIST     comma-separated origins (scheme://host[:port]; no port: any port)
                              that webhooks may reach over plain http and past the address checks,
                              e.g. http://127.0.0.1 for tests or an intranet [default: none]
  ORMAS_PASSWORD              password for `users create` (read from standard input when unset)
  RUST_LOG                    log filter, e.g. info or ormas_api=debug,info [default: info]";

/// The service's settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database: DatabaseTarget,
    pub pool: PoolOptions,
    pub body_limit: usize,
    pub workers: Option<usize>,
    pub shutdown_timeout: Duration,
    /// The token signing key from `ORMAS_JWT_SECRET`; `None` means use (or create) the one kept in
    /// the data directory.
    pub jwt_secret: Option<String>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub login_max_failures: u32,
    pub login_max_failures_per_address: u32,
    /// The longest slow-down of a login for a username under attack; zero: none.
    pub login_max_delay: Duration,
    pub login_window: Duration,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Requests per client address on the unauthenticated endpoints.
    pub rate_limits: RateLimits,
    /// Exact origins allowed to call the API from a browser (CORS); none by default.
    pub cors_origins: Vec<String>,
    pub document_limit: u64,
    pub required_documents: Vec<String>,
    pub registration_number_pattern: ormas_domain::registration_number::NumberPattern,
    pub utc_offset_hours: i32,
    /// Reporting cadence, due date and active window.
    pub reporting: ormas_domain::ReportingPolicy,
    /// How often the statistics snapshots of changed offices are recounted in the background;
    /// `None` disables it (snapshots are then recounted on request only).
    pub stats_refresh: Option<Duration>,
    /// Whether approving a registration needs a field visit that found the secretariat.
    pub require_verification_visit: bool,
    /// Attribute permits: the office's answer deadline and the permits' validity.
    pub attribute_permits: AttributePermitPolicy,
    /// Grant proposals: the minimum years as a legal entity and the LPJ's due day.
    pub grants: ormas_domain::grants::GrantPolicy,
    /// Consultations: the first answer's due day and the automatic close.
    pub consultations: ormas_domain::consultations::ConsultationPolicy,
    /// How long the changes feed keeps its events (days), and how often old ones are removed;
    /// `None`: never removed.
    pub changes_retention_days: u32,
    pub changes_prune_every: Option<Duration>,
    /// Today for the rules; pinned only by tests.
    pub clock: Clock,
    /// How long the response to a `POST` with an `Idempotency-Key` is kept for replays.
    pub idempotency_ttl: Duration,
    /// How long a key may stay "in progress" before it counts as abandoned (its instance died
    /// mid-request) and a retry runs anew.
    pub idempotency_abandon_after: Duration,
    /// Webhook delivery.
    pub webhooks: WebhookSettings,
    /// Answers 500 to a successful write of the register that wrote no event to the changes feed
    /// (`crate::changes::require_events`): on in the HTTP test suite, off otherwise.
    pub require_events: bool,
}

/// The settings of webhook delivery (`ORMAS_WEBHOOK_…`).
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    /// How often the dispatcher looks for work; `None`: this instance runs no dispatcher.
    pub poll: Option<Duration>,
    pub timeout: Duration,
    pub lease: Duration,
    pub retry: ormas_domain::webhooks::RetryPolicy,
    /// Origins reachable over plain http and past the address checks.
    pub allowlist: Vec<String>,
    /// Subscriptions delivered at the same time by one instance.
    pub concurrency: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            poll: Some(Duration::from_secs(1)),
            timeout: Duration::from_secs(15),
            lease: Duration::from_secs(60),
            retry: ormas_domain::webhooks::RetryPolicy::default(),
            allowlist: Vec::new(),
            concurrency: 4,
        }
    }
}

/// The settings of attribute permits (`ORMAS_ATTRIBUTE_PERMIT_…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributePermitPolicy {
    /// Working days from a submission to the office's answer.
    pub answer_working_days: i32,
    /// Months an approved permit is valid from its approval.
    pub validity_months: u32,
}

impl Default for AttributePermitPolicy {
    fn default() -> Self {
        Self {
            answer_working_days: ormas_domain::permits::DEFAULT_ANSWER_WORKING_DAYS,
            validity_months: ormas_domain::permits::DEFAULT_VALIDITY_MONTHS,
        }
    }
}

impl Config {
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today(self.utc_offset_hours)
    }
}

/// Requests per client address (IPv6: per /64) on the endpoints anyone may call; `0` is no
/// limit. Each is a burst of that many, refilled evenly over its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// `POST /v1/auth/register`, per hour.
    pub register_per_hour: u32,
    /// `POST /v1/auth/login`, per minute.
    pub login_per_minute: u32,
    /// `POST /v1/auth/token`, per minute.
    pub token_per_minute: u32,
    /// `POST /v1/auth/refresh`, per minute.
    pub refresh_per_minute: u32,
    /// `/v1/public/…`, per minute.
    pub public_per_minute: u32,
    /// `POST /v1/public/complaints`, per hour.
    pub complaints_per_hour: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            register_per_hour: 10,
            login_per_minute: 30,
            token_per_minute: 30,
            refresh_per_minute: 60,
            public_per_minute: 120,
            complaints_per_hour: 5,
        }
    }
}

/// `ORMAS_TRUSTED_PROXIES`: IPs (`10.0.0.5`, `::1`) or networks (`10.0.0.0/8`), comma-separated.
pub fn parse_trusted_proxies(text: &str) -> Result<Vec<ipnet::IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| format!("`{item}` is not an IP address or CIDR network"))
        })
        .collect()
}

/// `ORMAS_CORS_ORIGINS`: exact origins, `scheme://host[:port]`, comma-separated.
pub fn parse_origins(text: &str) -> Result<Vec<String>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|origin| {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', ' ', '*']) => {
                    Ok(origin.to_owned())
                }
                _ => Err(format!(
                    "`{origin}` is not an origin such as https://app.example.go.id"
                )),
            }
        })
        .collect()
}

/// A variable is set to something unusable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can supply their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let bind = get("ORMAS_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind = bind.parse().map_err(|_| ConfigError {
            variable: "ORMAS_BIND",
            message: format!("`{bind}` is not an address such as 127.0.0.1:8080"),
        })?;
        let data_dir =
            PathBuf::from(get("ORMAS_DATA_DIR").unwrap_or_else(|| DEFAULT_DATA_DIR.into()));
        let database = match get("DATABASE_URL") {
            Some(url) => DatabaseTarget::parse(&url).map_err(|message| ConfigError {
                variable: "DATABASE_URL",
                message,
            })?,
            None => DatabaseTarget::Sqlite(data_dir.join("ormas.db")),
        };
        let number =
            |name: &'static str, default: u64, min: u64, max: u64| -> Result<u64, ConfigError> {
                match get(name) {
                    None => Ok(default),
                    Some(text) => match text.trim().parse::<u64>() {
                        Ok(n) if (min..=max).contains(&n) => Ok(n),
                        _ => Err(ConfigError {
                            variable: name,
                            message: format!("`{text}` is not a whole number from {min} to {max}"),
                        }),
                    },
                }
            };
        let pool = PoolOptions {
            max_size: number("ORMAS_DB_POOL_SIZE", DEFAULT_POOL_SIZE.into(), 1, 1000)? as u32,
            connection_timeout: Duration::from_secs(number(
                "ORMAS_DB_POOL_TIMEOUT_SECS",
                DEFAULT_POOL_TIMEOUT_SECS,
                1,
                600,
            )?),
            trust_idle_for: Duration::from_secs(number("ORMAS_DB_TEST_IDLE_SECS", 2, 0, 3600)?),
        };
        let body_limit =
            number("ORMAS_BODY_LIMIT", DEFAULT_BODY_LIMIT as u64, 1024, 1 << 30)? as usize;
        let workers = match get("ORMAS_WORKERS") {
            None => None,
            Some(_) => Some(number("ORMAS_WORKERS", 1, 1, 1024)? as usize),
        };
        let shutdown_timeout = Duration::from_secs(number(
            "ORMAS_SHUTDOWN_TIMEOUT_SECS",
            DEFAULT_SHUTDOWN_TIMEOUT_SECS,
            0,
            3600,
        )?);
        let jwt_secret = get("ORMAS_JWT_SECRET");
        if let Some(secret) = &jwt_secret
            && secret.len() < MIN_JWT_SECRET_BYTES
        {
            return Err(ConfigError {
                variable: "ORMAS_JWT_SECRET",
                message: format!(
                    "is {} bytes long; it must be at least {MIN_JWT_SECRET_BYTES}",
                    secret.len()
                ),
            });
        }
        let seconds =
            |name, default, min, max| number(name, default, min, max).map(Duration::from_secs);
        let access_token_ttl = seconds(
            "ORMAS_ACCESS_TOKEN_TTL_SECS",
            DEFAULT_ACCESS_TOKEN_TTL_SECS,
            30,
            86_400,
        )?;
        let refresh_token_ttl = seconds(
            "ORMAS_REFRESH_TOKEN_TTL_SECS",
            DEFAULT_REFRESH_TOKEN_TTL_SECS,
            60,
            365 * 86_400,
        )?;
        let login_max_failures = number(
            "ORMAS_LOGIN_MAX_FAILURES",
            DEFAULT_LOGIN_MAX_FAILURES,
            1,
            1000,
        )? as u32;
        let login_max_failures_per_address = number(
            "ORMAS_LOGIN_MAX_FAILURES_PER_ADDRESS",
            DEFAULT_LOGIN_MAX_FAILURES_PER_ADDRESS,
            1,
            1_000_000,
        )? as u32;
        let login_max_delay = seconds(
            "ORMAS_LOGIN_MAX_DELAY_SECS",
            DEFAULT_LOGIN_MAX_DELAY_SECS,
            0,
            300,
        )?;
        let trusted_proxies = match get("ORMAS_TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(text) => parse_trusted_proxies(&text).map_err(|message| ConfigError {
                variable: "ORMAS_TRUSTED_PROXIES",
                message,
            })?,
        };
        let cors_origins = match get("ORMAS_CORS_ORIGINS") {
            None => Vec::new(),
            Some(text) => parse_origins(&text).map_err(|message| ConfigError {
                variable: "ORMAS_CORS_ORIGINS",
                message,
            })?,
        };
        let defaults = RateLimits::default();
        let rate = |name, default: u32| -> Result<u32, ConfigError> {
            Ok(number(name, default.into(), 0, 1_000_000)? as u32)
        };
        let rate_limits = RateLimits {
            register_per_hour: rate(
                "ORMAS_RATE_LIMIT_REGISTER_PER_HOUR",
                defaults.register_per_hour,
            )?,
            login_per_minute: rate(
                "ORMAS_RATE_LIMIT_LOGIN_PER_MINUTE",
                defaults.login_per_minute,
            )?,
            token_per_minute: rate(
                "ORMAS_RATE_LIMIT_TOKEN_PER_MINUTE",
                defaults.token_per_minute,
            )?,
            refresh_per_minute: rate(
                "ORMAS_RATE_LIMIT_REFRESH_PER_MINUTE",
                defaults.refresh_per_minute,
            )?,
            public_per_minute: rate(
                "ORMAS_RATE_LIMIT_PUBLIC_PER_MINUTE",
                defaults.public_per_minute,
            )?,
            complaints_per_hour: rate(
                "ORMAS_RATE_LIMIT_COMPLAINTS_PER_HOUR",
                defaults.complaints_per_hour,
            )?,
        };
        let login_window = seconds(
            "ORMAS_LOGIN_WINDOW_SECS",
            DEFAULT_LOGIN_WINDOW_SECS,
            1,
            86_400,
        )?;
        let document_limit = number(
            "ORMAS_DOCUMENT_LIMIT",
            DEFAULT_DOCUMENT_LIMIT,
            1024,
            1 << 31,
        )?;
        let required_documents = match get("ORMAS_REQUIRED_DOCUMENTS") {
            None => ormas_domain::reference_lists::DEFAULT_REQUIRED_DOCUMENTS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            Some(list) => {
                let codes: Vec<String> = list
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect();
                if let Some(unknown) = codes.iter().find(|c| {
                    ormas_domain::reference_lists::find(
                        ormas_domain::reference_lists::DOCUMENT_TYPES,
                        c,
                    )
                    .is_none()
                }) {
                    return Err(ConfigError {
                        variable: "ORMAS_REQUIRED_DOCUMENTS",
                        message: format!("`{unknown}` is not a document type"),
                    });
                }
                codes
            }
        };
        let pattern_text = get("ORMAS_REGISTRATION_NUMBER_PATTERN")
            .unwrap_or_else(|| ormas_domain::registration_number::DEFAULT_PATTERN.to_owned());
        let registration_number_pattern = ormas_domain::registration_number::NumberPattern::parse(
            &pattern_text,
        )
        .map_err(|e| ConfigError {
            variable: "ORMAS_REGISTRATION_NUMBER_PATTERN",
            message: e.to_string(),
        })?;
        let utc_offset_hours = match get("ORMAS_UTC_OFFSET_HOURS") {
            None => DEFAULT_UTC_OFFSET_HOURS as i32,
            Some(text) => match text.trim().parse::<i32>() {
                Ok(n) if (-12..=14).contains(&n) => n,
                _ => {
                    return Err(ConfigError {
                        variable: "ORMAS_UTC_OFFSET_HOURS",
                        message: format!("`{text}` is not a whole number of hours from -12 to 14"),
                    });
                }
            },
        };
        let cadence = match get("ORMAS_REPORT_CADENCE") {
            None => ormas_domain::Cadence::Semester,
            Some(text) => text.trim().parse().map_err(|_| ConfigError {
                variable: "ORMAS_REPORT_CADENCE",
                message: format!("`{text}` is not semester or annual"),
            })?,
        };
        let reporting = ormas_domain::ReportingPolicy {
            cadence,
            due_after_days: number(
                "ORMAS_REPORT_DUE_DAYS",
                ormas_domain::reporting::DEFAULT_DUE_AFTER_DAYS.into(),
                0,
                366,
            )? as u32,
            active_window_months: number(
                "ORMAS_ACTIVE_WINDOW_MONTHS",
                ormas_domain::reporting::DEFAULT_ACTIVE_WINDOW_MONTHS.into(),
                1,
                120,
            )? as u32,
        };
        let stats_refresh = match number("ORMAS_STATS_REFRESH_SECS", 60, 0, 86_400)? {
            0 => None,
            secs => Some(Duration::from_secs(secs)),
        };
        let require_verification_visit = match get("ORMAS_REQUIRE_VERIFICATION_VISIT") {
            None => false,
            Some(text) => match text.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" => true,
                "false" | "0" | "no" | "off" => false,
                _ => {
                    return Err(ConfigError {
                        variable: "ORMAS_REQUIRE_VERIFICATION_VISIT",
                        message: format!("`{text}` is neither true nor false"),
                    });
                }
            },
        };
        let attribute_permits = AttributePermitPolicy {
            answer_working_days: number(
                "ORMAS_ATTRIBUTE_PERMIT_ANSWER_DAYS",
                ormas_domain::permits::DEFAULT_ANSWER_WORKING_DAYS as u64,
                1,
                90,
            )? as i32,
            validity_months: number(
                "ORMAS_ATTRIBUTE_PERMIT_VALIDITY_MONTHS",
                ormas_domain::permits::DEFAULT_VALIDITY_MONTHS.into(),
                1,
                60,
            )? as u32,
        };
        // Grant proposals (Permendagri 32/2011 as amended).
        let grants = {
            let default = ormas_domain::grants::GrantPolicy::default();
            let min_legal_entity_years = match get("ORMAS_GRANT_MIN_LEGAL_ENTITY_YEARS") {
                None => default.min_legal_entity_years,
                Some(text) => text
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|years| *years <= 50)
                    .ok_or_else(|| ConfigError {
                        variable: "ORMAS_GRANT_MIN_LEGAL_ENTITY_YEARS",
                        message: format!("`{text}` is not a number of years from 0 to 50"),
                    })?,
            };
            let lpj_due = match get("ORMAS_GRANT_LPJ_DUE_MONTH_DAY") {
                None => default.lpj_due,
                Some(text) => {
                    ormas_domain::grants::parse_month_day(&text).ok_or_else(|| ConfigError {
                        variable: "ORMAS_GRANT_LPJ_DUE_MONTH_DAY",
                        message: format!("`{text}` is not a day of the year as MM-DD"),
                    })?
                }
            };
            ormas_domain::grants::GrantPolicy {
                min_legal_entity_years,
                lpj_due,
            }
        };
        let consultations = ormas_domain::consultations::ConsultationPolicy {
            first_answer_days: number("ORMAS_CONSULTATION_FIRST_ANSWER_DAYS", 3, 1, 60)? as i32,
            auto_close_days: number("ORMAS_CONSULTATION_AUTO_CLOSE_DAYS", 14, 1, 365)? as u32,
        };
        let changes_retention_days = number("ORMAS_CHANGES_RETENTION_DAYS", 400, 1, 36_500)? as u32;
        let changes_prune_every = match number("ORMAS_CHANGES_PRUNE_SECS", 3_600, 0, 86_400)? {
            0 => None,
            secs => Some(Duration::from_secs(secs)),
        };
        let idempotency_ttl = Duration::from_secs(
            number(
                "ORMAS_IDEMPOTENCY_TTL_HOURS",
                DEFAULT_IDEMPOTENCY_TTL_HOURS,
                1,
                24 * 365,
            )? * 3600,
        );
        let webhooks = {
            let poll = match number("ORMAS_WEBHOOK_POLL_MS", 1_000, 0, 3_600_000)? {
                0 => None,
                ms => Some(Duration::from_millis(ms)),
            };
            let timeout = Duration::from_secs(number("ORMAS_WEBHOOK_TIMEOUT_SECS", 15, 1, 30)?);
            let lease = Duration::from_secs(number("ORMAS_WEBHOOK_LEASE_SECS", 60, 2, 3_600)?);
            if lease <= timeout {
                return Err(ConfigError {
                    variable: "ORMAS_WEBHOOK_LEASE_SECS",
                    message: format!(
                        "{} s must be longer than ORMAS_WEBHOOK_TIMEOUT_SECS ({} s)",
                        lease.as_secs(),
                        timeout.as_secs()
                    ),
                });
            }
            let retry = ormas_domain::webhooks::RetryPolicy {
                base: Duration::from_secs(number("ORMAS_WEBHOOK_RETRY_BASE_SECS", 10, 1, 3_600)?),
                max_attempts: number(
                    "ORMAS_WEBHOOK_MAX_ATTEMPTS",
                    ormas_domain::webhooks::RetryPolicy::DEFAULT_MAX_ATTEMPTS.into(),
                    1,
                    100,
                )? as u32,
            };
            let allowlist = match get("ORMAS_WEBHOOK_ALLOWLIST") {
                None => Vec::new(),
                Some(text) => parse_origins(&text).map_err(|message| ConfigError {
                    variable: "ORMAS_WEBHOOK_ALLOWLIST",
                    message,
                })?,
            };
            WebhookSettings {
                poll,
                timeout,
                lease,
                retry,
                allowlist,
                ..WebhookSettings::default()
            }
        };
        Ok(Config {
            require_events: false,
            idempotency_abandon_after: Duration::from_secs(300),
            webhooks,
            changes_retention_days,
            changes_prune_every,
            attribute_permits,
            grants,
            consultations,
            reporting,
            stats_refresh,
            require_verification_visit,
            document_limit,
            required_documents,
            registration_number_pattern,
            utc_offset_hours,
            clock: Clock::default(),
            jwt_secret,
            access_token_ttl,
            refresh_token_ttl,
            login_max_failures,
            login_max_failures_per_address,
            login_max_delay,
            login_window,
            trusted_proxies,
            rate_limits,
            cors_origins,
            bind,
            data_dir,
            database,
            pool,
            body_limit,
            workers,
            shutdown_timeout,
            idempotency_ttl,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.database, DatabaseTarget::Sqlite("./data/ormas.db".into()));
        assert_eq!(c.pool.max_size, 10);
        assert_eq!(c.body_limit, 1024 * 1024);
        assert_eq!(c.workers, None);
        assert!(c.trusted_proxies.is_empty());
        assert!(c.cors_origins.is_empty());
        assert_eq!(c.rate_limits, RateLimits::default());
        assert_eq!(c.idempotency_ttl, Duration::from_secs(24 * 3600));
        let c = config(&[("ORMAS_IDEMPOTENCY_TTL_HOURS", "2")]).unwrap();
        assert_eq!(c.idempotency_ttl, Duration::from_secs(2 * 3600));
        assert!(config(&[("ORMAS_IDEMPOTENCY_TTL_HOURS", "0")]).is_err());
    }

    #[test]
    fn webhook_settings() {
        let c = config(&[]).unwrap();
        assert_eq!(c.webhooks.poll, Some(Duration::from_secs(1)));
        assert_eq!(c.webhooks.timeout, Duration::from_secs(15));
        assert_eq!(c.webhooks.lease, Duration::from_secs(60));
        assert_eq!(c.webhooks.retry.base, Duration::from_secs(10));
        assert_eq!(c.webhooks.retry.max_attempts, 13);
        assert!(c.webhooks.allowlist.is_empty());
        let c = config(&[
            ("ORMAS_WEBHOOK_POLL_MS", "0"),
            ("ORMAS_WEBHOOK_TIMEOUT_SECS", "10"),
            ("ORMAS_WEBHOOK_LEASE_SECS", "30"),
            ("ORMAS_WEBHOOK_RETRY_BASE_SECS", "2"),
            ("ORMAS_WEBHOOK_MAX_ATTEMPTS", "5"),
            (
                "ORMAS_WEBHOOK_ALLOWLIST",
                "http://127.0.0.1, http://intranet.local:8080",
            ),
        ])
        .unwrap();
        assert_eq!(c.webhooks.poll, None);
        assert_eq!(c.webhooks.retry.base, Duration::from_secs(2));
        assert_eq!(c.webhooks.retry.max_attempts, 5);
        assert_eq!(
            c.webhooks.allowlist,
            ["http://127.0.0.1", "http://intranet.local:8080"]
        );
        for bad in [
            ("ORMAS_WEBHOOK_TIMEOUT_SECS", "31"),
            ("ORMAS_WEBHOOK_LEASE_SECS", "15"),
            ("ORMAS_WEBHOOK_RETRY_BASE_SECS", "0"),
            ("ORMAS_WEBHOOK_MAX_ATTEMPTS", "0"),
            ("ORMAS_WEBHOOK_ALLOWLIST", "127.0.0.1"),
        ] {
            assert!(config(&[bad]).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn grant_settings() {
        let c = config(&[]).unwrap();
        assert_eq!(c.grants.min_legal_entity_years, 0);
        assert_eq!(c.grants.lpj_due, (1, 10));
        let c = config(&[
            ("ORMAS_GRANT_MIN_LEGAL_ENTITY_YEARS", "3"),
            ("ORMAS_GRANT_LPJ_DUE_MONTH_DAY", "01-31"),
        ])
        .unwrap();
        assert_eq!(c.grants.min_legal_entity_years, 3);
        assert_eq!(c.grants.lpj_due, (1, 31));
        for (name, value) in [
            ("ORMAS_GRANT_MIN_LEGAL_ENTITY_YEARS", "-1"),
            ("ORMAS_GRANT_MIN_LEGAL_ENTITY_YEARS", "51"),
            ("ORMAS_GRANT_LPJ_DUE_MONTH_DAY", "02-30"),
            ("ORMAS_GRANT_LPJ_DUE_MONTH_DAY", "10 Januari"),
        ] {
            let error = config(&[(name, value)]).err().unwrap();
            assert_eq!(error.variable, name, "{value}");
        }
    }

    #[test]
    fn proxies_origins_and_limits() {
        let c = config(&[
            ("ORMAS_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1"),
            (
                "ORMAS_CORS_ORIGINS",
                "http://127.0.0.1:5173,https://app.example.go.id",
            ),
            ("ORMAS_RATE_LIMIT_REGISTER_PER_HOUR", "0"),
        ])
        .unwrap();
        let proxies: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(proxies, ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]);
        assert_eq!(
            c.cors_origins,
            ["http://127.0.0.1:5173", "https://app.example.go.id"]
        );
        assert_eq!(c.rate_limits.register_per_hour, 0);
    }

    #[test]
    fn overrides_and_errors() {
        let c = config(&[
            ("ORMAS_DATA_DIR", "/var/lib/ormas"),
            ("ORMAS_DB_POOL_SIZE", "3"),
            ("ORMAS_WORKERS", "2"),
        ])
        .unwrap();
        assert_eq!(
            c.database,
            DatabaseTarget::Sqlite("/var/lib/ormas/ormas.db".into())
        );
        assert_eq!(c.pool.max_size, 3);
        assert_eq!(c.workers, Some(2));
        assert_eq!(c.attribute_permits, AttributePermitPolicy::default());
        let permits = config(&[
            ("ORMAS_ATTRIBUTE_PERMIT_ANSWER_DAYS", "10"),
            ("ORMAS_ATTRIBUTE_PERMIT_VALIDITY_MONTHS", "12"),
        ])
        .unwrap()
        .attribute_permits;
        assert_eq!(
            (permits.answer_working_days, permits.validity_months),
            (10, 12)
        );
        for (name, value) in [
            ("ORMAS_BIND", "localhost"),
            ("ORMAS_DB_POOL_SIZE", "0"),
            ("ORMAS_BODY_LIMIT", "lots"),
            ("DATABASE_URL", "mysql://x/y"),
            ("ORMAS_JWT_SECRET", "too-short"),
            ("ORMAS_LOGIN_MAX_FAILURES", "0"),
            ("ORMAS_REQUIRED_DOCUMENTS", "cover_letter,selfie"),
            ("ORMAS_REGISTRATION_NUMBER_PATTERN", "no-sequence"),
            ("ORMAS_UTC_OFFSET_HOURS", "20"),
            ("ORMAS_REPORT_CADENCE", "monthly"),
            ("ORMAS_REPORT_DUE_DAYS", "-1"),
            ("ORMAS_ACTIVE_WINDOW_MONTHS", "0"),
            ("ORMAS_STATS_REFRESH_SECS", "soon"),
            ("ORMAS_REQUIRE_VERIFICATION_VISIT", "sometimes"),
            ("ORMAS_TRUSTED_PROXIES", "10.0.0.0/33"),
            ("ORMAS_TRUSTED_PROXIES", "proxy.local"),
            ("ORMAS_CORS_ORIGINS", "*"),
            ("ORMAS_CORS_ORIGINS", "https://app.example/path"),
            ("ORMAS_RATE_LIMIT_LOGIN_PER_MINUTE", "-1"),
            ("ORMAS_LOGIN_MAX_DELAY_SECS", "3601"),
            ("ORMAS_ATTRIBUTE_PERMIT_ANSWER_DAYS", "0"),
            ("ORMAS_ATTRIBUTE_PERMIT_VALIDITY_MONTHS", "six"),
        ] {
            let err = config(&[(name, value)]).unwrap_err();
            assert_eq!(err.variable, name);
        }
    }
}
