//! Idempotency keys (draft-ietf-httpapi-idempotency-key-header): the first `POST` with a key
//! claims the row "in progress", its response is stored once the handler answered, and a retry
//! with the same key finds the row and replays that response. Rows expire; expired rows are
//! ignored (taken over by the next request with the key) and purged.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::schema::idempotency_keys;
use crate::{AnyConnection, PersistenceError, PersistenceResult};

pub const IN_PROGRESS: &str = "in_progress";
pub const COMPLETED: &str = "completed";

/// What identifies a request: a retry must repeat all of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub method: String,
    /// The path with its query string.
    pub path: String,
    pub content_type: String,
    /// SHA-256 of the raw body, hex.
    pub body_sha256: String,
}

/// The response kept for replays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: i32,
    pub body: Vec<u8>,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub etag: Option<String>,
}

/// One key of one caller.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub caller: String,
    pub idempotency_key: String,
    pub request_method: String,
    pub request_path: String,
    pub request_content_type: String,
    pub request_body_sha256: String,
    pub state: String,
    pub response_status: Option<i32>,
    pub response_body: Option<Vec<u8>>,
    pub response_content_type: Option<String>,
    pub response_location: Option<String>,
    pub response_etag: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

impl IdempotencyRow {
    /// A claim "in progress" for a request with this fingerprint.
    pub fn claim(
        caller: &str,
        key: &str,
        fingerprint: &Fingerprint,
        now: NaiveDateTime,
        expires_at: NaiveDateTime,
    ) -> Self {
        Self {
            caller: caller.to_owned(),
            idempotency_key: key.to_owned(),
            request_method: fingerprint.method.clone(),
            request_path: fingerprint.path.clone(),
            request_content_type: fingerprint.content_type.clone(),
            request_body_sha256: fingerprint.body_sha256.clone(),
            state: IN_PROGRESS.to_owned(),
            response_status: None,
            response_body: None,
            response_content_type: None,
            response_location: None,
            response_etag: None,
            created_at: now,
            expires_at,
        }
    }

    pub fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            method: self.request_method.clone(),
            path: self.request_path.clone(),
            content_type: self.request_content_type.clone(),
            body_sha256: self.request_body_sha256.clone(),
        }
    }

    /// The stored response, once the first request completed.
    pub fn response(&self) -> Option<StoredResponse> {
        if self.state != COMPLETED {
            return None;
        }
        Some(StoredResponse {
            status: self.response_status?,
            body: self.response_body.clone().unwrap_or_default(),
            content_type: self.response_content_type.clone(),
            location: self.response_location.clone(),
            etag: self.response_etag.clone(),
        })
    }
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key was free (or its row had expired): this request runs.
    Claimed,
    /// A live row holds the key: in progress or completed.
    Held(Box<IdempotencyRow>),
}

fn find(
    conn: &mut AnyConnection,
    caller: &str,
    key: &str,
) -> PersistenceResult<Option<IdempotencyRow>> {
    Ok(idempotency_keys::table
        .filter(idempotency_keys::caller.eq(caller))
        .filter(idempotency_keys::idempotency_key.eq(key))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()?)
}

/// Claims `row`'s key for its caller: inserts it "in progress", or, when the key is taken, returns
/// the live row holding it. An expired row, or one still "in progress" since before
/// `abandoned_before` (its instance died mid-request: no request runs that long), is deleted and
/// the claim tried once more. Not inside a transaction: on PostgreSQL a refused insert would abort
/// it.
pub fn claim(
    conn: &mut AnyConnection,
    row: &IdempotencyRow,
    abandoned_before: NaiveDateTime,
) -> PersistenceResult<Claim> {
    for _ in 0..2 {
        match diesel::insert_into(idempotency_keys::table)
            .values(row)
            .execute(conn)
        {
            Ok(_) => return Ok(Claim::Claimed),
            Err(e) => match PersistenceError::from(e) {
                PersistenceError::UniqueViolation(_) => {}
                other => return Err(other),
            },
        }
        match find(conn, &row.caller, &row.idempotency_key)? {
            Some(held)
                if held.expires_at > row.created_at
                    && !(held.state == IN_PROGRESS && held.created_at < abandoned_before) =>
            {
                return Ok(Claim::Held(Box::new(held)));
            }
            Some(_) => {
                // Expired or abandoned: whoever deletes it first takes the key over.
                diesel::delete(
                    idempotency_keys::table
                        .filter(idempotency_keys::caller.eq(&row.caller))
                        .filter(idempotency_keys::idempotency_key.eq(&row.idempotency_key))
                        .filter(
                            idempotency_keys::expires_at.le(row.created_at).or(
                                idempotency_keys::state
                                    .eq(IN_PROGRESS)
                                    .and(idempotency_keys::created_at.lt(abandoned_before)),
                            ),
                        ),
                )
                .execute(conn)?;
            }
            // Released between the insert and the read: try again.
            None => {}
        }
    }
    match find(conn, &row.caller, &row.idempotency_key)? {
        Some(held) => Ok(Claim::Held(Box::new(held))),
        None => Err(PersistenceError::Refused("idempotency key contended")),
    }
}

/// Stores the response of the request that claimed the key.
pub fn complete(
    conn: &mut AnyConnection,
    caller: &str,
    key: &str,
    response: &StoredResponse,
) -> PersistenceResult<()> {
    diesel::update(
        idempotency_keys::table
            .filter(idempotency_keys::caller.eq(caller))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::state.eq(IN_PROGRESS)),
    )
    .set((
        idempotency_keys::state.eq(COMPLETED),
        idempotency_keys::response_status.eq(Some(response.status)),
        idempotency_keys::response_body.eq(Some(&response.body)),
        idempotency_keys::response_content_type.eq(response.content_type.as_deref()),
        idempotency_keys::response_location.eq(response.location.as_deref()),
        idempotency_keys::response_etag.eq(response.etag.as_deref()),
    ))
    .execute(conn)?;
    Ok(())
}

/// Gives up a claim still in progress (the handler failed, or its answer is not to be kept), so
/// that a retry runs anew.
pub fn release(conn: &mut AnyConnection, caller: &str, key: &str) -> PersistenceResult<()> {
    diesel::delete(
        idempotency_keys::table
            .filter(idempotency_keys::caller.eq(caller))
            .filter(idempotency_keys::idempotency_key.eq(key))
            .filter(idempotency_keys::state.eq(IN_PROGRESS)),
    )
    .execute(conn)?;
    Ok(())
}

/// Deletes every row expired at `now`; returns how many.
pub fn purge_expired(conn: &mut AnyConnection, now: NaiveDateTime) -> PersistenceResult<usize> {
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::expires_at.le(now)))
            .execute(conn)?,
    )
}

/// The live row of a caller's key, if any (for tests and support).
pub fn find_live(
    conn: &mut AnyConnection,
    caller: &str,
    key: &str,
    now: NaiveDateTime,
) -> PersistenceResult<Option<IdempotencyRow>> {
    Ok(find(conn, caller, key)?.filter(|row| row.expires_at > now))
}
