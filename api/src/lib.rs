//! The HTTP service: configuration, request context, errors, extractors, routes, and the server.
//! `main.rs` is only the command line over [`serve`] and [`openapi_spec`].

#![forbid(unsafe_code)]

pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod changes;
pub mod clock;
pub mod config;
pub mod context;
pub mod demo_consultations;
pub mod demo_grants;
pub mod demo_permits;
pub mod edge;
pub mod error;
pub mod extract;
pub mod idempotency;
pub mod middleware;
pub mod routes;
pub mod state;
pub mod text;
pub mod webhooks;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use ormas_persistence::DbPool;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

pub use config::Config;
use middleware::RouteTable;
use state::AppState;

/// The OpenAPI document of every registered service, as served at `/openapi.json`.
#[allow(
    clippy::expect_used,
    reason = "the document is built from the code; a failure is a bug every test run catches"
)]
pub fn openapi_spec() -> utoipa::openapi::OpenApi {
    let (_, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(ormas_openapi::base())
        .configure(routes::configure)
        .split_for_parts();
    ormas_openapi::omittable_bodies(&mut spec);
    let mut spec = ormas_openapi::text_constraints(spec)
        .expect("the OpenAPI document round-trips through JSON");
    ormas_openapi::idempotency_keys(&mut spec);
    spec
}

/// The spec as pretty JSON with a trailing newline: the committed `openapi/openapi.json`.
pub fn openapi_json() -> Result<String, serde_json::Error> {
    openapi_spec().to_pretty_json().map(|json| json + "\n")
}

async fn docs_redirect() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, "/docs/"))
        .finish()
}

/// A server bound to its listener, ready to be awaited.
pub struct Application {
    pub server: Server,
    pub addr: SocketAddr,
    /// This instance's webhook dispatcher (when configured); dropping it stops it.
    pub dispatcher: Option<webhooks::Dispatcher>,
}

/// Binds `listener` and builds the server over `pool`. The caller has prepared the database.
pub fn build(config: Config, pool: DbPool, listener: TcpListener) -> std::io::Result<Application> {
    let addr = listener.local_addr()?;
    let spec = openapi_spec();
    let route_table = web::Data::new(RouteTable::from_spec(&spec));
    // One set of limiters for every worker: an address's allowance is the server's, not a worker's.
    let limiters = web::Data::new(edge::RateLimiters::from_config(&config));
    let cors_origins = config.cors_origins.clone();
    let secret = auth::resolve_secret(&config).map_err(std::io::Error::other)?;
    let shared_config = Arc::new(config.clone());
    let state = web::Data::new(AppState {
        pool,
        keys: Arc::new(auth::TokenKeys::new(&secret, config.access_token_ttl)),
        changes: changes::sink(shared_config.clone()),
        flights: state::Flights::default(),
        config: shared_config,
    });
    if let Some(every) = config.changes_prune_every {
        start_changes_pruner(Arc::downgrade(&state.clone().into_inner()), every);
    }
    if let Some(every) = config.stats_refresh {
        start_stats_refresher(Arc::downgrade(&state.clone().into_inner()), every);
    }
    let dispatcher = webhooks::Dispatcher::start(state.clone().into_inner());
    let mut server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .openapi(ormas_openapi::base())
            .app_data(state.clone())
            .app_data(route_table.clone())
            .app_data(limiters.clone())
            .configure(routes::configure)
            .split_for_parts();
        // Outermost last: the request context, then CORS (preflights are answered there, before
        // any route, authentication or the 405 fallback), then the rate limits. Idempotency keys
        // innermost: after the text checks, before compression (replays are stored uncompressed
        // and compressed again for each client), inside the request context (its problems carry
        // the request id and language). Innermost of all, and only in the test suite: the check that
        // a write of the register wrote its events (a replayed answer is not checked again).
        app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", spec.clone()))
            .route("/docs", web::get().to(docs_redirect))
            .default_service(web::to(middleware::fallback))
            .wrap(actix_web::middleware::from_fn(changes::require_events))
            .wrap(actix_web::middleware::from_fn(idempotency::idempotency_key))
            .wrap(actix_web::middleware::from_fn(text::refuse_bad_text))
            .wrap(actix_web::middleware::Compress::default())
            .wrap(actix_web::middleware::from_fn(edge::rate_limit))
            .wrap(actix_web::middleware::Condition::new(
                !cors_origins.is_empty(),
                edge::cors(&cors_origins),
            ))
            .wrap(actix_web::middleware::from_fn(middleware::request_context))
            .wrap(actix_web::middleware::from_fn(edge::security_headers))
    })
    .shutdown_timeout(config.shutdown_timeout.as_secs())
    .listen(listener)?;
    if let Some(workers) = config.workers {
        server = server.workers(workers);
    }

    Ok(Application {
        server: server.run(),
        addr,
        dispatcher,
    })
}

/// Keeps today's statistics snapshots current in the background: at start (so the first overview
/// after a restart or deploy is fast) and then every `every`, it recounts the offices whose data
/// changed or whose snapshot is from an earlier day. A plain thread: the work is blocking Diesel
/// and must not hold an actix worker; it ends once the server (the last holder of its state) is gone.
/// Removes the changes feed's events past retention, now and then every `every`, on its own thread.
fn start_changes_pruner(state: std::sync::Weak<AppState>, every: std::time::Duration) {
    let spawned = std::thread::Builder::new()
        .name("changes-prune".into())
        .spawn(move || {
            while let Some(state) = state.upgrade() {
                let days = i64::from(state.config.changes_retention_days);
                let before = clock::now_utc() - chrono::Duration::days(days);
                let result = state
                    .pool
                    .get()
                    .map_err(ormas_persistence::PersistenceError::from)
                    .and_then(|mut conn| ormas_persistence::changes::prune(&mut conn, before));
                match result {
                    Ok(0) => {}
                    Ok(n) => log::info!("changes feed: removed {n} event(s) past retention"),
                    Err(e) => log::warn!("changes feed pruning failed: {e}"),
                }
                drop(state);
                std::thread::sleep(every);
            }
        });
    if let Err(e) = spawned {
        log::warn!("changes feed pruner not started: {e}");
    }
}

fn start_stats_refresher(state: std::sync::Weak<AppState>, every: std::time::Duration) {
    let spawned = std::thread::Builder::new()
        .name("stats-refresh".into())
        .spawn(move || {
            while let Some(state) = state.upgrade() {
                let started = std::time::Instant::now();
                let today = state.config.today();
                let result = state
                    .pool
                    .get()
                    .map_err(ormas_persistence::PersistenceError::from)
                    .and_then(|mut conn| {
                        ormas_persistence::stats::refresh_today(
                            &mut conn,
                            today,
                            &state.config.reporting,
                            clock::now_utc(),
                        )
                    });
                match result {
                    Ok(0) => {}
                    Ok(n) => log::info!(
                        "statistics: recounted {n} office(s) in {} ms",
                        started.elapsed().as_millis()
                    ),
                    Err(e) => log::warn!("statistics refresh failed: {e}"),
                }
                drop(state);
                std::thread::sleep(every);
            }
        });
    if let Err(e) = spawned {
        log::warn!("statistics refresher not started: {e}");
    }
}
