//! Creating, reading, listing and editing attribute permit requests, and their history.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use ormas_domain::permits::PermitState;
use ormas_domain::{Action, Role};
use ormas_persistence::audit as audit_log;
use ormas_persistence::in_write_transaction;
use ormas_persistence::permits::{self, PermitQueueFilter, PermitRow};
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::dto::{
    AttributePermit, AttributePermitEvent, AttributePermitHistory, AttributePermitPage,
    CreatePermit, PermitItemInput, StoredItem, UpdatePermit, event_row, stored_items,
};
use super::load_visible_permit;
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, Text};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::dto::validate_region_code;
use crate::routes::ormas::list::scoped_region;
use crate::routes::ormas::load_visible;
use crate::routes::paging;
use crate::routes::services::{base_refusals, require_eligible};
use crate::routes::{
    IfNoneMatch, RequiredIfMatch, represent, represent_get, require_matching_version,
};
use crate::state::AppState;

fn to_stored(items: Vec<PermitItemInput>, previous: &[StoredItem]) -> Vec<StoredItem> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| StoredItem {
            kind: item.kind,
            description: item.description.trim().to_owned(),
            colours: item
                .colours
                .into_iter()
                .map(|c| c.trim().to_owned())
                .collect(),
            quantity: item.quantity,
            design: previous.get(i).and_then(|p| p.design.clone()),
        })
        .collect()
}

/// Filters of the office's queue.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PermitQueueQuery {
    /// Only this region's subtree (within the caller's scope; default: the caller's region).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    #[param(inline)]
    pub state: Option<PermitState>,
    /// `true`: waiting for the office past the answer deadline; `false`: the others.
    pub overdue: Option<bool>,
    /// Only this registration's requests.
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub registration_id: Option<String>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}

/// The office's queue of attribute permit requests.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "listAttributePermits",
    summary = "The attribute permit queue",
    description = "Requests in the caller's region subtree, ordered by region then id, filtered by \
state, registration and `overdue` (waiting for the office past `answer_due_on`). Roles: staff and \
integrators within their region; a representative sees only its own ormas's.",
    params(PermitQueueQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page.", body = AttributePermitPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/attribute-permits")]
pub async fn list_permits(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<PermitQueueQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadAttributePermits)?;
    let query = query.0;
    let (region, registration_id) = if principal.role == Role::OrmasRep {
        let own = principal.ormas_id.clone();
        let only = match query.registration_id {
            Some(asked) if Some(&asked) != own.as_ref() => None,
            _ => own,
        };
        (None, Some(only))
    } else {
        (
            scoped_region(&principal, query.region)?,
            query.registration_id.map(Some),
        )
    };
    let page_size = query.page_size.unwrap_or(50);
    let after = query
        .page_token
        .as_deref()
        .map(paging::decode_pair)
        .transpose()?;
    let today = state.config.today();
    let filter = PermitQueueFilter {
        region,
        registration_id,
        state: query.state.map(|s| s.as_str().to_owned()),
        overdue: query.overdue,
        today,
        after,
        limit: page_size + 1,
    };
    let rows = state
        .db(move |conn| permits::list_permits(conn, &filter))
        .await?;
    let (rows, next) = paging::split(rows, page_size, |(p, _, _)| {
        paging::pair(&p.region_code, &p.id)
    });
    let items = rows
        .iter()
        .map(|(row, _, org)| AttributePermit::build(row, org, today))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(AttributePermitPage {
        items,
        next_page_token: next,
    }))
}

/// Start a request.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "createAttributePermit",
    summary = "Start an attribute permit request",
    description = "Creates a draft request of an ormas to order attributes (uniforms, flags, \
banners, emblems, badges): the items, the vendor and the purpose or event. The ormas must be \
eligible for services (registered, not under sanction, not dissolved, its legal basis valid): \
409 `not_eligible` otherwise, one entry per unmet condition (`sanctioned`, …). Roles: `ormas_rep` \
(its own ormas), `officer` (on its behalf, within its region).",
    request_body(content = CreatePermit, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The new draft.", body = AttributePermit, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not write attribute permit requests.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_eligible`: the ormas may not use services, naming every unmet condition.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/attribute-permits")]
pub async fn create_permit(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<CreatePermit>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::WriteAttributePermit)?;
    let request = body.0;
    let (reg, org) = load_visible(&state, &principal, request.registration_id.clone()).await?;
    require_eligible("registration_id", &base_refusals(&state, &reg, &org)?)?;
    let at = now_utc();
    let items = to_stored(request.items, &[]);
    let row = PermitRow {
        id: uuid::Uuid::now_v7().to_string(),
        registration_id: reg.id.clone(),
        region_code: reg.region_code.clone(),
        state: PermitState::Draft.as_str().to_owned(),
        purpose: request.purpose.trim().to_owned(),
        event_name: request.event_name.map(|n| n.trim().to_owned()),
        event_date: request.event_date,
        vendor_name: request.vendor.name.trim().to_owned(),
        vendor_address: request.vendor.address.trim().to_owned(),
        items: serde_json::to_string(&items).map_err(ApiError::internal)?,
        checklist: None,
        first_submitted_on: None,
        submitted_on: None,
        answer_due_on: None,
        reviewed_on: None,
        reviewed_by: None,
        decided_on: None,
        decided_by: None,
        permit_number: None,
        valid_from: None,
        valid_until: None,
        return_notes: None,
        refusal_ground: None,
        refused_items: None,
        created_by: Some(principal.id.clone()),
        created_at: at,
        updated_at: at,
        version: 1,
    };
    let trail = audit::on(
        audit::event(
            Some(&principal),
            "attribute_permit.create",
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
        "attribute_permit.create",
        None,
        Some(PermitState::Draft),
        None,
    );
    let stored = row.clone();
    state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                permits::insert_permit(conn, &stored)?;
                permits::insert_event(conn, &history)?;
                audit_log::record(conn, &trail)
            })
        })
        .await?;
    let view = AttributePermit::build(&row, &org, state.config.today())?;
    represent(StatusCode::CREATED, &view)
}

/// Get a request.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "getAttributePermit",
    summary = "Get an attribute permit request",
    description = "One request with its items, designs, checklist, deadline and the steps its \
state allows. Roles: staff and integrators within their region; a representative, its own ormas's.",
    params(("id" = String, Path, description = "The request's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The request.", body = AttributePermit, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such request in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/attribute-permits/{id}")]
pub async fn get_permit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (row, _, org) = load_visible_permit(&state, &principal, path.into_inner()).await?;
    let view = AttributePermit::build(&row, &org, state.config.today())?;
    represent_get(&req, &view)
}

/// 409 unless the request may be edited.
pub fn require_editable(row: &PermitRow) -> Result<PermitState, ApiError> {
    let current = row.state()?;
    if current.editable() {
        Ok(current)
    } else {
        Err(ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
            format!(
                "Permohonan berstatus {current} tidak dapat diubah; hanya draft atau returned."
            ),
            format!("A request in state {current} cannot be changed; only draft or returned."),
        )))
    }
}

/// Edit a request.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "updateAttributePermit",
    summary = "Edit a draft or returned request",
    description = "Replaces the parts given while the request is a draft or returned; `If-Match` \
guards against lost updates. Replacing the items keeps each design with its item number and \
clears the checklist. Roles: `ormas_rep` (its own ormas), `officer` (within its region).",
    params(("id" = String, Path, description = "The request's id."), RequiredIfMatch),
    request_body(content = UpdatePermit, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The request as changed.", body = AttributePermit, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not write attribute permit requests.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The request is no longer a draft or returned, or changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[patch("/v1/attribute-permits/{id}")]
pub async fn update_permit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<UpdatePermit>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::WriteAttributePermit)?;
    let (row, _, org) = load_visible_permit(&state, &principal, path.into_inner()).await?;
    require_matching_version(&req, row.version)?;
    let current = require_editable(&row)?;
    let request = body.0;
    let mut updated = PermitRow {
        version: row.version + 1,
        updated_at: now_utc(),
        ..row.clone()
    };
    if let Some(purpose) = request.purpose {
        updated.purpose = purpose.trim().to_owned();
    }
    if let Some(name) = request.event_name {
        updated.event_name = Some(name.trim().to_owned());
    }
    if let Some(date) = request.event_date {
        updated.event_date = Some(date);
    }
    if let Some(vendor) = request.vendor {
        updated.vendor_name = vendor.name.trim().to_owned();
        updated.vendor_address = vendor.address.trim().to_owned();
    }
    if let Some(items) = request.items {
        let previous = stored_items(&row)?;
        updated.items =
            serde_json::to_string(&to_stored(items, &previous)).map_err(ApiError::internal)?;
        updated.checklist = None;
    }
    let trail = audit::on(
        audit::event(
            Some(&principal),
            "attribute_permit.update",
            Outcome::Success,
        ),
        "attribute_permit",
        &row.id,
        Some(&row.region_code),
    );
    let history = event_row(
        &row.id,
        Some(&principal.id),
        updated.updated_at,
        "attribute_permit.update",
        Some(current),
        Some(current),
        None,
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

/// A request's history.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "getAttributePermitHistory",
    summary = "The history of an attribute permit request",
    description = "Every write to the request, oldest first: who, when, what, from and to which \
state, the note. Roles: staff and integrators within their region; a representative, its own \
ormas's.",
    params(("id" = String, Path, description = "The request's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The history.", body = AttributePermitHistory),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such request in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/attribute-permits/{id}/history")]
pub async fn permit_history(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (row, _, _) = load_visible_permit(&state, &principal, path.into_inner()).await?;
    let rows = state
        .db(move |conn| permits::events_of(conn, &row.id))
        .await?;
    Ok(HttpResponse::Ok().json(AttributePermitHistory {
        items: rows.into_iter().map(AttributePermitEvent::build).collect(),
    }))
}
