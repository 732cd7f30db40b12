//! The bulk export of the register in the caller's scope, streamed at constant memory.
//!
//! # How an export streams
//! The handler reads the feed position, then the first batch (so that a database that cannot be
//! reached is still a problem document, not a broken stream). A task on the actix worker then
//! reads the next batches one at a time, each on the blocking pool with a pooled connection
//! ([`ormas_persistence::exports::batch`]: 2,000 rows by key in the list's order, their board and
//! document facts in one query each), serializes each on another blocking thread without a
//! connection, and sends it into a bounded channel ([`CHANNEL`] chunks) whose receiver is the
//! response body. The read of a batch starts as soon as the previous batch is read (its last key is
//! all it needs), so the database reads one batch while the previous one is serialized, and the
//! export runs at the pace of the slower of the two instead of their sum. While the client reads
//! slowly the channel is full and the task waits on it, holding
//! no pooled connection beyond the one batch read ahead; a client that goes away drops the
//! receiver, and the task stops at its next send. At most `CHANNEL + 3` batches are in memory
//! (the channel's, the one being sent, the one being serialized, the one read ahead), whatever the
//! size of the register.
//!
//! # Where a follower of the feed starts
//! The feed position is read *before* the first row: every change committed after it is in the
//! feed after that position, so a consumer that loads the export and then follows
//! `GET /v1/changes?after={X-Feed-Position}` misses nothing. A change committed while the export
//! was read may be both in the export and in the feed; consumers apply events idempotently, by
//! their position.

use std::sync::Arc;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, web};
use futures_util::Stream;
use ormas_domain::Action;
use ormas_domain::registration::RegistrationState;
use ormas_persistence::AnyConnection;
use ormas_persistence::changes;
use ormas_persistence::exports;
use ormas_persistence::register::RegistrationFilter;
use serde::Deserialize;
use tokio::sync::mpsc;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::auth::Principal;
use crate::error::ApiError;
use crate::extract::ValidQuery;
use crate::routes::dto::validate_region_code;
use crate::routes::ormas::dto::Ormas;
use crate::routes::ormas::list::{scoped_region, state_filter};
use crate::routes::ormas::{completeness, current_state};
use crate::state::AppState;

/// Chunks (one batch each) buffered between the database and a slow client.
pub const CHANNEL: usize = 4;

/// The header naming the feed position read before the export's first row.
pub const FEED_POSITION: &str = "X-Feed-Position";

pub const NDJSON: &str = "application/x-ndjson";
pub const CSV: &str = "text/csv; charset=utf-8";

/// One batch, serialized.
pub struct Batch {
    pub bytes: Vec<u8>,
    /// The rows written.
    pub rows: usize,
    /// The key to read the next batch after; `None` once a batch came back short (the last).
    pub next: Option<(String, String)>,
}

/// The serialization of a batch read, CPU work that needs no connection: its bytes and the rows
/// written.
type Serialize = Box<dyn FnOnce() -> Result<(Vec<u8>, usize), ApiError> + Send>;

/// One batch as read from the database, before its serialization.
pub struct ReadRows {
    /// The key to read the next batch after; `None` once a batch came back short (the last).
    next: Option<(String, String)>,
    serialize: Serialize,
}

impl ReadRows {
    /// A batch to be read on after `next`, that `serialize` turns into bytes (and the number of
    /// rows written).
    pub fn new(
        next: Option<(String, String)>,
        serialize: impl FnOnce() -> Result<(Vec<u8>, usize), ApiError> + Send + 'static,
    ) -> ReadRows {
        ReadRows {
            next,
            serialize: Box::new(serialize),
        }
    }

    /// Serializes the batch, on the calling thread.
    pub fn serialize(self) -> Result<Batch, ApiError> {
        let (bytes, rows) = (self.serialize)()?;
        Ok(Batch {
            bytes,
            rows,
            next: self.next,
        })
    }
}

/// Reads the batch after a key (`None`: the first), on a blocking thread with a connection; its
/// serialization is left to [`ReadRows::serialize`].
pub type ReadBatch = Arc<
    dyn Fn(&mut AnyConnection, Option<(String, String)>) -> Result<ReadRows, ApiError>
        + Send
        + Sync,
>;

/// How the stream ends.
#[derive(Debug, Clone, Copy)]
pub enum Ending {
    /// NDJSON: a last line `{"_type":"end","feed_position":N,"count":C}`; an error after the
    /// stream started is a line `{"_type":"error",…}` (the problem document) and no end line.
    Ndjson { feed_position: i64 },
    /// CSV: nothing after the rows; an error after the stream started aborts the response (the
    /// client sees a truncated body, never a well-formed partial file).
    Csv,
}

/// The key after which the batch following `rows` starts, when `rows` was a full batch.
pub fn next_key<T>(rows: &[T], key: impl Fn(&T) -> (String, String)) -> Option<(String, String)> {
    let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= exports::BATCH;
    if full { rows.last().map(key) } else { None }
}

async fn read_batch(
    state: web::Data<AppState>,
    read: ReadBatch,
    after: (String, String),
) -> Result<ReadRows, ApiError> {
    state.db(move |conn| Ok(read(conn, Some(after)))).await?
}

/// Reads and serializes the first batch (errors become the response), and the feed position
/// before it.
pub async fn first_batch(
    state: &AppState,
    read: ReadBatch,
) -> Result<(changes::FeedPosition, Batch), ApiError> {
    let (position, first) = state
        .db(move |conn| {
            let position = changes::position(conn)?;
            Ok((position, read(conn, None).and_then(ReadRows::serialize)))
        })
        .await?;
    Ok((position, first?))
}

type Chunk = Result<Bytes, std::io::Error>;

/// The body of an export: `first` (already read), then the following batches as the client
/// takes them.
pub fn stream(
    state: web::Data<AppState>,
    first: Batch,
    read: ReadBatch,
    ending: Ending,
) -> impl Stream<Item = Chunk> + 'static {
    let (tx, rx) = mpsc::channel::<Chunk>(CHANNEL);
    actix_web::rt::spawn(async move {
        let mut count = first.rows;
        let read_after =
            |after| actix_web::rt::spawn(read_batch(state.clone(), read.clone(), after));
        // Read ahead: the next batch is read while this one is serialized and sent.
        let mut ahead = first.next.map(read_after);
        if tx.send(Ok(Bytes::from(first.bytes))).await.is_err() {
            if let Some(ahead) = ahead {
                ahead.abort();
            }
            return;
        }
        while let Some(reading) = ahead.take() {
            let serialized = match reading.await {
                Ok(Ok(read)) => {
                    ahead = read.next.clone().map(read_after);
                    web::block(move || read.serialize())
                        .await
                        .map_err(ApiError::from)
                        .and_then(|batch| batch)
                }
                Ok(Err(error)) => Err(error),
                Err(join) => Err(ApiError::internal(join)),
            };
            match serialized {
                Ok(batch) => {
                    count += batch.rows;
                    if tx.send(Ok(Bytes::from(batch.bytes))).await.is_err() {
                        if let Some(ahead) = ahead {
                            ahead.abort();
                        }
                        return;
                    }
                }
                Err(error) => {
                    if let Some(ahead) = ahead.take() {
                        ahead.abort();
                    }
                    log::error!("export stopped after {count} rows: {error}");
                    let chunk = match ending {
                        Ending::Ndjson { .. } => Ok(error_line(&error)),
                        Ending::Csv => Err(std::io::Error::other(error.to_string())),
                    };
                    let _ = tx.send(chunk).await;
                    return;
                }
            }
        }
        if let Ending::Ndjson { feed_position } = ending {
            let end =
                serde_json::json!({"_type": "end", "feed_position": feed_position, "count": count});
            let mut line = end.to_string().into_bytes();
            line.push(b'\n');
            let _ = tx.send(Ok(Bytes::from(line))).await;
        }
    });
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|chunk| (chunk, rx))
    })
}

fn error_line(error: &ApiError) -> Bytes {
    let mut value = serde_json::to_value(error.problem()).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("_type".into(), "error".into());
    }
    let mut line = value.to_string().into_bytes();
    line.push(b'\n');
    Bytes::from(line)
}

/// A CSV writer for one batch's rows (the header is written once, before the first batch).
pub fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::with_capacity(1 << 20))
}

pub fn csv_header(columns: &[&str]) -> Result<Vec<u8>, ApiError> {
    let mut writer = csv_writer();
    writer.write_record(columns).map_err(ApiError::internal)?;
    writer.into_inner().map_err(ApiError::internal)
}

/// The export's formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// One JSON object per line, each an item of `GET /v1/ormas`, then an end line.
    #[default]
    Ndjson,
    /// A header, then one line per registration ([`ORMAS_COLUMNS`]).
    Csv,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `ndjson` (default) or `csv`.
    #[param(inline)]
    pub format: Option<ExportFormat>,
    /// Only registrations in this region's subtree (within the caller's scope).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    /// The state as of today, as the list's filter.
    #[param(inline)]
    pub state: Option<RegistrationState>,
}

/// The columns of the CSV export, in order: the main fields of an item of `GET /v1/ormas`
/// (lists joined with `;`).
pub const ORMAS_COLUMNS: &[&str] = &[
    "id",
    "organisation_id",
    "name",
    "abbreviation",
    "kind",
    "fields",
    "branch_name",
    "region_code",
    "district_code",
    "address",
    "phone",
    "email",
    "state",
    "registration_number",
    "registration_date",
    "submitted_on",
    "verification_due",
    "verification_overdue",
    "revision_due",
    "board_term_ends_on",
    "board_complete",
    "missing_documents",
    "ahu_number",
    "ahu_date",
    "skt_number",
    "skt_issued_on",
    "skt_issuer",
    "skt_expires_on",
    "npwp",
    "founded_on",
    "special_character",
    "tiered",
    "version",
    "created_at",
    "updated_at",
];

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn csv_row(o: &Ormas) -> Vec<String> {
    let org = &o.organisation;
    vec![
        o.id.clone(),
        org.id.clone(),
        org.name.clone(),
        text(org.abbreviation.as_ref()),
        org.kind.as_str().to_owned(),
        org.fields.join(";"),
        text(o.branch_name.as_ref()),
        o.region_code.clone(),
        text(o.district_code.as_ref()),
        o.address.clone(),
        text(o.phone.as_ref()),
        text(o.email.as_ref()),
        o.state.as_str().to_owned(),
        text(o.registration_number.as_ref()),
        text(o.registration_date),
        text(o.submitted_on),
        text(o.verification_due),
        o.verification_overdue.to_string(),
        text(o.revision_due),
        text(o.board_term_ends_on),
        o.board_complete.to_string(),
        o.missing_documents.join(";"),
        text(org.ahu_number.as_ref()),
        text(org.ahu_date),
        text(org.skt_number.as_ref()),
        text(org.skt_issued_on),
        text(org.skt_issuer.as_ref()),
        text(org.skt_expires_on),
        text(org.npwp.as_ref()),
        text(org.founded_on),
        text(org.special_character.as_ref()),
        org.tiered.to_string(),
        o.version.to_string(),
        o.created_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        o.updated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    ]
}

/// One batch of the register, as items of `GET /v1/ormas` in `format`: read here, serialized by
/// [`ReadRows::serialize`].
fn ormas_batch(
    state: &web::Data<AppState>,
    conn: &mut AnyConnection,
    filter: &RegistrationFilter,
    after: Option<(String, String)>,
    format: ExportFormat,
) -> Result<ReadRows, ApiError> {
    let rows = exports::batch(conn, filter, after)?;
    let ids: Vec<String> = rows.iter().map(|(r, _)| r.id.clone()).collect();
    let mut facts = completeness(conn, &ids, &state.config.required_documents)?;
    let next = next_key(&rows, |(r, _)| (r.region_code.clone(), r.id.clone()));
    let state = state.clone();
    Ok(ReadRows::new(next, move || {
        let today = state.config.today();
        let mut writer = (format == ExportFormat::Csv).then(csv_writer);
        // The CSV writer has its own buffer; an NDJSON line is about 1.2 KB.
        let mut bytes = Vec::with_capacity(if writer.is_some() {
            0
        } else {
            rows.len() * 1280
        });
        for (reg, org) in &rows {
            let (complete, missing) = facts.remove(&reg.id).unwrap_or_default();
            let current = current_state(&state, reg)?;
            let item = Ormas::build(reg, org, current, today, complete, missing)?;
            match writer.as_mut() {
                Some(writer) => writer
                    .write_record(csv_row(&item))
                    .map_err(ApiError::internal)?,
                None => {
                    serde_json::to_writer(&mut bytes, &item).map_err(ApiError::internal)?;
                    bytes.push(b'\n');
                }
            }
        }
        if let Some(writer) = writer {
            bytes = writer.into_inner().map_err(ApiError::internal)?;
        }
        Ok((bytes, rows.len()))
    }))
}

/// Export the register.
#[utoipa::path(
    tag = "exports",
    operation_id = "exportOrmas",
    summary = "Export the register",
    description = "Every registration in the caller's region subtree (or the `region` asked for within \
it), in the order of `GET /v1/ormas`, streamed: `ndjson` gives one item of `GET /v1/ormas` per line \
(the same JSON), then a last line `{\"_type\":\"end\",\"feed_position\":N,\"count\":C}`; a failure after \
the stream started ends it with a line `{\"_type\":\"error\",…}` (a problem document) instead. `csv` \
gives a header line and one line per registration (columns: the main fields, lists joined with `;`); \
a failure after the stream started aborts the response, so a CSV without a complete last line is \
incomplete. The header `X-Feed-Position` (and the NDJSON end line) is the position of the changes \
feed read before the first row: follow `GET /v1/changes?after=` it to miss nothing (events \
committed while the export was read may be seen twice: apply them idempotently by position). \
Roles: staff and integrators within their region; not representatives.",
    params(ExportQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The export, streamed.",
            content(
                (String = "application/x-ndjson"),
                (String = "text/csv"),
            ),
            headers(("X-Feed-Position" = i64, description = "The changes feed's position read before the first row."))),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The caller may not export, or the region is outside its scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/exports/ormas")]
pub async fn export_ormas(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<ExportQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ExportRegister)?;
    let query = query.0;
    let region = scoped_region(&principal, query.region)?;
    let format = query.format.unwrap_or_default();
    let filter = RegistrationFilter {
        region,
        only_ids: None,
        state: query.state.map(state_filter),
        kind: None,
        field: None,
        q: None,
        skt_expiring_before: None,
        verification_overdue: false,
        board_term_ended: false,
        secretariat_not_found: false,
        activity: None,
        report_overdue: false,
        policy: state.config.reporting,
        today: state.config.today(),
        after: None,
        limit: exports::BATCH,
    };
    let app = state.clone();
    let read: ReadBatch =
        Arc::new(move |conn, after| ormas_batch(&app, conn, &filter, after, format));
    let (position, mut first) = first_batch(&state, read.clone()).await?;
    let mut response = HttpResponse::Ok();
    response
        .insert_header((FEED_POSITION, position.head))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    let ending = match format {
        ExportFormat::Ndjson => {
            response.content_type(NDJSON);
            Ending::Ndjson {
                feed_position: position.head,
            }
        }
        ExportFormat::Csv => {
            response.content_type(CSV).insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ormas.csv\"",
            ));
            let mut bytes = csv_header(ORMAS_COLUMNS)?;
            bytes.append(&mut first.bytes);
            first.bytes = bytes;
            Ending::Csv
        }
    };
    Ok(response.streaming(stream(state, first, read, ending)))
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export_ormas);
}
