//! Persistence: one portable Diesel schema over SQLite and PostgreSQL, the connection pool, the
//! embedded migrations, the bundled reference data, and sync repository functions over
//! `&mut AnyConnection` that callers compose inside one transaction.

#![forbid(unsafe_code)]

pub mod audit;
pub mod changes;
pub mod consultations;
pub mod dashboard;
mod error;
pub mod exports;
pub mod grants;
pub mod idempotency;
pub mod identity;
pub mod migrations;
pub mod national;
pub mod national_consultations;
mod national_grants;
mod national_permits;
pub mod oversight;
pub mod permits;
mod pool;
pub mod reference;
pub mod register;
pub mod reports;
pub mod sanctions;
pub mod schema;
pub mod seed;
pub mod sql;
pub mod stats;
mod tx;
pub mod visits;
pub mod webhooks;

pub use error::{PersistenceError, PersistenceResult};
pub use pool::{
    AnyConnection, Backend, ConnectError, ConnectionManager, DatabaseTarget, DbPool, PoolOptions,
    PooledConnection, build_pool, create_private_dir, make_private, redact_password,
};
pub use tx::{in_transaction, in_write_transaction};

/// What preparing a database did: the migrations it applied and the reference data it loaded.
#[derive(Debug, Clone, Default)]
pub struct SetupReport {
    pub migrations_applied: Vec<String>,
    pub seeded: seed::SeedReport,
}

/// Makes a database ready to serve: creates the SQLite file (in WAL mode) if needed, applies pending
/// migrations and loads the reference data not loaded yet. Idempotent; safe at every start.
pub fn prepare_database(target: &DatabaseTarget) -> PersistenceResult<SetupReport> {
    target
        .prepare()
        .map_err(|e| PersistenceError::Unavailable(e.0))?;
    let mut conn = target
        .connect()
        .map_err(|e| PersistenceError::Unavailable(e.0))?;
    let migrations_applied = migrations::run_pending_migrations(&mut conn)?;
    let seeded = seed::seed_reference_data(&mut conn)?;
    Ok(SetupReport {
        migrations_applied,
        seeded,
    })
}
