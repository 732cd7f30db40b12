//! Open data: the public register as one CSV file, streamed like the staff export, and its
//! Frictionless Data Package descriptor. Both are anonymous and cacheable: their `ETag` and
//! `Last-Modified` come from a cheap fingerprint (the feed's head, how many ormas are in the
//! register, their latest update, and today's date, on which suspensions end), so a conditional
//! request is answered 304 after three aggregate queries, without reading the register.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::http::header::{self, HttpDate};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, get, web};
use chrono::NaiveDate;
use ormas_persistence::exports::{self, PublicFingerprint};
use ormas_persistence::register::{RegistrationFilter, StateFilter};
use ormas_persistence::{AnyConnection, sanctions};
use serde_json::json;
use sha2::{Digest, Sha256};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::routes::exports::{
    CSV, Ending, FEED_POSITION, ReadBatch, ReadRows, csv_header, csv_writer, first_batch, next_key,
    stream,
};
use crate::routes::public::PublicOrmas;
use crate::routes::representation::none_match;
use crate::state::AppState;

/// The public CSV's columns, with their Table Schema type and description (the descriptor's
/// `schema.fields`, in the CSV's order): the fields of `GET /v1/public/ormas`, no personal data.
pub const PUBLIC_COLUMNS: &[(&str, &str, &str)] = &[
    (
        "id",
        "string",
        "The registration's id (as in /v1/public/ormas/{id}).",
    ),
    ("name", "string", "The national organisation's name."),
    (
        "branch_name",
        "string",
        "The regional board's own name (nama kepengurusan daerah), when it differs.",
    ),
    ("abbreviation", "string", "The organisation's abbreviation."),
    (
        "kind",
        "string",
        "perkumpulan, yayasan or tidak_berbadan_hukum (see /v1/reference).",
    ),
    (
        "fields",
        "string",
        "Field codes (bidang), joined with ';' (see /v1/reference/fields).",
    ),
    (
        "region_code",
        "string",
        "The kabupaten/kota (or province) where it is registered (Kemendagri code).",
    ),
    (
        "registration_number",
        "string",
        "The Buku Induk number on the registration letter (SKM).",
    ),
    ("registration_date", "date", "The day it was registered."),
    ("ahu_number", "string", "For badan hukum: the AHU decree."),
    ("ahu_date", "date", "The AHU decree's date."),
    (
        "skt_number",
        "string",
        "For organisations without legal personality: the SKT.",
    ),
    ("skt_expires_on", "date", "The SKT's last day."),
    ("npwp", "string", "The organisation's tax number (digits)."),
    ("state", "string", "registered, suspended or revoked."),
    (
        "sanction_decree_number",
        "string",
        "The decree of the suspension or revocation in force; empty otherwise.",
    ),
];

const CACHE_CONTROL: &str = "public, max-age=300";

fn text<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn public_row(o: &PublicOrmas) -> Vec<String> {
    vec![
        o.id.clone(),
        o.name.clone(),
        text(o.branch_name.as_ref()),
        text(o.abbreviation.as_ref()),
        o.kind.as_str().to_owned(),
        o.fields.join(";"),
        o.region_code.clone(),
        o.registration_number.clone(),
        o.registration_date.to_string(),
        text(o.ahu_number.as_ref()),
        text(o.ahu_date),
        text(o.skt_number.as_ref()),
        text(o.skt_expires_on),
        text(o.npwp.as_ref()),
        o.state.as_str().to_owned(),
        text(o.sanction_decree_number.as_ref()),
    ]
}

fn public_batch(
    conn: &mut AnyConnection,
    filter: &RegistrationFilter,
    after: Option<(String, String)>,
    today: NaiveDate,
) -> Result<ReadRows, ApiError> {
    let rows = exports::batch(conn, filter, after)?;
    let ids: Vec<String> = rows.iter().map(|(r, _)| r.id.clone()).collect();
    let decrees = sanctions::decrees_in_force_of(conn, &ids)?;
    let next = next_key(&rows, |(r, _)| (r.region_code.clone(), r.id.clone()));
    Ok(ReadRows::new(next, move || {
        let mut writer = csv_writer();
        let mut written = 0;
        for (reg, org) in rows {
            if let Some(item) = PublicOrmas::build(reg, org, today, &decrees) {
                writer
                    .write_record(public_row(&item))
                    .map_err(ApiError::internal)?;
                written += 1;
            }
        }
        Ok((writer.into_inner().map_err(ApiError::internal)?, written))
    }))
}

/// The validators of an open-data answer.
struct Validators {
    etag: String,
    last_modified: SystemTime,
}

impl Validators {
    fn of(fingerprint: &PublicFingerprint, today: NaiveDate, what: &str) -> Validators {
        let digest = Sha256::digest(format!(
            "{what}|{}|{}|{:?}|{today}",
            fingerprint.feed_head, fingerprint.in_register, fingerprint.last_modified
        ));
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let seconds = fingerprint
            .last_modified
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0);
        Validators {
            etag: format!("\"{}-{hex}\"", fingerprint.feed_head),
            last_modified: UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap_or(0)),
        }
    }

    /// 304 when `If-None-Match` names the current tag; without `If-None-Match`, when
    /// `If-Modified-Since` is not before `Last-Modified` (RFC 9110 §13.2.2).
    fn not_modified(&self, req: &HttpRequest) -> bool {
        if req.headers().contains_key(header::IF_NONE_MATCH) {
            return !none_match(req, &self.etag);
        }
        let since = req
            .headers()
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<HttpDate>().ok())
            .map(SystemTime::from);
        since.is_some_and(|since| self.last_modified <= since)
    }

    fn apply(&self, response: &mut HttpResponseBuilder) {
        response
            .insert_header((header::ETAG, self.etag.clone()))
            .insert_header((header::LAST_MODIFIED, HttpDate::from(self.last_modified)))
            .insert_header((header::CACHE_CONTROL, CACHE_CONTROL));
    }

    fn answer(&self, req: &HttpRequest) -> Option<HttpResponse> {
        self.not_modified(req).then(|| {
            let mut response = HttpResponse::NotModified();
            self.apply(&mut response);
            response.finish()
        })
    }
}

async fn validators(
    state: &AppState,
    what: &str,
) -> Result<(PublicFingerprint, Validators), ApiError> {
    let fingerprint = state.db(exports::public_fingerprint).await?;
    let validators = Validators::of(&fingerprint, state.config.today(), what);
    Ok((fingerprint, validators))
}

/// The public register as CSV.
#[utoipa::path(
    tag = "public",
    operation_id = "exportPublicRegister",
    summary = "The public register as CSV (open data)",
    description = "Every ormas in the public register (registered, suspended or revoked), with the \
fields of `GET /v1/public/ormas` and never personal data, as one CSV file (header line; lists \
joined with `;`), streamed; described by `GET /v1/public/exports/datapackage.json`. Cacheable: \
`ETag` and `Last-Modified`, 304 on `If-None-Match` or `If-Modified-Since`. A failure after the \
stream started aborts the response. Needs no authentication.",
    params(
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of the copy held: 304 while it is current."),
        ("If-Modified-Since" = Option<String>, Header, description = "304 unless changed since (ignored with `If-None-Match`)."),
    ),
    security(()),
    responses(
        (status = 200, description = "The register, streamed.", body = String, content_type = "text/csv",
            headers(
                ("ETag" = String, description = "Changes whenever the register does."),
                ("Last-Modified" = String, description = "The latest change of an ormas in it."),
                ("Cache-Control" = String, description = "`public, max-age=300`."),
                ("X-Feed-Position" = i64, description = "The changes feed's position read before the first row."),
            )),
        (status = 304, description = "The copy held is current.",
            headers(("ETag" = String, description = "The current tag."))),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/public/exports/ormas.csv")]
pub async fn public_csv(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (_, validators) = validators(&state, "csv").await?;
    if let Some(response) = validators.answer(&req) {
        return Ok(response);
    }
    let today = state.config.today();
    let filter = RegistrationFilter {
        region: None,
        only_ids: None,
        state: Some(StateFilter::InRegister),
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
        today,
        after: None,
        limit: exports::BATCH,
    };
    let read: ReadBatch = Arc::new(move |conn, after| public_batch(conn, &filter, after, today));
    let (position, mut first) = first_batch(&state, read.clone()).await?;
    let mut bytes = csv_header(&public_column_names())?;
    bytes.append(&mut first.bytes);
    first.bytes = bytes;
    let mut response = HttpResponse::Ok();
    validators.apply(&mut response);
    response
        .content_type(CSV)
        .insert_header((FEED_POSITION, position.head))
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"ormas.csv\"",
        ));
    Ok(response.streaming(stream(state, first, read, Ending::Csv)))
}

fn public_column_names() -> Vec<&'static str> {
    PUBLIC_COLUMNS.iter().map(|(name, _, _)| *name).collect()
}

/// The open data's descriptor.
#[utoipa::path(
    tag = "public",
    operation_id = "getPublicDataPackage",
    summary = "The open data's Data Package descriptor",
    description = "A Frictionless Data Package (`tabular-data-package`) describing \
`GET /v1/public/exports/ormas.csv`: its licence, sources, and the CSV's schema (one field per \
column, in order). Cacheable like the CSV. Needs no authentication.",
    params(
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of the copy held: 304 while it is current."),
        ("If-Modified-Since" = Option<String>, Header, description = "304 unless changed since (ignored with `If-None-Match`)."),
    ),
    security(()),
    responses(
        (status = 200, description = "The descriptor.", body = Object, content_type = "application/json",
            headers(
                ("ETag" = String, description = "Changes whenever the register does."),
                ("Last-Modified" = String, description = "The latest change of an ormas in the register."),
                ("Cache-Control" = String, description = "`public, max-age=300`."),
            )),
        (status = 304, description = "The copy held is current.",
            headers(("ETag" = String, description = "The current tag."))),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/public/exports/datapackage.json")]
pub async fn datapackage(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let info = req.connection_info().clone();
    let base = format!("{}://{}", info.scheme(), info.host());
    let (fingerprint, validators) = validators(&state, &format!("datapackage|{base}")).await?;
    if let Some(response) = validators.answer(&req) {
        return Ok(response);
    }
    let last_modified = fingerprint.last_modified.map(|t| {
        t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    });
    let fields: Vec<_> = PUBLIC_COLUMNS
        .iter()
        .map(|(name, kind, description)| {
            json!({"name": name, "type": kind, "description": description})
        })
        .collect();
    let descriptor = json!({
        "profile": "tabular-data-package",
        "name": "ormas-register",
        "title": "Public register of mass organisations (ormas)",
        "description": "The ormas registered with the regional offices (registered, suspended or revoked), \
    with their legal identity and registration number; no personal data.",
        "homepage": format!("{base}/v1/public/ormas"),
        "licenses": [{
            "name": "ODbL-1.0",
            "title": "Open Data Commons Open Database License 1.0",
            "path": "https://opendatacommons.org/licenses/odbl/1-0/"
        }],
        "sources": [
            {"title": "The ormas register of the regional offices", "path": format!("{base}/v1/public/ormas")},
            {"title": "Region codes: idn-area-data by fityannugroho, ODbL", "path": "https://github.com/fityannugroho/idn-area-data"}
        ],
        "last_modified": last_modified,
        "resources": [{
            "name": "ormas",
            "profile": "tabular-data-resource",
            "path": format!("{base}/v1/public/exports/ormas.csv"),
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": true},
            "last_modified": last_modified,
            "schema": {"fields": fields, "primaryKey": ["id"]}
        }]
    });
    let mut response = HttpResponse::Ok();
    validators.apply(&mut response);
    Ok(response
        .content_type("application/json")
        .body(descriptor.to_string()))
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(public_csv).service(datapackage);
}
