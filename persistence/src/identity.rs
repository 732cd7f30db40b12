//! Repositories for accounts, sessions and their refresh tokens, service clients, and login failures.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use ormas_domain::Role;

use crate::schema::{api_clients, login_failures, refresh_tokens, revoked_tokens, sessions, users};
use crate::sql::{escape_like, in_subtree, lower};
use crate::{AnyConnection, PersistenceError, PersistenceResult};

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub username_key: String,
    pub display_name: String,
    pub email: Option<String>,
    pub password_hash: String,
    pub role: String,
    pub region_code: Option<String>,
    pub ormas_id: Option<String>,
    pub active: bool,
    pub token_version: i32,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl UserRow {
    /// The stored role ([`PersistenceError::Corrupt`] when it names none).
    pub fn role(&self) -> PersistenceResult<Role> {
        Ok(self.role.parse()?)
    }
}

/// Filters for the account list; `region` limits to a subtree (`None`: the nation).
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub region: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    /// Case-insensitive substring of the username or display name.
    pub q: Option<String>,
    /// The `username_key` of the last row of the previous page.
    pub after: Option<String>,
    pub limit: i64,
}

pub fn insert_user(conn: &mut AnyConnection, row: &UserRow) -> PersistenceResult<()> {
    diesel::insert_into(users::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_user(conn: &mut AnyConnection, id: &str) -> PersistenceResult<Option<UserRow>> {
    Ok(users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_user_by_username(
    conn: &mut AnyConnection,
    username_key: &str,
) -> PersistenceResult<Option<UserRow>> {
    Ok(users::table
        .filter(users::username_key.eq(username_key))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn list_users(
    conn: &mut AnyConnection,
    filter: &UserFilter,
) -> PersistenceResult<Vec<UserRow>> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order(users::username_key.asc())
        .limit(filter.limit)
        .into_boxed();
    if let Some(region) = &filter.region {
        query = query.filter(in_subtree!(users::region_code, region.clone()));
    }
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(role.clone()));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    if let Some(q) = &filter.q {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
        query = query.filter(
            users::username_key
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::display_name).like(pattern).escape('\\')),
        );
    }
    if let Some(after) = &filter.after {
        query = query.filter(users::username_key.gt(after.clone()));
    }
    Ok(query.load(conn)?)
}

/// Saves a changed account when its `version` is still `expected_version`; the caller has already
/// raised `version` (and `token_version` where the change must end older tokens).
/// [`PersistenceError::StaleVersion`] when the row was not current (nothing changed).
pub fn update_user(
    conn: &mut AnyConnection,
    row: &UserRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    let changed = diesel::update(
        users::table
            .filter(users::id.eq(&row.id))
            .filter(users::version.eq(expected_version)),
    )
    .set((
        users::display_name.eq(&row.display_name),
        users::email.eq(&row.email),
        users::password_hash.eq(&row.password_hash),
        users::role.eq(&row.role),
        users::region_code.eq(&row.region_code),
        users::ormas_id.eq(&row.ormas_id),
        users::active.eq(row.active),
        users::token_version.eq(row.token_version),
        users::version.eq(row.version),
        users::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    if changed == 1 {
        Ok(())
    } else {
        Err(PersistenceError::StaleVersion)
    }
}

pub fn count_users(conn: &mut AnyConnection) -> PersistenceResult<i64> {
    Ok(users::table.count().get_result(conn)?)
}

/// A login session.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

/// A refresh token, by the SHA-256 of its value.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub token_hash: String,
    pub session_id: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

pub fn insert_session(conn: &mut AnyConnection, row: &SessionRow) -> PersistenceResult<()> {
    diesel::insert_into(sessions::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn insert_refresh_token(
    conn: &mut AnyConnection,
    row: &RefreshTokenRow,
) -> PersistenceResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// A refresh token with its session and account, in one query.
pub fn find_refresh_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> PersistenceResult<Option<(RefreshTokenRow, SessionRow, UserRow)>> {
    Ok(refresh_tokens::table
        .inner_join(sessions::table.inner_join(users::table))
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            RefreshTokenRow::as_select(),
            SessionRow::as_select(),
            UserRow::as_select(),
        ))
        .first(conn)
        .optional()?)
}

/// Marks a refresh token used; false when it already was (a concurrent refresh won).
pub fn mark_refresh_token_used(
    conn: &mut AnyConnection,
    token_hash: &str,
    at: NaiveDateTime,
) -> PersistenceResult<bool> {
    let changed = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(at))
    .execute(conn)?;
    Ok(changed == 1)
}

pub fn revoke_session(
    conn: &mut AnyConnection,
    session_id: &str,
    at: NaiveDateTime,
    reason: &str,
) -> PersistenceResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(at),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}

/// Ends every open session of an account (its refresh tokens stop working).
pub fn revoke_user_sessions(
    conn: &mut AnyConnection,
    user_id: &str,
    at: NaiveDateTime,
    reason: &str,
) -> PersistenceResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(at),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(())
}

/// The account and session an access token names, in one query.
pub fn find_user_session(
    conn: &mut AnyConnection,
    user_id: &str,
    session_id: &str,
) -> PersistenceResult<Option<(UserRow, SessionRow)>> {
    Ok(users::table
        .inner_join(sessions::table)
        .filter(users::id.eq(user_id))
        .filter(sessions::id.eq(session_id))
        .select((UserRow::as_select(), SessionRow::as_select()))
        .first(conn)
        .optional()?)
}

/// A service client as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_clients)]
pub struct ClientRow {
    pub id: String,
    pub client_id: String,
    pub name: String,
    pub secret_hash: String,
    pub region_code: Option<String>,
    pub active: bool,
    pub token_version: i32,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    /// Raised on every change (deactivation, secret rotation); `If-Match` names it.
    pub version: i32,
}

pub fn insert_client(conn: &mut AnyConnection, row: &ClientRow) -> PersistenceResult<()> {
    diesel::insert_into(api_clients::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

pub fn find_client_by_client_id(
    conn: &mut AnyConnection,
    client_id: &str,
) -> PersistenceResult<Option<ClientRow>> {
    Ok(api_clients::table
        .filter(api_clients::client_id.eq(client_id))
        .select(ClientRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_client(conn: &mut AnyConnection, id: &str) -> PersistenceResult<Option<ClientRow>> {
    Ok(api_clients::table
        .find(id)
        .select(ClientRow::as_select())
        .first(conn)
        .optional()?)
}

/// Clients in a region subtree (`None`: all), ordered by client id.
pub fn list_clients(
    conn: &mut AnyConnection,
    region: Option<String>,
) -> PersistenceResult<Vec<ClientRow>> {
    let mut query = api_clients::table
        .select(ClientRow::as_select())
        .order(api_clients::client_id.asc())
        .into_boxed();
    if let Some(region) = region {
        query = query.filter(in_subtree!(api_clients::region_code, region));
    }
    Ok(query.load(conn)?)
}

pub fn set_client_active(
    conn: &mut AnyConnection,
    id: &str,
    active: bool,
) -> PersistenceResult<()> {
    let changed = diesel::update(api_clients::table.find(id))
        .set((
            api_clients::active.eq(active),
            api_clients::token_version.eq(api_clients::token_version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(PersistenceError::NotFound);
    }
    Ok(())
}

/// Counts a failed attempt under `username_key` (a login, or a wrong current password), from
/// `client_address` when known, and forgets failures older than `before` (they count no more).
pub fn record_login_failure(
    conn: &mut AnyConnection,
    id: &str,
    username_key: &str,
    client_address: Option<&str>,
    at: NaiveDateTime,
    before: NaiveDateTime,
) -> PersistenceResult<()> {
    diesel::delete(login_failures::table.filter(login_failures::failed_at.lt(before)))
        .execute(conn)?;
    diesel::insert_into(login_failures::table)
        .values((
            login_failures::id.eq(id),
            login_failures::username_key.eq(username_key),
            login_failures::client_address.eq(client_address),
            login_failures::failed_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Failure times for a username since `since`.
pub fn login_failures_since(
    conn: &mut AnyConnection,
    username_key: &str,
    since: NaiveDateTime,
) -> PersistenceResult<Vec<NaiveDateTime>> {
    Ok(login_failures::table
        .filter(login_failures::username_key.eq(username_key))
        .filter(login_failures::failed_at.gt(since))
        .select(login_failures::failed_at)
        .load(conn)?)
}

/// The recent failed logins that the login policy weighs, since one time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecentLoginFailures {
    /// For this username from this address.
    pub pair: Vec<NaiveDateTime>,
    /// From this address, for any username.
    pub address: Vec<NaiveDateTime>,
    /// For this username from any address.
    pub username: i64,
}

/// The failed logins since `since` for a username, an address and both, in one trip.
pub fn recent_login_failures(
    conn: &mut AnyConnection,
    username_key: &str,
    client_address: &str,
    since: NaiveDateTime,
) -> PersistenceResult<RecentLoginFailures> {
    let pair = login_failures::table
        .filter(login_failures::username_key.eq(username_key))
        .filter(login_failures::client_address.eq(client_address))
        .filter(login_failures::failed_at.gt(since))
        .select(login_failures::failed_at)
        .load(conn)?;
    let address = login_failures::table
        .filter(login_failures::client_address.eq(client_address))
        .filter(login_failures::failed_at.gt(since))
        .select(login_failures::failed_at)
        .load(conn)?;
    let username = login_failures::table
        .filter(login_failures::username_key.eq(username_key))
        .filter(login_failures::failed_at.gt(since))
        .count()
        .get_result(conn)?;
    Ok(RecentLoginFailures {
        pair,
        address,
        username,
    })
}

/// Forgets the failures of a username from one address (`None`: from every address), after a
/// successful login there, and every failure older than `before`.
pub fn clear_login_failures(
    conn: &mut AnyConnection,
    username_key: &str,
    client_address: Option<&str>,
    before: NaiveDateTime,
) -> PersistenceResult<()> {
    match client_address {
        Some(address) => diesel::delete(
            login_failures::table.filter(
                login_failures::username_key
                    .eq(username_key)
                    .and(login_failures::client_address.eq(address))
                    .or(login_failures::failed_at.lt(before)),
            ),
        )
        .execute(conn)?,
        None => diesel::delete(
            login_failures::table.filter(
                login_failures::username_key
                    .eq(username_key)
                    .or(login_failures::failed_at.lt(before)),
            ),
        )
        .execute(conn)?,
    };
    Ok(())
}

/// Revokes one access token (its `jti`) until `expires_at`, and forgets revocations of tokens
/// that have expired by `now` (they fail on their expiry anyway).
pub fn revoke_token(
    conn: &mut AnyConnection,
    jti: &str,
    subject_id: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> PersistenceResult<()> {
    diesel::delete(revoked_tokens::table.filter(revoked_tokens::expires_at.lt(now)))
        .execute(conn)?;
    diesel::insert_into(revoked_tokens::table)
        .values((
            revoked_tokens::jti.eq(jti),
            revoked_tokens::subject_id.eq(subject_id),
            revoked_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether the access token `jti` was revoked.
pub fn token_revoked(conn: &mut AnyConnection, jti: &str) -> PersistenceResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        revoked_tokens::table.filter(revoked_tokens::jti.eq(jti)),
    ))
    .get_result(conn)?)
}

/// Writes a client's changed fields (`active`, `secret_hash`) when its version is still
/// `expected_version`, raising its version and its token version (every token it holds stops
/// working). `StaleVersion` when another write got there first.
pub fn update_client(
    conn: &mut AnyConnection,
    row: &ClientRow,
    expected_version: i32,
) -> PersistenceResult<()> {
    let changed = diesel::update(
        api_clients::table
            .find(&row.id)
            .filter(api_clients::version.eq(expected_version)),
    )
    .set((
        api_clients::active.eq(row.active),
        api_clients::secret_hash.eq(&row.secret_hash),
        api_clients::token_version.eq(api_clients::token_version + 1),
        api_clients::version.eq(api_clients::version + 1),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(PersistenceError::StaleVersion);
    }
    Ok(())
}

/// Moves a representative from the binding `expected` (read before, at the account's version
/// `expected_version`) to `ormas_id`, raising the account's version, in one guarded statement:
/// `false` when the binding or the account changed meanwhile (nothing is written then).
pub fn rebind_ormas(
    conn: &mut AnyConnection,
    user_id: &str,
    expected_version: i32,
    expected: Option<&str>,
    ormas_id: Option<&str>,
) -> PersistenceResult<bool> {
    let target = users::table
        .filter(users::id.eq(user_id))
        .filter(users::version.eq(expected_version));
    let set = (
        users::ormas_id.eq(ormas_id),
        users::version.eq(users::version + 1),
    );
    let changed = match expected {
        Some(current) => diesel::update(target.filter(users::ormas_id.eq(current)))
            .set(set)
            .execute(conn)?,
        None => diesel::update(target.filter(users::ormas_id.is_null()))
            .set(set)
            .execute(conn)?,
    };
    Ok(changed == 1)
}

/// Binds an unbound representative to `ormas_id` in one statement, so that of concurrent claims
/// exactly one succeeds: `false` when the account is already bound (or does not exist). Inside a
/// write transaction, a `false` must roll the transaction back.
pub fn claim_ormas(
    conn: &mut AnyConnection,
    user_id: &str,
    ormas_id: &str,
) -> PersistenceResult<bool> {
    let changed = diesel::update(
        users::table
            .filter(users::id.eq(user_id))
            .filter(users::ormas_id.is_null()),
    )
    .set((
        users::ormas_id.eq(Some(ormas_id)),
        users::version.eq(users::version + 1),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// Binds a representative's account to the registration it acts for (`None` unbinds).
pub fn bind_ormas(
    conn: &mut AnyConnection,
    user_id: &str,
    ormas_id: Option<&str>,
) -> PersistenceResult<()> {
    let changed = diesel::update(users::table.find(user_id))
        .set((
            users::ormas_id.eq(ormas_id),
            users::version.eq(users::version + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(PersistenceError::NotFound);
    }
    Ok(())
}
