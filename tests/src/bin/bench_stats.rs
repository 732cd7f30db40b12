//! `ormas-bench`: latency of the statistics, list and status endpoints of a running server, one
//! client sending sequential requests over one keep-alive connection. Prints a table (min, p50, p95,
//! p99, max in milliseconds against each case's p95 target) and exits non-zero when a target is
//! missed or an answer is not 200. `GET /health` is the floor: what HTTP alone costs on this machine.
//!
//! Run by `make bench-stats` (scripts/bench-stats.sh) against a national-scale PostgreSQL database.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Parser;
use reqwest::{Client, StatusCode};
use serde_json::Value;

/// Measure the statistics, list and status endpoints of a running ormas-api.
#[derive(Debug, Parser)]
#[command(name = "ormas-bench")]
struct Args {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    base_url: String,
    /// An account that sees the nation (super_admin).
    #[arg(long)]
    username: String,
    #[arg(long)]
    password: String,
    /// Timed requests per case.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Untimed requests per case before the timed ones.
    #[arg(long, default_value_t = 20)]
    warmup: usize,
    /// The province the regional cases ask about.
    #[arg(long, default_value = "64")]
    region: String,
    /// Only these cases (comma-separated names from the table); all by default.
    #[arg(long, value_delimiter = ',')]
    cases: Vec<String>,
}

/// One endpoint measured.
struct Case {
    name: &'static str,
    /// The paths requested in turn (several for the per-ormas case).
    paths: Vec<String>,
    /// The p95 the case must stay under, in milliseconds.
    target_ms: Option<f64>,
}

/// What one case measured.
struct Outcome {
    name: &'static str,
    shown_path: String,
    /// Milliseconds, sorted.
    samples: Vec<f64>,
    target_ms: Option<f64>,
    /// The first answer that was not 200, if any.
    failure: Option<String>,
}

impl Outcome {
    fn percentile(&self, p: f64) -> f64 {
        if self.samples.is_empty() {
            return f64::NAN;
        }
        // Nearest rank.
        let rank = ((p / 100.0) * self.samples.len() as f64).ceil() as usize;
        self.samples[rank.clamp(1, self.samples.len()) - 1]
    }

    fn passed(&self) -> bool {
        self.failure.is_none()
            && !self.samples.is_empty()
            && self.target_ms.is_none_or(|t| self.percentile(95.0) < t)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("ormas-bench: {message}");
            ExitCode::from(2)
        }
    }
}

/// Runs every case; `Ok(false)` when one missed its target or got an answer other than 200.
async fn run(args: &Args) -> Result<bool, String> {
    let base = args.base_url.trim_end_matches('/').to_owned();
    let client = Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())?;
    let token = login(&client, &base, &args.username, &args.password).await?;
    let wanted = |name: &str| args.cases.is_empty() || args.cases.iter().any(|c| c == name);
    let region = &args.region;

    // The statistics are cached per office and recomputed when data changes: the first request
    // after start-up pays for the computation.
    if wanted("overview") {
        let started = Instant::now();
        let status = get(&client, &base, "/v1/stats/overview", &token).await?;
        println!(
            "cold first GET /v1/stats/overview: {:.1} ms (HTTP {})",
            ms(started.elapsed()),
            status.as_u16()
        );
    }

    let mut cases = vec![
        Case {
            name: "health",
            paths: vec!["/health".into()],
            target_ms: None,
        },
        Case {
            name: "overview",
            paths: vec!["/v1/stats/overview".into()],
            target_ms: Some(200.0),
        },
        Case {
            name: "overview-region",
            paths: vec![format!("/v1/stats/overview?region={region}")],
            target_ms: Some(200.0),
        },
        Case {
            name: "list-region",
            paths: vec![format!("/v1/ormas?region={region}")],
            target_ms: None,
        },
        Case {
            name: "list-active",
            paths: vec![format!("/v1/ormas?region={region}&activity=active")],
            target_ms: Some(200.0),
        },
        // The oversight dashboard (issue 12): under 100 ms at the 95th percentile.
        Case {
            name: "dashboard",
            paths: vec!["/v1/oversight/dashboard".into()],
            target_ms: Some(100.0),
        },
        Case {
            name: "dashboard-region",
            paths: vec![format!("/v1/oversight/dashboard?region={region}")],
            target_ms: Some(100.0),
        },
        // The queues of the services of Satu Ormas (issue 13), first page: under 100 ms.
        Case {
            name: "permits",
            paths: vec!["/v1/attribute-permits".into()],
            target_ms: Some(100.0),
        },
        Case {
            name: "permits-region",
            paths: vec![format!(
                "/v1/attribute-permits?region={region}&overdue=true"
            )],
            target_ms: Some(100.0),
        },
        Case {
            name: "grants",
            paths: vec!["/v1/grant-proposals".into()],
            target_ms: Some(100.0),
        },
        Case {
            name: "grants-region",
            paths: vec![format!(
                "/v1/grant-proposals?region={region}&lpj_overdue=true"
            )],
            target_ms: Some(100.0),
        },
        Case {
            name: "consultations",
            paths: vec!["/v1/consultations".into()],
            target_ms: Some(100.0),
        },
        Case {
            name: "consultations-region",
            paths: vec![format!("/v1/consultations?region={region}&overdue=true")],
            target_ms: Some(100.0),
        },
    ];
    cases.retain(|c| wanted(c.name));

    let mut outcomes = Vec::new();
    if wanted("status") {
        match registered_ids(&client, &base, region, &token).await {
            Ok(ids) => cases.push(Case {
                name: "status",
                paths: ids
                    .iter()
                    .map(|id| format!("/v1/ormas/{id}/status"))
                    .collect(),
                target_ms: Some(10.0),
            }),
            Err(message) => outcomes.push(Outcome {
                name: "status",
                shown_path: "/v1/ormas/{id}/status".into(),
                samples: Vec::new(),
                target_ms: Some(10.0),
                failure: Some(message),
            }),
        }
    }

    for case in &cases {
        outcomes.push(measure(&client, &base, &token, case, args).await);
    }
    outcomes.sort_by_key(|o| {
        [
            "health",
            "overview",
            "overview-region",
            "list-region",
            "list-active",
            "dashboard",
            "dashboard-region",
            "permits",
            "permits-region",
            "grants",
            "grants-region",
            "consultations",
            "consultations-region",
            "status",
        ]
        .iter()
        .position(|n| *n == o.name)
    });
    print_table(&outcomes);
    Ok(outcomes.iter().all(Outcome::passed))
}

async fn login(
    client: &Client,
    base: &str,
    username: &str,
    password: &str,
) -> Result<String, String> {
    let response = client
        .post(format!("{base}/v1/auth/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .await
        .map_err(|e| format!("POST /v1/auth/login: {e}"))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|e| format!("POST /v1/auth/login: {e}"))?;
    if status != StatusCode::OK {
        return Err(format!("POST /v1/auth/login answered {status}: {body}"));
    }
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("POST /v1/auth/login: no access_token in {body}"))
}

/// Sends one GET and reads the whole body; returns the status.
async fn get(client: &Client, base: &str, path: &str, token: &str) -> Result<StatusCode, String> {
    let response = client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    let status = response.status();
    response
        .bytes()
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    Ok(status)
}

/// Up to 50 registered ormas of the region, for the per-ormas case.
async fn registered_ids(
    client: &Client,
    base: &str,
    region: &str,
    token: &str,
) -> Result<Vec<String>, String> {
    let path = format!("/v1/ormas?region={region}&state=registered&page_size=50");
    let response = client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    if status != StatusCode::OK {
        return Err(format!("GET {path} answered {status}"));
    }
    let ids: Vec<String> = body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if ids.is_empty() {
        return Err(format!("GET {path} listed no registered ormas"));
    }
    Ok(ids)
}

/// Warm-up requests, then `requests` timed ones, cycling through the case's paths.
async fn measure(client: &Client, base: &str, token: &str, case: &Case, args: &Args) -> Outcome {
    let mut outcome = Outcome {
        name: case.name,
        shown_path: match case.paths.as_slice() {
            [one] => one.clone(),
            many => format!(
                "{} … ({} ormas)",
                many.first().cloned().unwrap_or_default(),
                many.len()
            ),
        },
        samples: Vec::with_capacity(args.requests),
        target_ms: case.target_ms,
        failure: None,
    };
    let paths = case.paths.iter().cycle();
    for (i, path) in paths.take(args.warmup + args.requests).enumerate() {
        let started = Instant::now();
        let result = get(client, base, path, token).await;
        let elapsed = ms(started.elapsed());
        match result {
            Ok(StatusCode::OK) => {
                if i >= args.warmup {
                    outcome.samples.push(elapsed);
                }
            }
            Ok(status) => {
                outcome.failure = Some(format!("GET {path} answered {status}"));
                break;
            }
            Err(message) => {
                outcome.failure = Some(message);
                break;
            }
        }
    }
    outcome.samples.sort_by(f64::total_cmp);
    outcome
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn print_table(outcomes: &[Outcome]) {
    println!(
        "{:<16} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}  {:<6} request",
        "case", "n", "min", "p50", "p95", "p99", "max", "target", "result"
    );
    for o in outcomes {
        let target = o
            .target_ms
            .map(|t| format!("<{t:.0}"))
            .unwrap_or_else(|| "-".into());
        let result = if o.passed() { "PASS" } else { "FAIL" };
        if o.samples.is_empty() {
            println!(
                "{:<16} {:>5} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}  {:<6} {}",
                o.name, 0, "-", "-", "-", "-", "-", target, result, o.shown_path
            );
        } else {
            println!(
                "{:<16} {:>5} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>9}  {:<6} {}",
                o.name,
                o.samples.len(),
                o.percentile(0.0),
                o.percentile(50.0),
                o.percentile(95.0),
                o.percentile(99.0),
                o.percentile(100.0),
                target,
                result,
                o.shown_path
            );
        }
        if let Some(failure) = &o.failure {
            println!("{:<16} {failure}", "");
        }
    }
    // Medians relative to the HTTP floor: these machines are noisy, ratios travel better.
    if let Some(floor) = outcomes
        .iter()
        .find(|o| o.name == "health" && !o.samples.is_empty())
        .map(|o| o.percentile(50.0))
        .filter(|f| *f > 0.0)
    {
        let ratios: Vec<String> = outcomes
            .iter()
            .filter(|o| o.name != "health" && !o.samples.is_empty())
            .map(|o| format!("{} {:.1}×", o.name, o.percentile(50.0) / floor))
            .collect();
        if !ratios.is_empty() {
            println!(
                "p50 relative to /health ({floor:.2} ms): {}",
                ratios.join(", ")
            );
        }
    }
}
