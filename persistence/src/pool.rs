//! One connection type over both backends, and an r2d2 pool whose manager picks the backend from the
//! URL and reports the real connection error (diesel's derived `establish` hides PostgreSQL's).

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;

/// A connection to whichever database the deployment uses.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs the same expression against the concrete connection of either backend, for the few
/// statements the multi-backend cannot express (batch inserts, upserts, migrations).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::AnyConnection::Postgresql($c) => $body,
            $crate::AnyConnection::Sqlite($c) => $body,
        }
    };
}

/// Which backend a connection or URL is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn of(conn: &AnyConnection) -> Backend {
        match conn {
            AnyConnection::Postgresql(_) => Backend::Postgres,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// Where the database is: a PostgreSQL URL, or an SQLite file.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseTarget {
    /// `postgres://…` or `postgresql://…` is PostgreSQL; `sqlite://PATH`, `sqlite:PATH` or a bare path
    /// is an SQLite file. In-memory SQLite is refused: every pooled connection would see its own
    /// empty database.
    pub fn parse(url: &str) -> Result<DatabaseTarget, String> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseTarget::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.is_empty() {
            return Err("DATABASE_URL is empty".into());
        }
        if path == ":memory:" || path.contains("mode=memory") {
            return Err(
                "an in-memory SQLite database cannot be shared by a pool; name a file".into(),
            );
        }
        if let Some((scheme, _)) = url.split_once("://")
            && scheme != "sqlite"
        {
            return Err(format!(
                "unsupported database scheme `{scheme}://` (use postgres://… or an SQLite file path)"
            ));
        }
        Ok(DatabaseTarget::Sqlite(PathBuf::from(path)))
    }

    pub fn backend(&self) -> Backend {
        match self {
            DatabaseTarget::Postgres(_) => Backend::Postgres,
            DatabaseTarget::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// Opens one connection, configured as the pool configures every connection.
    pub fn connect(&self) -> Result<AnyConnection, ConnectError> {
        match self {
            DatabaseTarget::Postgres(url) => PgConnection::establish(url)
                .map(AnyConnection::Postgresql)
                .map_err(|e| ConnectError(format!("PostgreSQL: {e}"))),
            DatabaseTarget::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())
                    .map_err(|e| ConnectError(format!("SQLite {}: {e}", path.display())))?;
                // Per connection: wait for a writer rather than fail at once, and enforce the
                // foreign keys SQLite ignores by default.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(|e| ConnectError(format!("SQLite {}: {e}", path.display())))?;
                Ok(AnyConnection::Sqlite(conn))
            }
        }
    }

    /// Prepares the database before the pool opens it: creates the SQLite file's directory and
    /// switches the file to write-ahead logging (a property of the file, set once); creates a
    /// missing PostgreSQL database when the server lets this user do so.
    pub fn prepare(&self) -> Result<(), ConnectError> {
        if let DatabaseTarget::Postgres(url) = self {
            return create_missing_postgres_database(url);
        }
        if let DatabaseTarget::Sqlite(path) = self {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                create_private_dir(dir).map_err(|e| {
                    ConnectError(format!("cannot create directory {}: {e}", dir.display()))
                })?;
            }
            let new_file = !path.exists();
            let mut conn = self.connect()?;
            // A database this server creates is readable by its user only (SQLite gives its WAL
            // and shared-memory files the same mode).
            if new_file {
                make_private(path).map_err(|e| {
                    ConnectError(format!("cannot restrict {}: {e}", path.display()))
                })?;
            }
            conn.batch_execute("PRAGMA journal_mode = WAL;")
                .map_err(|e| ConnectError(format!("SQLite {}: {e}", path.display())))?;
        }
        Ok(())
    }

    pub fn sqlite_path(&self) -> Option<&Path> {
        match self {
            DatabaseTarget::Sqlite(path) => Some(path),
            DatabaseTarget::Postgres(_) => None,
        }
    }
}

/// The database name in a PostgreSQL URL, and the same URL naming the `postgres` database.
fn split_postgres_url(url: &str) -> Option<(String, String)> {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://")? + 3;
    let slash = after_scheme + base[after_scheme..].find('/')?;
    let name = &base[slash + 1..];
    let mut maintenance = format!("{}/postgres", &base[..slash]);
    if let Some(q) = query {
        maintenance.push('?');
        maintenance.push_str(q);
    }
    Some((name.to_owned(), maintenance))
}

/// Connects once; when PostgreSQL says the database does not exist, creates it from the server's
/// `postgres` database, so that `DATABASE_URL=postgres://…/ormas_dev make run` works on a new server.
fn create_missing_postgres_database(url: &str) -> Result<(), ConnectError> {
    let error = match PgConnection::establish(url) {
        Ok(_) => return Ok(()),
        Err(e) => e.to_string(),
    };
    let missing = error.contains("does not exist") && error.contains("database");
    let Some((name, maintenance)) = split_postgres_url(url).filter(|_| missing) else {
        return Err(ConnectError(format!("PostgreSQL: {error}")));
    };
    let plain_name = !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !plain_name {
        return Err(ConnectError(format!("PostgreSQL: {error}")));
    }
    let mut admin = PgConnection::establish(&maintenance)
        .map_err(|e| ConnectError(format!("PostgreSQL: {error}; cannot create it: {e}")))?;
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .map_err(|e| ConnectError(format!("PostgreSQL: {error}; cannot create it: {e}")))?;
    log::info!("created PostgreSQL database {name}");
    Ok(())
}

/// Shows the target without the password.
impl fmt::Display for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseTarget::Sqlite(path) => write!(f, "SQLite file {}", path.display()),
            DatabaseTarget::Postgres(url) => write!(f, "PostgreSQL {}", redact_password(url)),
        }
    }
}

impl fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// The database refused or could not be reached; the text is the driver's own message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(pub String);

/// The r2d2 manager: opens connections of the target's backend.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    target: DatabaseTarget,
    trust_idle_for: Duration,
}

impl ConnectionManager {
    pub fn new(target: DatabaseTarget) -> Self {
        Self {
            target,
            trust_idle_for: PoolOptions::default().trust_idle_for,
        }
    }
}

/// A pooled connection, and when it was last handed back to the pool.
pub struct PoolConnection {
    conn: AnyConnection,
    returned: std::time::Instant,
    broken: bool,
}

impl PoolConnection {
    /// Marks the connection unusable (its work failed for want of a connection): the pool discards
    /// it when it is handed back instead of trusting it to the next request.
    pub fn mark_broken(&mut self) {
        self.broken = true;
    }
}

impl std::ops::Deref for PoolConnection {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for PoolConnection {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = PoolConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<PoolConnection, ConnectError> {
        Ok(PoolConnection {
            conn: self.target.connect()?,
            returned: std::time::Instant::now(),
            broken: false,
        })
    }

    /// Tests a connection at check-out only when it sat idle for longer than `trust_idle_for`: one
    /// handed back a moment ago worked then, and a `SELECT 1` round trip before every request cost
    /// a quarter of the throughput of the lightest ones. A connection that fails anyway (the
    /// server restarted within that moment) fails its request and is discarded when handed back
    /// ([`PoolConnection::mark_broken`], which `AppState::db` calls on a connection failure).
    fn is_valid(&self, conn: &mut PoolConnection) -> Result<(), ConnectError> {
        if conn.returned.elapsed() < self.trust_idle_for {
            return Ok(());
        }
        conn.conn
            .batch_execute("SELECT 1")
            .map_err(|e| ConnectError(e.to_string()))
    }

    fn has_broken(&self, conn: &mut PoolConnection) -> bool {
        conn.returned = std::time::Instant::now();
        conn.broken || diesel::r2d2::R2D2Connection::is_broken(&mut conn.conn)
    }
}

pub type DbPool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

/// Pool settings.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    /// How long a request waits for a free connection before the API answers 503.
    pub connection_timeout: Duration,
    /// A connection handed back less than this long ago is checked out without a `SELECT 1`.
    pub trust_idle_for: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            connection_timeout: Duration::from_secs(5),
            trust_idle_for: Duration::from_secs(2),
        }
    }
}

/// Builds the pool without opening connections up front; call [`DatabaseTarget::prepare`] and
/// connect once first when the caller wants a failure at start-up rather than at the first request.
pub fn build_pool(target: &DatabaseTarget, options: &PoolOptions) -> DbPool {
    r2d2::Pool::builder()
        .max_size(options.max_size)
        .min_idle(Some(0))
        .connection_timeout(options.connection_timeout)
        .test_on_check_out(true)
        .error_handler(Box::new(r2d2::LoggingErrorHandler))
        .build_unchecked(ConnectionManager {
            target: target.clone(),
            trust_idle_for: options.trust_idle_for,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_database_urls() {
        let cases: &[(&str, Option<DatabaseTarget>)] = &[
            (
                "postgres://u:p@h/db",
                Some(DatabaseTarget::Postgres("postgres://u:p@h/db".into())),
            ),
            (
                "postgresql://h/db",
                Some(DatabaseTarget::Postgres("postgresql://h/db".into())),
            ),
            (
                "./data/ormas.db",
                Some(DatabaseTarget::Sqlite("./data/ormas.db".into())),
            ),
            (
                "sqlite://data/x.db",
                Some(DatabaseTarget::Sqlite("data/x.db".into())),
            ),
            (
                "sqlite:///tmp/x.db",
                Some(DatabaseTarget::Sqlite("/tmp/x.db".into())),
            ),
            ("sqlite:x.db", Some(DatabaseTarget::Sqlite("x.db".into()))),
            (":memory:", None),
            ("", None),
            ("mysql://h/db", None),
        ];
        for (url, expected) in cases {
            assert_eq!(DatabaseTarget::parse(url).ok(), *expected, "{url}");
        }
    }

    #[test]
    fn splits_postgres_urls() {
        assert_eq!(
            split_postgres_url("postgres://u:p@h:5432/ormas_dev?sslmode=disable"),
            Some((
                "ormas_dev".to_owned(),
                "postgres://u:p@h:5432/postgres?sslmode=disable".to_owned()
            ))
        );
        assert_eq!(split_postgres_url("postgres://h"), None);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_password("postgres://ormas:s3cret@db:5432/ormas"),
            "postgres://ormas:***@db:5432/ormas"
        );
        assert_eq!(
            redact_password("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
    }
}

/// Creates a directory (and missing parents) readable by this user only (0700 on Unix); existing
/// directories are left as they are.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

/// Makes a file readable and writable by this user only (0600 on Unix).
pub fn make_private(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(all(test, unix))]
mod private_files {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn created_directories_are_0700_and_files_0600() {
        let root = std::env::temp_dir().join(format!("ormas-private-{}", std::process::id()));
        let nested = root.join("a/b");
        create_private_dir(&nested).unwrap();
        for dir in [&root, &root.join("a"), &nested] {
            let mode = std::fs::metadata(dir).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", dir.display());
        }
        let file = nested.join("f");
        std::fs::write(&file, "x").unwrap();
        make_private(&file).unwrap();
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let db = nested.join("new.db");
        DatabaseTarget::Sqlite(db.clone()).prepare().unwrap();
        assert_eq!(
            std::fs::metadata(&db).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
