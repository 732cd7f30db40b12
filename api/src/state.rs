//! What every handler shares, and the one way handlers reach the database.

use std::sync::Arc;

use actix_web::web;
use ormas_persistence::{AnyConnection, DbPool, PersistenceResult};

use crate::auth::TokenKeys;
use crate::config::Config;
use crate::error::ApiError;

/// Shared application state.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub config: Arc<Config>,
    pub keys: Arc<TokenKeys>,
    /// Turns the audited changes of each call into events of the changes feed.
    pub changes: ormas_persistence::changes::Sink,
}

impl AppState {
    /// Runs blocking database work on the blocking thread pool, pool checkout included, so that no
    /// actix worker ever waits on Diesel.
    pub async fn db<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut AnyConnection) -> PersistenceResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        let sink = self.changes.clone();
        let result = web::block(move || {
            ormas_persistence::changes::with_sink(&sink, || {
                let mut conn = pool.get()?;
                work(&mut conn)
            })
        })
        .await?;
        result.map_err(ApiError::from)
    }
}
