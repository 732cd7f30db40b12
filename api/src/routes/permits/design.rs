//! The design file of a request's item: PDF, JPEG or PNG checked by its bytes, stored like the
//! register's documents (by SHA-256 under the data directory).

use std::path::PathBuf;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use ormas_domain::Action;
use ormas_persistence::audit as audit_log;
use ormas_persistence::in_write_transaction;
use ormas_persistence::permits::{self, PermitRow};

use super::crud::require_editable;
use super::dto::{AttributePermit, DesignFile, event_row, stored_items};
use super::load_visible_permit;
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, Text};
use crate::routes::dto::utc;
use crate::routes::ormas::documents::{file_response, receive_only_file, stored_path};
use crate::routes::{IfMatch, IfNoneMatch, represent, require_current_version};
use crate::state::AppState;

fn designs_dir(state: &AppState) -> PathBuf {
    state.config.data_dir.join("attribute_designs")
}

fn no_item(number: usize) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Permohonan ini tidak memiliki butir {number}."),
        format!("The request has no item {number}."),
    ))
}

/// The multipart form of a design upload (for the contract; the handler reads the stream).
#[derive(Debug, utoipa::ToSchema)]
#[allow(dead_code)]
pub struct DesignUpload {
    /// PDF, JPEG or PNG.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Upload an item's design.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "putAttributePermitDesign",
    summary = "Upload the design of an item",
    description = "Stores the design of item `number` (1-based) of a draft or returned request, \
replacing any earlier one: a PDF, JPEG or PNG judged by its bytes (415 otherwise), at most \
`ORMAS_DOCUMENT_LIMIT` bytes (413). Every item needs its design before submission. Roles: \
`ormas_rep` (its own ormas), `officer` (within its region).",
    params(
        ("id" = String, Path, description = "The request's id."),
        ("number" = usize, Path, description = "The item's number, from 1.", minimum = 1),
        IfMatch,
    ),
    request_body(content = DesignUpload, content_type = "multipart/form-data"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The request with the design.", body = AttributePermit, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The form is malformed, or `If-Match` is.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not write attribute permit requests.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request in the caller's scope, or no such item.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request is no longer a draft or returned, or changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, description = "Not multipart, or the file is no PDF, JPEG or PNG.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The field `file` is missing.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[put("/v1/attribute-permits/{id}/items/{number}/design")]
pub async fn put_design(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, usize)>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::WriteAttributePermit)?;
    let (id, number) = path.into_inner();
    let (row, _, org) = load_visible_permit(&state, &principal, id).await?;
    require_current_version(&req, row.version)?;
    let current = require_editable(&row)?;
    let mut items = stored_items(&row)?;
    if number == 0 || number > items.len() {
        return Err(no_item(number));
    }
    let file = receive_only_file(&state, &req, payload, designs_dir(&state)).await?;
    let at = now_utc();
    items[number - 1].design = Some(DesignFile {
        filename: file.filename,
        content_type: file.content_type.to_owned(),
        size_bytes: i64::try_from(file.size).unwrap_or(i64::MAX),
        sha256: file.sha256,
        uploaded_at: utc(at),
    });
    let updated = PermitRow {
        items: serde_json::to_string(&items).map_err(ApiError::internal)?,
        version: row.version + 1,
        updated_at: at,
        ..row.clone()
    };
    let trail = audit::on(
        audit::event(
            Some(&principal),
            "attribute_permit.design",
            Outcome::Success,
        ),
        "attribute_permit",
        &row.id,
        Some(&row.region_code),
    );
    let history = event_row(
        &row.id,
        Some(&principal.id),
        at,
        "attribute_permit.design",
        Some(current),
        Some(current),
        Some(format!("item {number}")),
    );
    let (stored, expected) = (updated.clone(), row.version);
    state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                permits::update_permit(conn, &stored, expected)?;
                permits::insert_event(conn, &history)?;
                audit_log::record(conn, &trail)
            })
        })
        .await?;
    let view = AttributePermit::build(&updated, &org, state.config.today())?;
    represent(StatusCode::OK, &view)
}

/// Download an item's design.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "getAttributePermitDesign",
    summary = "Download the design of an item",
    description = "The file itself, with its checked content type. Roles: staff and integrators \
within their region; a representative, its own ormas's.",
    params(
        ("id" = String, Path, description = "The request's id."),
        ("number" = usize, Path, description = "The item's number, from 1.", minimum = 1),
        IfNoneMatch,
    ),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The file, as an attachment with its checked type.", content(
            (ormas_openapi::File = "application/pdf"), (ormas_openapi::File = "image/jpeg"),
            (ormas_openapi::File = "image/png")),
            headers(("ETag" = String, description = "A digest of the file, its type and its name."))),
        (status = 304, response = ormas_openapi::responses::FileNotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such request in the caller's scope, no such item, or no design yet.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/attribute-permits/{id}/items/{number}/design")]
pub async fn get_design(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, usize)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (id, number) = path.into_inner();
    let (row, _, _) = load_visible_permit(&state, &principal, id).await?;
    let items = stored_items(&row)?;
    let design = number
        .checked_sub(1)
        .and_then(|i| items.get(i))
        .and_then(|item| item.design.clone())
        .ok_or_else(|| no_item(number))?;
    let path = stored_path(&designs_dir(&state), &design.sha256);
    file_response(
        &req,
        path,
        &design.sha256,
        &design.content_type,
        &design.filename,
    )
    .await
}
