//! Creating, listing, reading and editing grant proposals, and their history.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::Datelike;
use ormas_domain::grants::{GrantState, GrantStatus, fiscal_year_open, lpj_due_on};
use ormas_domain::{Action, Role};
use ormas_persistence::audit as audit_log;
use ormas_persistence::grants::{self, GrantFilter, GrantRow};
use ormas_persistence::in_write_transaction;
use ormas_persistence::register;
use serde::Deserialize;
use utoipa::IntoParams;
use validator::Validate;

use super::dto::{
    CreateGrantProposal, GrantEvent, GrantHistory, GrantProposal, GrantProposalPage,
    UpdateGrantProposal,
};
use super::{
    bank_issues, budget_issues, event, load_visible_grant, refusals_in, unknown_documents,
};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::dto::validate_region_code;
use crate::routes::ormas::load_visible;
use crate::routes::services::{base_refusals, require_eligible};
use crate::routes::{
    IfNoneMatch, RequiredIfMatch, paging, represent, represent_get, require_matching_version,
};
use crate::state::AppState;

/// Create a grant proposal.
#[utoipa::path(
    tag = "grants",
    operation_id = "createGrantProposal",
    summary = "Start a grant proposal",
    description = "Creates the draft proposal of an ormas for a fiscal year (this year or one of the next two). \
The ormas must be eligible (Permendagri 32/2011 as amended): registered and not under sanction, a badan \
hukum (`perkumpulan`/`yayasan`) with its AHU decree, registered in the office's region with a local board and \
a domicile letter on file, a legal entity for the region's minimum (`ORMAS_GRANT_MIN_LEGAL_ENTITY_YEARS`), no \
overdue LPJ of an earlier grant and no other open proposal for the fiscal year; otherwise 409 `not_eligible` \
naming every unmet condition in `errors` (`code` = `not_badan_hukum`, `sanctioned`, `lpj_overdue`, …). The budget \
lines must add up to the requested amount exactly (422 on `budget_lines`) and the account be in the ormas's name. \
Roles: `ormas_rep` (its own ormas), `officer` (within its region).",
    request_body(content = CreateGrantProposal, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The new draft.", body = GrantProposal, headers(("ETag" = String, description = "Its version; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not write grant proposals.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_eligible`: every unmet condition in `errors`.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid: the budget does not add up, the account is not the ormas's, a document is unknown, the fiscal year is closed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/grant-proposals")]
pub async fn create_grant(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<CreateGrantProposal>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::WriteGrantProposal)?;
    let request = body.0;
    let (reg, org) = load_visible(&state, &principal, request.registration_id.clone()).await?;
    let today = state.config.today();
    let policy = state.config.grants;
    let office_region = request
        .region_code
        .clone()
        .unwrap_or_else(|| reg.region_code.clone());
    if principal.role != Role::OrmasRep && !principal.covers(Some(&office_region)) {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "region_code",
            "outside_scope",
            Text::new("wilayah di luar kewenangan Anda", "lies outside your scope"),
        )]));
    }
    let mut issues = Vec::new();
    if !fiscal_year_open(request.fiscal_year, today) {
        issues.push(FieldIssue::new(
            "fiscal_year",
            "fiscal_year_closed",
            Text::new(
                format!(
                    "tahun anggaran harus {} sampai {}",
                    today.year(),
                    today.year() + 2
                ),
                format!("must be {} to {}", today.year(), today.year() + 2),
            ),
        ));
    }
    issues.extend(budget_issues(
        request.requested_amount,
        &request.budget_lines,
    ));
    issues.extend(bank_issues(&request.bank_account, &org));
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let base = base_refusals(&state, &reg, &org)?;
    let at = now_utc();
    let row = GrantRow {
        id: uuid::Uuid::now_v7().to_string(),
        registration_id: reg.id.clone(),
        region_code: reg.region_code.clone(),
        fiscal_year: request.fiscal_year,
        state: GrantState::Draft.as_str().to_owned(),
        title: request.title.trim().to_owned(),
        purpose: request.purpose.trim().to_owned(),
        requested_amount: request.requested_amount,
        budget_lines: serde_json::to_string(&request.budget_lines).map_err(ApiError::internal)?,
        bank_account: serde_json::to_string(&request.bank_account).map_err(ApiError::internal)?,
        document_ids: serde_json::to_string(&request.document_ids).map_err(ApiError::internal)?,
        submitted_on: None,
        reason: None,
        recommended_amount: None,
        verification: None,
        decree_number: None,
        decree_date: None,
        approved_amount: None,
        agreement_number: None,
        agreement_date: None,
        disbursed_on: None,
        disbursed_amount: None,
        lpj_due_on: lpj_due_on(request.fiscal_year, policy.lpj_due),
        lpj_spent_amount: None,
        lpj_returned_amount: None,
        lpj: None,
        lpj_submitted_on: None,
        lpj_accepted_on: None,
        created_by: Some(principal.id.clone()),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let trail = audit::on(
        audit::event(Some(&principal), "grant_proposal.create", Outcome::Success),
        "grant_proposal",
        &row.id,
        Some(&row.region_code),
    );
    let history = event(&principal, &row.id, "create", None, Some("draft"), None);
    let stored = row.clone();
    let (reg2, org2) = (reg.clone(), org.clone());
    let document_ids = request.document_ids.clone();
    let outcome = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let refusals = refusals_in(
                    conn,
                    base,
                    &reg2,
                    &org2,
                    &office_region,
                    stored.fiscal_year,
                    None,
                    policy,
                    today,
                )?;
                if !refusals.is_empty() {
                    return Ok(Err(Err(refusals)));
                }
                let documents = register::list_documents(conn, &reg2.id)?;
                let unknown = unknown_documents("document_ids", &document_ids, &documents);
                if !unknown.is_empty() {
                    return Ok(Err(Ok(unknown)));
                }
                grants::insert_grant(conn, &stored)?;
                grants::insert_grant_event(conn, &history)?;
                audit_log::record(conn, &trail)?;
                Ok(Ok(()))
            })
        })
        .await?;
    match outcome {
        Ok(()) => {}
        Err(Err(refusals)) => require_eligible("registration_id", &refusals)?,
        Err(Ok(issues)) => return Err(ApiError::validation(issues)),
    }
    represent(
        StatusCode::CREATED,
        &GrantProposal::build(&row, &org, today)?,
    )
}

/// Filters of the grant list.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantQuery {
    /// Only this region's subtree (within the caller's scope; default: the caller's region).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub fiscal_year: Option<i32>,
    /// A state as read today (`lpj_overdue` included; `disbursed` then means not overdue).
    #[param(inline)]
    pub state: Option<GrantStatus>,
    /// `true`: the LPJ is overdue today; `false`: it is not.
    pub lpj_overdue: Option<bool>,
    /// Only this registration's proposals.
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

/// List grant proposals.
#[utoipa::path(
    tag = "grants",
    operation_id = "listGrantProposals",
    summary = "List grant proposals",
    description = "Proposals in the caller's region subtree, ordered by region then id, filtered by fiscal \
year, state (as read today, `lpj_overdue` included), overdue LPJ and registration. Roles: staff and integrators \
within their region; a representative sees only its own ormas's.",
    params(GrantQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page.", body = GrantProposalPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/grant-proposals")]
pub async fn list_grants(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<GrantQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadGrants)?;
    let query = query.0;
    let region = match query.region.clone() {
        Some(region) if principal.role == Role::OrmasRep || principal.covers(Some(&region)) => {
            Some(region)
        }
        Some(_) => {
            return Err(ApiError::forbidden(Text::new(
                "Wilayah itu berada di luar wilayah kewenangan Anda.",
                "That region lies outside your scope.",
            )));
        }
        None => principal.region(),
    };
    let registration_id = if principal.role == Role::OrmasRep {
        // A representative's own ormas, whatever it asks.
        match (&query.registration_id, &principal.ormas_id) {
            (Some(asked), Some(own)) if asked != own => Some(None),
            _ => Some(principal.ormas_id.clone()),
        }
    } else {
        query.registration_id.clone().map(Some)
    };
    let (states, overdue_by_state) = match query.state {
        None => (Vec::new(), None),
        Some(GrantStatus::LpjOverdue) => (
            vec![
                "disbursed".to_owned(),
                "accountability_submitted".to_owned(),
            ],
            Some(true),
        ),
        Some(status) => {
            let overdue = matches!(
                status,
                GrantStatus::Disbursed | GrantStatus::AccountabilitySubmitted
            )
            .then_some(false);
            (vec![status.as_str().to_owned()], overdue)
        }
    };
    let lpj_overdue = match (overdue_by_state, query.lpj_overdue) {
        (Some(a), Some(b)) if a != b => {
            return Ok(HttpResponse::Ok().json(GrantProposalPage {
                items: Vec::new(),
                next_page_token: None,
            }));
        }
        (a, b) => a.or(b),
    };
    let page_size = query.page_size.unwrap_or(50);
    let after = query
        .page_token
        .as_deref()
        .map(paging::decode_pair)
        .transpose()?;
    let today = state.config.today();
    let filter = GrantFilter {
        region,
        registration_id,
        fiscal_year: query.fiscal_year,
        states,
        lpj_overdue,
        today: Some(today),
        after,
        limit: page_size + 1,
    };
    let rows = state
        .db(move |conn| grants::list_grants(conn, &filter))
        .await?;
    let (rows, next) = paging::split(rows, page_size, |(g, _, _)| {
        paging::pair(&g.region_code, &g.id)
    });
    let items = rows
        .iter()
        .map(|(g, _, org)| GrantProposal::build(g, org, today))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(GrantProposalPage {
        items,
        next_page_token: next,
    }))
}

/// Get a grant proposal.
#[utoipa::path(
    tag = "grants",
    operation_id = "getGrantProposal",
    summary = "Get a grant proposal",
    description = "One proposal with everything recorded on it, its state as read today (`lpj_overdue` once \
the LPJ's due date has passed without an accepted LPJ) and the steps its state allows. Roles: staff and \
integrators within their region; a representative, its own ormas's.",
    params(("id" = String, Path, description = "The proposal's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The proposal.", body = GrantProposal, headers(("ETag" = String, description = "Its version; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such proposal in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/grant-proposals/{id}")]
pub async fn get_grant(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (row, _, org) = load_visible_grant(&state, &principal, path.into_inner()).await?;
    represent_get(
        &req,
        &GrantProposal::build(&row, &org, state.config.today())?,
    )
}

/// A proposal's history.
#[utoipa::path(
    tag = "grants",
    operation_id = "getGrantProposalHistory",
    summary = "A grant proposal's history",
    description = "Every change and step of a proposal, oldest first: who, when, from and to which state, \
and what the step recorded. Roles: as `GET /v1/grant-proposals/{id}`.",
    params(("id" = String, Path, description = "The proposal's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The history.", body = GrantHistory),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such proposal in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/grant-proposals/{id}/history")]
pub async fn grant_history(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (row, _, _) = load_visible_grant(&state, &principal, path.into_inner()).await?;
    let events = state
        .db(move |conn| grants::grant_events_of(conn, &row.id))
        .await?;
    Ok(HttpResponse::Ok().json(GrantHistory {
        items: events.into_iter().map(GrantEvent::from).collect(),
    }))
}

/// Edit a grant proposal.
#[utoipa::path(
    tag = "grants",
    operation_id = "updateGrantProposal",
    summary = "Edit a draft or returned grant proposal",
    description = "Replaces the fields given while the proposal is a draft or returned; the budget must still \
add up to the requested amount (422 on `budget_lines`). `If-Match` is required. Roles: `ormas_rep` (its own \
ormas), `officer` (within its region).",
    params(("id" = String, Path, description = "The proposal's id."), RequiredIfMatch),
    request_body(content = UpdateGrantProposal, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The proposal as changed.", body = GrantProposal, headers(("ETag" = String, description = "Its version; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not write grant proposals.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such proposal in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The proposal is past draft/returned, or changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[patch("/v1/grant-proposals/{id}")]
pub async fn update_grant(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<UpdateGrantProposal>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::WriteGrantProposal)?;
    let (row, _, org) = load_visible_grant(&state, &principal, path.into_inner()).await?;
    require_matching_version(&req, row.version)?;
    let current = row.state()?;
    if !matches!(current, GrantState::Draft | GrantState::Returned) {
        return Err(ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
            format!("Usulan berstatus {current} tidak dapat diubah; hanya draft atau returned."),
            format!("A proposal in state {current} cannot be changed; only draft or returned."),
        )));
    }
    let request = body.0;
    let mut updated = GrantRow {
        version: row.version + 1,
        updated_at: now_utc(),
        ..row.clone()
    };
    if let Some(title) = request.title {
        updated.title = title.trim().to_owned();
    }
    if let Some(purpose) = request.purpose {
        updated.purpose = purpose.trim().to_owned();
    }
    if let Some(amount) = request.requested_amount {
        updated.requested_amount = amount;
    }
    let lines: Vec<super::dto::BudgetLine> = match request.budget_lines {
        Some(lines) => lines,
        None => serde_json::from_str(&row.budget_lines).map_err(ApiError::internal)?,
    };
    let mut issues = budget_issues(updated.requested_amount, &lines);
    updated.budget_lines = serde_json::to_string(&lines).map_err(ApiError::internal)?;
    if let Some(account) = request.bank_account {
        issues.extend(bank_issues(&account, &org));
        updated.bank_account = serde_json::to_string(&account).map_err(ApiError::internal)?;
    }
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let document_ids = request.document_ids.clone();
    if let Some(ids) = &request.document_ids {
        updated.document_ids = serde_json::to_string(ids).map_err(ApiError::internal)?;
    }
    let trail = audit::on(
        audit::event(Some(&principal), "grant_proposal.update", Outcome::Success),
        "grant_proposal",
        &row.id,
        Some(&row.region_code),
    );
    let history = event(&principal, &row.id, "update", None, None, None);
    let expected = row.version;
    let stored = updated.clone();
    let result = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                if let Some(ids) = &document_ids {
                    let documents = register::list_documents(conn, &stored.registration_id)?;
                    let unknown = unknown_documents("document_ids", ids, &documents);
                    if !unknown.is_empty() {
                        return Ok(Err(unknown));
                    }
                }
                grants::update_grant(conn, &stored, expected)?;
                grants::insert_grant_event(conn, &history)?;
                audit_log::record(conn, &trail)?;
                Ok(Ok(()))
            })
        })
        .await?;
    result.map_err(ApiError::validation)?;
    represent(
        StatusCode::OK,
        &GrantProposal::build(&updated, &org, state.config.today())?,
    )
}
