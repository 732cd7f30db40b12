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
    /// Single flight: one lock per key of work that concurrent requests would otherwise all do at
    /// once (the recount of a cold office's statistics).
    pub flights: Flights,
}

/// Locks by key: the first request for a key does the work, the others wait for it and then find
/// its result stored (a statistics snapshot). Keys are removed once nobody holds or waits on them.
#[derive(Clone, Default)]
pub struct Flights(
    Arc<std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
);

impl Flights {
    /// Waits for the key's lock; hold the guard while doing the work.
    pub async fn enter(&self, key: &str) -> FlightGuard {
        let lock = {
            let mut map = self
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            map.entry(key.to_owned()).or_default().clone()
        };
        let guard = lock.clone().lock_owned().await;
        FlightGuard {
            flights: self.clone(),
            key: key.to_owned(),
            lock,
            _guard: Some(guard),
        }
    }
}

/// Held while doing a key's work.
pub struct FlightGuard {
    flights: Flights,
    key: String,
    lock: Arc<tokio::sync::Mutex<()>>,
    _guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        self._guard = None;
        let mut map = self
            .flights
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // The map's clone and ours: nobody else holds or waits on it.
        if Arc::strong_count(&self.lock) <= 2 {
            map.remove(&self.key);
        }
    }
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
                let result = work(&mut conn);
                if let Err(e) = &result
                    && e.is_connection_failure()
                {
                    conn.mark_broken();
                }
                result
            })
        })
        .await?;
        result.map_err(ApiError::from)
    }
}
