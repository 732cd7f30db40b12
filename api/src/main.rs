//! `ormas-api`: the service binary and its command line.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use ormas_api::bootstrap;
use ormas_api::config::{Config, ENVIRONMENT_HELP};
use ormas_persistence::{build_pool, prepare_database};

/// The open backend for registering and overseeing Indonesian community organisations (ormas).
#[derive(Debug, Parser)]
#[command(name = "ormas-api", version, after_help = ENVIRONMENT_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Migrate the database, load the reference data, and serve HTTP (the default).
    Serve {
        /// When the database has no account yet, create the demo accounts and print them.
        #[arg(long)]
        seed_demo: bool,
    },
    /// Manage accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Add data: `--demo` creates the demo accounts (idempotent) and prints their credentials;
    /// `--scale national|sample` fills an empty register with a generated, deterministic dataset.
    Seed {
        #[arg(long, conflicts_with = "scale")]
        demo: bool,
        /// Generate a register: `national` (about 550,000 registrations over the 514
        /// kabupaten/kota, with organisations and semester reports) or `sample` (about 3,000, the
        /// same generator). Refused when the database already holds registrations.
        #[arg(long, value_enum)]
        scale: Option<SeedScale>,
        /// The generator's seed: the same seed gives the same data.
        #[arg(long, default_value_t = 1, requires = "scale")]
        seed: u64,
        /// The day to generate the data for (YYYY-MM-DD) [default: today in ORMAS_UTC_OFFSET_HOURS].
        /// The service judges activity as of its own today, so pin this only for tests.
        #[arg(long, requires = "scale")]
        today: Option<chrono::NaiveDate>,
    },
    /// Apply pending migrations and load the bundled reference data, then exit.
    Migrate,
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
    /// Exit 0 when GET /health on the configured address answers 200 (for container health checks).
    Healthcheck {
        /// Address to check instead of ORMAS_BIND (0.0.0.0 is checked on 127.0.0.1).
        #[arg(long)]
        addr: Option<String>,
    },
}

/// The sizes `seed --scale` generates.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum SeedScale {
    /// About 550,000 registrations.
    National,
    /// About 3,000 registrations.
    Sample,
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Create an account; the password comes from ORMAS_PASSWORD or standard input.
    Create {
        #[arg(long)]
        username: String,
        /// super_admin, admin, officer, head, oversight, ormas_rep or integrator.
        #[arg(long)]
        role: String,
        /// The account's region (omit for a super_admin, who covers the nation).
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let result = match cli.command.unwrap_or(Command::Serve { seed_demo: false }) {
        Command::Serve { seed_demo } => serve(seed_demo),
        Command::Users {
            command:
                UsersCommand::Create {
                    username,
                    role,
                    region,
                    display_name,
                    email,
                },
        } => create_user(username, role, region, display_name, email),
        Command::Seed {
            demo,
            scale,
            seed: generator_seed,
            today,
        } => match scale {
            Some(scale) => seed_register(scale, generator_seed, today),
            None => seed(demo),
        },
        Command::Migrate => migrate(),
        Command::Openapi => print_openapi(),
        Command::Healthcheck { addr } => healthcheck(addr),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("ormas-api: {message}");
            ExitCode::FAILURE
        }
    }
}

fn load_config() -> Result<Config, String> {
    Config::from_env().map_err(|e| format!("configuration: {e}"))
}

fn migrate() -> Result<(), String> {
    let config = load_config()?;
    let report =
        prepare_database(&config.database).map_err(|e| format!("{}: {e}", config.database))?;
    log::info!(
        "{}: {} migration(s) applied, {} region(s) and {} holiday(s) loaded",
        config.database,
        report.migrations_applied.len(),
        report.seeded.regions,
        report.seeded.holidays
    );
    Ok(())
}

fn print_openapi() -> Result<(), String> {
    let json = ormas_api::openapi_json().map_err(|e| e.to_string())?;
    std::io::stdout()
        .write_all(json.as_bytes())
        .map_err(|e| e.to_string())
}

fn read_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("ORMAS_PASSWORD")
        && !password.is_empty()
    {
        return Ok(password);
    }
    eprintln!("password (from standard input):");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password: {e}"))?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err("no password: set ORMAS_PASSWORD or write it on standard input".into());
    }
    Ok(password)
}

fn create_user(
    username: String,
    role: String,
    region: Option<String>,
    display_name: Option<String>,
    email: Option<String>,
) -> Result<(), String> {
    let config = load_config()?;
    let role: ormas_domain::Role = role.parse().map_err(|e| format!("--role: {e}"))?;
    let password = read_password()?;
    prepare_database(&config.database).map_err(|e| format!("{}: {e}", config.database))?;
    let mut conn = config.database.connect().map_err(|e| e.to_string())?;
    let account = bootstrap::NewAccount {
        display_name: display_name.unwrap_or_else(|| username.clone()),
        username,
        email,
        role,
        region,
        password,
    };
    let row = bootstrap::create_account(&mut conn, &account)?;
    println!(
        "created {} ({}, {}) with id {}",
        row.username,
        row.role,
        row.region_code.as_deref().unwrap_or("nation"),
        row.id
    );
    Ok(())
}

fn seed(demo: bool) -> Result<(), String> {
    if !demo {
        return Err("nothing to seed: pass --demo or --scale national|sample".into());
    }
    let config = load_config()?;
    prepare_database(&config.database).map_err(|e| format!("{}: {e}", config.database))?;
    let credentials = bootstrap::seed_demo(&config.database)?;
    print!("{}", bootstrap::format_credentials(&credentials));
    let created = bootstrap::seed_demo_register(&config.database, config.today())?;
    println!(
        "Demo register: {created} registration(s) created in Kalimantan Timur and Kalimantan Tengah (0: already there)"
    );
    Ok(())
}

/// `seed --scale`: generates a register into an empty database and prints what it holds.
fn seed_register(
    scale: SeedScale,
    seed: u64,
    today: Option<chrono::NaiveDate>,
) -> Result<(), String> {
    use ormas_persistence::national::{self, NationalOptions, Scale};
    let config = load_config()?;
    prepare_database(&config.database).map_err(|e| format!("{}: {e}", config.database))?;
    let mut conn = config
        .database
        .connect()
        .map_err(|e| format!("{}: {e}", config.database))?;
    let options = NationalOptions {
        scale: match scale {
            SeedScale::National => Scale::National,
            SeedScale::Sample => Scale::Sample,
        },
        seed,
        today: today.unwrap_or_else(|| config.today()),
        pattern: config.registration_number_pattern.clone(),
        policy: config.reporting,
    };
    log::info!(
        "generating the {} register (seed {seed}, as of {}) into {}",
        options.scale.as_str(),
        options.today,
        config.database
    );
    let summary = national::seed_national(&mut conn, &options)
        .map_err(|e| format!("seed --scale {}: {e}", options.scale.as_str()))?;
    print!("{summary}");
    Ok(())
}

fn serve(seed_demo: bool) -> Result<(), String> {
    let started = Instant::now();
    let config = load_config()?;
    log::info!("database: {}", config.database);
    let report =
        prepare_database(&config.database).map_err(|e| format!("{}: {e}", config.database))?;
    if !report.migrations_applied.is_empty() {
        log::info!(
            "applied {} migration(s): {}",
            report.migrations_applied.len(),
            report.migrations_applied.join(", ")
        );
    }
    if report.seeded.regions > 0 || report.seeded.holidays > 0 {
        log::info!(
            "loaded reference data: {} regions, {} holidays",
            report.seeded.regions,
            report.seeded.holidays
        );
    }
    if seed_demo && bootstrap::has_no_accounts(&config.database)? {
        let credentials = bootstrap::seed_demo(&config.database)?;
        let created = bootstrap::seed_demo_register(&config.database, config.today())?;
        log::info!("new database: created the demo accounts and {created} demo registrations");
        eprint!("{}", bootstrap::format_credentials(&credentials));
    }
    let pool = build_pool(&config.database, &config.pool);
    let listener = TcpListener::bind(config.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    actix_web::rt::System::new().block_on(async move {
        let app = ormas_api::build(config, pool, listener).map_err(|e| e.to_string())?;
        let base = display_base(app.addr);
        log::info!(
            "listening on {base} (ready in {} ms); API docs at {base}/docs/ , spec at {base}/openapi.json",
            started.elapsed().as_millis()
        );
        app.server.await.map_err(|e| e.to_string())?;
        // Stops the webhook dispatcher: an attempt in flight is abandoned (and sent again later,
        // with the same webhook-id), the leases given back.
        drop(app.dispatcher);
        log::info!("stopped");
        Ok(())
    })
}

fn display_base(addr: std::net::SocketAddr) -> String {
    if addr.ip().is_unspecified() {
        format!("http://127.0.0.1:{}", addr.port())
    } else {
        format!("http://{addr}")
    }
}

fn healthcheck(addr: Option<String>) -> Result<(), String> {
    let addr = match addr {
        Some(addr) => addr,
        None => load_config()?.bind.to_string(),
    };
    let addr = addr.replace("0.0.0.0", "127.0.0.1");
    let target = addr
        .to_socket_addrs()
        .map_err(|e| format!("{addr}: {e}"))?
        .next()
        .ok_or_else(|| format!("{addr}: no address"))?;
    let timeout = Duration::from_secs(3);
    let mut stream =
        TcpStream::connect_timeout(&target, timeout).map_err(|e| format!("{addr}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    if response.starts_with("HTTP/1.1 200") {
        println!("healthy");
        Ok(())
    } else {
        Err(format!(
            "unhealthy: {}",
            response.lines().next().unwrap_or("no answer")
        ))
    }
}
