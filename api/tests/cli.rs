//! The binary as an operator runs it: help, migrate, serve until SIGTERM, and clear start-up errors.
//! Uses PostgreSQL when `TEST_DATABASE_URL` is set (a database created and dropped here), SQLite
//! otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;

const BIN: &str = env!("CARGO_BIN_EXE_ormas-api");

/// A database for one test: a temp SQLite file, or a PostgreSQL database dropped afterwards.
struct Db {
    url: String,
    dir: std::path::PathBuf,
    postgres: Option<(String, String)>,
}

impl Db {
    fn new() -> Db {
        Self::with_creation(true)
    }

    /// On PostgreSQL, `create == false` names a database that does not exist yet (dropped all the same).
    fn with_creation(create: bool) -> Db {
        let id = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join("ormas-cli-tests").join(&id);
        std::fs::create_dir_all(&dir).unwrap();
        match std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
        {
            Some(admin) => {
                let name = format!("ormas_test_cli_{id}");
                if create {
                    let mut conn = PgConnection::establish(&admin).unwrap();
                    conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
                        .unwrap();
                }
                let base = admin.rsplit_once('/').unwrap().0;
                Db {
                    url: format!("{base}/{name}"),
                    dir,
                    postgres: Some((admin, name)),
                }
            }
            None => Db {
                url: dir.join("ormas.db").to_string_lossy().into_owned(),
                dir,
                postgres: None,
            },
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((admin, name)) = &self.postgres
            && let Ok(mut conn) = PgConnection::establish(admin)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
        }
    }
}

fn command(db: &Db) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &db.url)
        .env("ORMAS_DATA_DIR", &db.dir)
        .env("ORMAS_BIND", "127.0.0.1:0")
        .env("ORMAS_WORKERS", "1")
        .env("RUST_LOG", "info");
    cmd
}

fn http_get(addr: &str, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

/// Starts `serve` and waits for its "listening on" line; returns the child and its address.
fn start(db: &Db) -> (Child, String, std::sync::mpsc::Receiver<String>) {
    let mut child = command(db)
        .arg("serve")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100))
            && let Some(rest) = line.split("listening on http://").nth(1)
        {
            let addr = rest.split_whitespace().next().unwrap().to_owned();
            return (child, addr, rx);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not start within 60 s");
}

#[test]
fn help_lists_subcommands_and_variables() {
    let output = Command::new(BIN).arg("--help").output().unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for word in [
        "serve",
        "migrate",
        "openapi",
        "healthcheck",
        "ORMAS_BIND",
        "DATABASE_URL",
        "ORMAS_DB_POOL_SIZE",
        "ORMAS_BODY_LIMIT",
        "RUST_LOG",
    ] {
        assert!(help.contains(word), "--help lacks {word}:\n{help}");
    }
}

#[test]
fn migrate_then_serve_then_stop_on_sigterm() {
    let db = Db::new();
    let status = command(&db).arg("migrate").status().unwrap();
    assert!(status.success());

    let started = Instant::now();
    let (mut child, addr, logs) = start(&db);
    let ready = loop {
        if let Some(r) = http_get(&addr, "/ready")
            && r.starts_with("HTTP/1.1 200")
        {
            break r;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "never ready");
        std::thread::sleep(Duration::from_millis(20));
    };
    eprintln!(
        "start-up to first /ready = 200: {} ms",
        started.elapsed().as_millis()
    );
    assert!(ready.contains("\"status\":\"ready\""));
    let provinces = http_get(&addr, "/v1/regions?level=province").unwrap();
    assert!(provinces.starts_with("HTTP/1.1 200"));
    assert_eq!(provinces.matches("\"level\":\"province\"").count(), 38);

    // The health check subcommand agrees.
    let check = command(&db)
        .args(["healthcheck", "--addr", &addr])
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");

    // Requests are logged with their id.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut saw_log = false;
    while Instant::now() < deadline && !saw_log {
        if let Ok(line) = logs.recv_timeout(Duration::from_millis(100)) {
            saw_log = line.contains("GET /ready 200") && line.contains("request_id=");
        }
    }
    assert!(saw_log, "no access log line for /ready");

    let pid = child.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 20 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
}

#[test]
fn unusable_configuration_is_refused_with_the_variable_named() {
    let db = Db::new();
    let output = command(&db)
        .env("ORMAS_DB_POOL_SIZE", "none")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("ORMAS_DB_POOL_SIZE"), "{stderr}");
}

#[test]
fn unreachable_postgres_reports_the_real_error() {
    let db = Db::new();
    let output = command(&db)
        .env("DATABASE_URL", "postgres://nobody:secret@127.0.0.1:1/ormas")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Connection refused") || stderr.contains("connection"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"), "the password leaked: {stderr}");
}

#[test]
fn a_missing_postgres_database_is_created() {
    let db = Db::with_creation(false);
    if db.postgres.is_none() {
        return; // SQLite creates its file anyway; covered by every other test.
    }
    let output = command(&db).arg("migrate").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("created PostgreSQL database"), "{stderr}");
    // A second run finds it.
    let again = command(&db).arg("migrate").output().unwrap();
    assert!(again.status.success(), "{again:?}");
}

#[test]
fn users_create_reads_the_password_from_the_environment_or_stdin() {
    let db = Db::new();
    let output = command(&db)
        .env("ORMAS_PASSWORD", "correct horse battery")
        .args([
            "users",
            "create",
            "--username",
            "admin.kaltim",
            "--role",
            "admin",
            "--region",
            "64",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("created admin.kaltim (admin, 64)"));

    let mut child = command(&db)
        .args([
            "users",
            "create",
            "--username",
            "root",
            "--role",
            "super_admin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"another long password\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{output:?}");

    let refusals = [
        (
            vec![
                "--username",
                "admin.kaltim",
                "--role",
                "admin",
                "--region",
                "64",
            ],
            "taken",
        ),
        (
            vec!["--username", "x1", "--role", "admin", "--region", "64"],
            "username",
        ),
        (
            vec!["--username", "someone", "--role", "king", "--region", "64"],
            "--role",
        ),
        (
            vec!["--username", "someone", "--role", "officer"],
            "--region",
        ),
        (
            vec![
                "--username",
                "someone",
                "--role",
                "officer",
                "--region",
                "64.99",
            ],
            "64.99",
        ),
    ];
    for (args, expected) in refusals {
        let output = command(&db)
            .env("ORMAS_PASSWORD", "correct horse battery")
            .args(["users", "create"])
            .args(&args)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    let short = command(&db)
        .env("ORMAS_PASSWORD", "short")
        .args([
            "users",
            "create",
            "--username",
            "someone",
            "--role",
            "officer",
            "--region",
            "64",
        ])
        .output()
        .unwrap();
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));
}

#[test]
fn seed_demo_prints_credentials_once_and_is_idempotent() {
    let db = Db::new();
    let first = command(&db).args(["seed", "--demo"]).output().unwrap();
    assert!(first.status.success(), "{first:?}");
    let table = String::from_utf8_lossy(&first.stdout);
    for expected in [
        "superadmin",
        "admin.64",
        "officer.6471",
        "head.6401",
        "oversight.62",
        "pengurus.demo",
        "integrator.64",
        "ormas-demo-2026",
    ] {
        assert!(table.contains(expected), "{expected} missing:\n{table}");
    }
    let second = command(&db).args(["seed", "--demo"]).output().unwrap();
    assert!(second.status.success());
    let table = String::from_utf8_lossy(&second.stdout);
    assert!(table.contains("existed already"), "{table}");
    assert!(!table.contains("ormas-demo-2026"), "{table}");
}

#[test]
fn serve_seeds_demo_accounts_on_a_new_database_and_keeps_its_signing_key() {
    let db = Db::new();
    let mut child = command(&db)
        .args(["serve", "--seed-demo"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let mut lines = Vec::new();
    let mut addr = None;
    let deadline = Instant::now() + Duration::from_secs(60);
    while addr.is_none() && Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                addr = rest.split_whitespace().next().map(str::to_owned);
            }
            lines.push(line);
        }
    }
    let addr = addr.expect("listening");
    let log = lines.join("\n");
    assert!(log.contains("created the demo accounts"), "{log}");
    assert!(
        log.contains("admin.6471") && log.contains("ormas-demo-2026"),
        "{log}"
    );
    assert!(log.contains("ORMAS_JWT_SECRET is not set"), "{log}");

    // The generated signing key is private to the service's user.
    let key = db.dir.join("jwt-secret");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&key).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    assert!(std::fs::read_to_string(&key).unwrap().trim().len() >= 32);

    // The demo admin can sign in.
    let body = r#"{"username":"admin.6471","password":"ormas-demo-2026"}"#;
    let mut stream = TcpStream::connect(&addr).unwrap();
    write!(
        stream,
        "POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("access_token"));

    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn a_short_signing_key_is_refused_at_start_up() {
    let db = Db::new();
    let output = command(&db)
        .env("ORMAS_JWT_SECRET", "only-twenty-bytes-xx")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ORMAS_JWT_SECRET") && stderr.contains("32"),
        "{stderr}"
    );
}

/// `seed --scale sample` as the tests run it: seed 7, as of a fixed day.
fn seed_sample(db: &Db) -> std::process::Output {
    command(db)
        .args([
            "seed",
            "--scale",
            "sample",
            "--seed",
            "7",
            "--today",
            "2026-11-22",
        ])
        .output()
        .unwrap()
}

fn connect(db: &Db) -> ormas_persistence::AnyConnection {
    ormas_persistence::DatabaseTarget::parse(&db.url)
        .unwrap()
        .connect()
        .unwrap()
}

/// The generated rows that must not vary between runs: ids, numbers, states, dates, contents.
type Registrations = Vec<(
    String,
    String,
    String,
    Option<String>,
    Option<chrono::NaiveDate>,
)>;
type Reports = Vec<(String, String, String, Option<String>, String)>;

fn generated(db: &Db) -> (Registrations, Reports) {
    use diesel::prelude::*;
    use ormas_persistence::schema::{registrations as g, reports as p};
    let mut conn = connect(db);
    let registrations = g::table
        .select((
            g::id,
            g::region_code,
            g::state,
            g::registration_number,
            g::registration_date,
        ))
        .order(g::id)
        .load(&mut conn)
        .unwrap();
    let reports = p::table
        .select((p::id, p::period, p::state, p::receipt_number, p::content))
        .order(p::id)
        .load(&mut conn)
        .unwrap();
    (registrations, reports)
}

#[test]
fn seed_scale_sample_is_deterministic_and_refuses_a_second_run() {
    let (first, second) = (Db::new(), Db::new());
    let one = seed_sample(&first);
    assert!(one.status.success(), "{one:?}");
    let two = seed_sample(&second);
    assert!(two.status.success(), "{two:?}");
    // The summaries agree except for the time taken.
    let summary = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("Generated"))
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(summary(&one), summary(&two));
    let (registrations, reports) = generated(&first);
    assert!(!registrations.is_empty() && !reports.is_empty());
    assert!(
        generated(&second) == (registrations, reports),
        "the data differs"
    );

    let again = seed_sample(&first);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("already holds 3000 registration(s)"),
        "{stderr}"
    );
    // --demo is not affected by the generator's options.
    let demo = command(&second).args(["seed", "--demo"]).output().unwrap();
    assert!(demo.status.success(), "{demo:?}");
}

#[test]
fn seed_scale_sample_is_shaped_like_the_register() {
    use diesel::dsl::count_star;
    use diesel::prelude::*;
    use ormas_persistence::schema::{
        organisations as o, registration_sequences as rs, registrations as g,
        report_sequences as ps, reports as p,
    };
    let db = Db::new();
    let output = seed_sample(&db);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut conn = connect(&db);
    let count = |conn: &mut ormas_persistence::AnyConnection, state: &str| -> i64 {
        g::table
            .filter(g::state.eq(state))
            .select(count_star())
            .get_result(conn)
            .unwrap()
    };
    let total: i64 = g::table.count().get_result(&mut conn).unwrap();
    assert!((2_900..=3_100).contains(&total), "{total} registrations");
    let organisations: i64 = o::table.count().get_result(&mut conn).unwrap();
    assert_eq!(organisations, total, "one organisation per registration");
    let registered = count(&mut conn, "registered");
    let share = registered as f64 / total as f64;
    assert!((0.80..=0.90).contains(&share), "registered share {share}");
    for state in [
        "draft",
        "submitted",
        "needs_revision",
        "rejected",
        "dissolved",
    ] {
        assert!(count(&mut conn, state) > 0, "no {state} registration");
    }
    let kinds: Vec<(String, i64)> = o::table
        .group_by(o::kind)
        .select((o::kind, count_star()))
        .order(o::kind)
        .load(&mut conn)
        .unwrap();
    for (kind, n) in &kinds {
        let share = *n as f64 / total as f64;
        let expected = match kind.as_str() {
            "perkumpulan" => 0.55,
            "yayasan" => 0.30,
            _ => 0.15,
        };
        assert!((share - expected).abs() < 0.05, "{kind}: {share}");
    }
    let reports: i64 = p::table.count().get_result(&mut conn).unwrap();
    assert!(
        (registered..=registered * 4).contains(&reports),
        "{reports} reports for {registered} registered"
    );
    // The sequences continue exactly where the generated numbers stop.
    let numbered: i64 = g::table
        .filter(g::registration_number.is_not_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    let last: Vec<i32> = rs::table.select(rs::last_number).load(&mut conn).unwrap();
    assert_eq!(last.iter().map(|n| i64::from(*n)).sum::<i64>(), numbered);
    let receipts: i64 = p::table
        .filter(p::receipt_number.is_not_null())
        .count()
        .get_result(&mut conn)
        .unwrap();
    let last: Vec<i32> = ps::table.select(ps::last_number).load(&mut conn).unwrap();
    assert_eq!(last.iter().map(|n| i64::from(*n)).sum::<i64>(), receipts);
    // SKTs: a fifth to a third expired as of the day generated for.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let skts: i64 = o::table
        .filter(o::kind.eq("tidak_berbadan_hukum"))
        .count()
        .get_result(&mut conn)
        .unwrap();
    let expired: i64 = o::table
        .filter(o::skt_expires_on.lt(today))
        .count()
        .get_result(&mut conn)
        .unwrap();
    let share = expired as f64 / skts as f64;
    assert!((0.18..=0.35).contains(&share), "expired SKTs {share}");
    // The active share is printed, and in the range aimed at.
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Active as of 2026-11-22"))
        .unwrap_or_else(|| panic!("no active share in:\n{stdout}"));
    let percent: f64 = line
        .rsplit('(')
        .next()
        .and_then(|p| p.split_whitespace().next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    assert!((20.0..=35.0).contains(&percent), "{line}");
}
