//! The test harness: [`TestApp::spawn`] starts the real server on port 0 against a fresh database —
//! a temporary SQLite file by default, or a freshly created PostgreSQL database (dropped afterwards)
//! when `TEST_DATABASE_URL` names a PostgreSQL server — and gives the test an HTTP client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use ormas_api::Config;
use ormas_persistence::{DatabaseTarget, PoolOptions, build_pool, prepare_database};
use serde_json::Value;

pub mod fixtures;
pub mod receiver;

pub use reqwest;
pub use serde_json::json;

/// The admin URL of the PostgreSQL server the suite creates its databases on, if any.
pub fn postgres_admin_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| url.starts_with("postgres://") || url.starts_with("postgresql://"))
}

/// `postgres://user@host:5432/anything?opts` → the same URL naming database `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| scheme_end + i)
        .unwrap_or(base.len());
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A database that exists for one test and is removed when dropped.
pub enum TestDatabase {
    Sqlite {
        dir: PathBuf,
    },
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another test app's database: used, never removed.
    Shared(DatabaseTarget),
}

impl TestDatabase {
    /// Creates an empty database on the configured backend.
    pub fn create() -> TestDatabase {
        let id = uuid::Uuid::new_v4().simple().to_string();
        match postgres_admin_url() {
            Some(admin_url) => {
                let name = format!("ormas_test_{id}");
                let mut conn = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL {admin_url}: {e}"));
                conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
                    .expect("create test database");
                TestDatabase::Postgres { admin_url, name }
            }
            None => {
                let dir = std::env::temp_dir().join("ormas-tests").join(id);
                std::fs::create_dir_all(&dir).expect("create test directory");
                TestDatabase::Sqlite { dir }
            }
        }
    }

    pub fn target(&self) -> DatabaseTarget {
        match self {
            TestDatabase::Sqlite { dir } => DatabaseTarget::Sqlite(dir.join("ormas.db")),
            TestDatabase::Postgres { admin_url, name } => {
                DatabaseTarget::Postgres(with_database(admin_url, name))
            }
            TestDatabase::Shared(target) => target.clone(),
        }
    }

    pub fn url(&self) -> String {
        match self.target() {
            DatabaseTarget::Sqlite(path) => path.to_string_lossy().into_owned(),
            DatabaseTarget::Postgres(url) => url,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.target(), DatabaseTarget::Postgres(_))
    }

    /// Drops the PostgreSQL database now, closing every connection to it (the server keeps running,
    /// and must notice).
    pub fn drop_now(&self) {
        if let TestDatabase::Postgres { admin_url, name } = self
            && let Ok(mut conn) = PgConnection::establish(admin_url)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match self {
            TestDatabase::Sqlite { dir } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDatabase::Postgres { .. } => self.drop_now(),
            TestDatabase::Shared(_) => {}
        }
    }
}

/// The signing key of test servers.
pub const TEST_JWT_SECRET: &str = "test-signing-key-of-at-least-32-bytes!";

/// Settings for a test server.
pub fn test_config(database: DatabaseTarget) -> Config {
    let mut config = Config::from_lookup(|_| None).expect("default config");
    config.jwt_secret = Some(TEST_JWT_SECRET.into());
    config.data_dir = std::env::temp_dir()
        .join("ormas-tests")
        .join(format!("data-{}", uuid::Uuid::new_v4().simple()));
    config.bind = "127.0.0.1:0".parse().expect("address");
    config.database = database;
    config.workers = Some(1);
    // Tests count recounts themselves; one test turns the refresher on.
    config.stats_refresh = None;
    // One test turns the changes feed pruner on.
    config.changes_prune_every = None;
    // The webhook tests start their own dispatchers.
    config.webhooks.poll = None;
    // Every successful write of the register must write an event to the changes feed: a write path
    // that forgets is answered 500, and its test fails.
    config.require_events = true;
    config.shutdown_timeout = Duration::from_secs(1);
    // Every test signs in from 127.0.0.1, many times: limits far above any test's traffic (the
    // rate-limit tests set their own).
    config.rate_limits = generous_rate_limits();
    config.pool = PoolOptions {
        max_size: 4,
        connection_timeout: Duration::from_secs(5),
        ..PoolOptions::default()
    };
    config
}

/// The real server, on its own thread and actix system, with a client.
pub struct TestApp {
    /// Pins "today" for the server's rules.
    pub clock: ormas_api::config::Clock,
    /// Where the server keeps documents; removed afterwards.
    pub data_dir: PathBuf,
    pub address: String,
    pub client: reqwest::Client,
    pub database: TestDatabase,
    handle: Option<actix_web::dev::ServerHandle>,
    thread: Option<JoinHandle<()>>,
}

impl TestApp {
    /// A server on a fresh, migrated and seeded database.
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Like [`TestApp::spawn`], with the settings adjusted first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let database = tokio::task::spawn_blocking(|| {
            let database = TestDatabase::create();
            prepare_database(&database.target()).expect("prepare test database");
            database
        })
        .await
        .expect("prepare task");
        let mut config = test_config(database.target());
        adjust(&mut config);
        Self::start(config, database)
    }

    /// A second instance of the server on this one's database (as several API instances share one
    /// PostgreSQL database in production), with the settings adjusted.
    pub fn another_instance(&self, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let database = TestDatabase::Shared(self.database.target());
        let mut config = test_config(database.target());
        adjust(&mut config);
        Self::start(config, database)
    }

    /// A server whose database cannot be reached (the pool points at a closed port).
    pub async fn spawn_without_database() -> TestApp {
        let database = tokio::task::spawn_blocking(TestDatabase::create)
            .await
            .expect("create task");
        let mut config = test_config(DatabaseTarget::Postgres(
            "postgres://nobody@127.0.0.1:1/none".into(),
        ));
        config.pool.connection_timeout = Duration::from_millis(500);
        Self::start(config, database)
    }

    fn start(config: Config, database: TestDatabase) -> TestApp {
        let clock = config.clock.clone();
        let data_dir = config.data_dir.clone();
        let listener = TcpListener::bind(config.bind).expect("bind test port");
        let address = format!("http://{}", listener.local_addr().expect("local addr"));
        let pool = build_pool(&config.database, &config.pool);
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let app = ormas_api::build(config, pool, listener).expect("build server");
                tx.send(app.server.handle()).expect("send handle");
                let _ = app.server.await;
            });
        });
        let handle = rx.recv().expect("server handle");
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        TestApp {
            clock,
            data_dir,
            address,
            client,
            database,
            handle: Some(handle),
            thread: Some(thread),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }
}

/// The password of every account the fixtures create.
pub const PASSWORD: &str = "correct horse battery";

/// A signed-in test account.
#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    pub username: String,
    pub access_token: String,
    pub refresh_token: String,
}

impl TestApp {
    /// Creates an account directly in the database (no HTTP), as the CLI would.
    pub async fn create_account(&self, username: &str, role: &str, region: Option<&str>) -> String {
        let target = self.database.target();
        let account = ormas_api::bootstrap::NewAccount {
            username: username.to_owned(),
            display_name: format!("{username} (test)"),
            email: None,
            role: role.parse().expect("role"),
            region: region.map(str::to_owned),
            password: PASSWORD.to_owned(),
        };
        tokio::task::spawn_blocking(move || {
            let mut conn = target.connect().expect("connect");
            ormas_api::bootstrap::create_account(&mut conn, &account)
                .expect("create account")
                .id
        })
        .await
        .expect("create task")
    }

    /// Signs in; panics unless the login succeeds.
    pub async fn login(&self, username: &str, password: &str) -> Session {
        let response = self
            .post_json(
                "/v1/auth/login",
                &json!({"username": username, "password": password}),
            )
            .await;
        let body = expect_json(response, 200).await;
        let access_token = body["access_token"]
            .as_str()
            .expect("access token")
            .to_owned();
        let me = self.get_as("/v1/me", &access_token).await;
        let me = expect_json(me, 200).await;
        Session {
            user_id: me["id"].as_str().expect("id").to_owned(),
            username: username.to_owned(),
            access_token,
            refresh_token: body["refresh_token"]
                .as_str()
                .expect("refresh token")
                .to_owned(),
        }
    }

    /// Creates an account and signs it in.
    pub async fn signed_in(&self, username: &str, role: &str, region: Option<&str>) -> Session {
        self.create_account(username, role, region).await;
        self.login(username, PASSWORD).await
    }

    pub async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET")
    }

    pub async fn post_as(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// PATCHes as an editor would: reads the resource first and sends its `ETag` in `If-Match`
    /// (when the read answers one; otherwise without, to see the write's own refusal).
    pub async fn patch_as(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        let current = self.get_as(path, token).await;
        let mut request = self
            .client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body);
        if let Some(tag) = current.headers().get(reqwest::header::ETAG) {
            request = request.header(reqwest::header::IF_MATCH, tag.clone());
        }
        request.send().await.expect("PATCH")
    }

    /// PATCHes without `If-Match`, as a client that skips the read would.
    pub async fn patch_without_if_match(
        &self,
        path: &str,
        token: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("PATCH")
    }

    /// PUTs as an editor would: reads the resource first (`GET` of the same path: the board, a
    /// representative's binding) and sends its `ETag` in `If-Match` (when the read answers one;
    /// otherwise without, to see the write's own refusal).
    pub async fn put_as(&self, path: &str, token: &str, body: &Value) -> reqwest::Response {
        let current = self.get_as(path, token).await;
        let mut request = self
            .client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body);
        if let Some(tag) = current.headers().get(reqwest::header::ETAG) {
            request = request.header(reqwest::header::IF_MATCH, tag.clone());
        }
        request.send().await.expect("PUT")
    }

    /// PUTs without `If-Match`, as a client that skips the read would.
    pub async fn put_without_if_match(
        &self,
        path: &str,
        token: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("PUT")
    }

    pub async fn delete_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("DELETE")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            futures_executor_block_on(handle.stop(false));
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// Waits for a future from synchronous code (`Drop`), without a second tokio runtime.
pub(crate) fn futures_executor_block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct ThreadWaker(std::thread::Thread);
    impl Wake for ThreadWaker {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(ThreadWaker(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut context) {
            Poll::Ready(output) => return output,
            Poll::Pending => std::thread::park_timeout(Duration::from_millis(50)),
        }
    }
}

/// The version an `ETag` (`"3-0123456789abcdef"`) names; panics unless it has that shape.
pub fn etag_version(etag: &reqwest::header::HeaderValue) -> i32 {
    let text = etag.to_str().expect("ASCII ETag");
    let inner = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or_else(|| panic!("unquoted ETag {text}"));
    let (version, digest) = inner
        .split_once('-')
        .unwrap_or_else(|| panic!("ETag without digest {text}"));
    assert!(
        digest.len() == 16 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
        "digest of {text}"
    );
    version.parse().expect("numeric version")
}

/// Reads a response as JSON, asserting its status and content type; returns the body.
pub async fn expect_json(response: reqwest::Response, status: u16) -> Value {
    let actual = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response.text().await.expect("body");
    assert_eq!(actual, status, "status; body: {body}");
    assert!(
        content_type.starts_with("application/json"),
        "content type {content_type}; body: {body}"
    );
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// Asserts an RFC 9457 problem document with this status and code; returns the body.
pub async fn expect_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    let actual = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.expect("body");
    assert_eq!(actual, status, "status; body: {body}");
    assert_eq!(
        content_type, "application/problem+json",
        "content type; body: {body}"
    );
    let problem: Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    assert_eq!(problem["status"], status, "{problem}");
    assert_eq!(problem["code"], code, "{problem}");
    assert_eq!(
        problem["type"],
        format!("urn:ormas:problem:{code}"),
        "{problem}"
    );
    for field in ["title", "detail", "request_id"] {
        assert!(problem[field].is_string(), "{field} missing in {problem}");
    }
    assert!(problem["errors"].is_array(), "{problem}");
    assert_eq!(
        problem["request_id"].as_str(),
        request_id.as_deref(),
        "{problem}"
    );
    problem
}

/// Rate limits no test reaches by accident.
pub fn generous_rate_limits() -> ormas_api::config::RateLimits {
    ormas_api::config::RateLimits {
        register_per_hour: 1_000_000,
        login_per_minute: 1_000_000,
        token_per_minute: 1_000_000,
        refresh_per_minute: 1_000_000,
        public_per_minute: 1_000_000,
        complaints_per_hour: 1_000_000,
    }
}

/// The address a test server believes a request comes from when it trusts 127.0.0.1 as a proxy
/// (`config.trusted_proxies`): sent as `X-Forwarded-For`.
pub fn from_address(request: reqwest::RequestBuilder, address: &str) -> reqwest::RequestBuilder {
    request.header("x-forwarded-for", address)
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(with_database("postgres://h", "x"), "postgres://h/x");
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
    }
}
