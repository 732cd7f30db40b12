//! Embedded migrations, one tree per dialect with identical folder names.

use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::{AnyConnection, Backend, PersistenceError, PersistenceResult};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

fn migration_error(e: impl std::fmt::Display) -> PersistenceError {
    PersistenceError::Migration(e.to_string())
}

/// Applies every pending migration; returns the versions applied.
pub fn run_pending_migrations(conn: &mut AnyConnection) -> PersistenceResult<Vec<String>> {
    let applied = match conn {
        AnyConnection::Postgresql(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect()),
        AnyConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect()),
    };
    applied.map_err(migration_error)
}

/// Reverts every applied migration, newest first; returns the versions reverted.
pub fn revert_all_migrations(conn: &mut AnyConnection) -> PersistenceResult<Vec<String>> {
    let reverted = match conn {
        AnyConnection::Postgresql(c) => c
            .revert_all_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect()),
        AnyConnection::Sqlite(c) => c
            .revert_all_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect()),
    };
    reverted.map_err(migration_error)
}

/// The folder names of the embedded migrations of one backend, in order.
pub fn migration_names(backend: Backend) -> PersistenceResult<Vec<String>> {
    use diesel::migration::MigrationSource;
    let names = match backend {
        Backend::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map(|ms| ms.iter().map(|m| m.name().to_string()).collect()),
        Backend::Sqlite => {
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                .map(|ms| ms.iter().map(|m| m.name().to_string()).collect())
        }
    };
    names.map_err(migration_error)
}

/// The versions already applied to this database.
pub fn applied_migrations(conn: &mut AnyConnection) -> PersistenceResult<Vec<String>> {
    let applied = match conn {
        AnyConnection::Postgresql(c) => c
            .applied_migrations()
            .map(|v| v.iter().map(ToString::to_string).collect()),
        AnyConnection::Sqlite(c) => c
            .applied_migrations()
            .map(|v| v.iter().map(ToString::to_string).collect()),
    };
    applied.map_err(migration_error)
}
