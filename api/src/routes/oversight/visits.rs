//! The field visits of an oversight case: the same record as a registration's visits, written to
//! the case's timeline too. A visit in a case about a registered ormas counts for that ormas's
//! status like any other (`secretariat_not_found`).

use actix_web::{HttpResponse, get, post, web};
use ormas_domain::Action;
use ormas_persistence::register;
use ormas_persistence::visits;
use utoipa_actix_web::service_config::ServiceConfig;

use super::case_event;
use super::cases::{load_visible_case, require_not_closed};
use crate::auth::Principal;
use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::ValidJson;
use ormas_domain::visits::VisitPurpose;

use crate::routes::ormas::visits::{Visit, VisitInput, input_issues, record, row_of};
use crate::state::AppState;

/// The visits of a case, oldest first.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CaseVisitList {
    pub items: Vec<Visit>,
}

/// Record a field visit of a case.
#[utoipa::path(
    tag = "oversight",
    operation_id = "recordCaseVisit",
    summary = "Record a field visit of a case",
    description = "A visit of the case's team to the organisation's address: date, place \
(the registration's address, or the unregistered organisation's, by default), optional \
coordinates, the team present by agency, the finding (`secretariat_found`, `secretariat_moved` \
with the new address, `secretariat_not_found`), activities observed, notes and photos \
(`visit_photo` documents of the registration; none for an unregistered organisation). Written to \
the case's timeline, and — when the case concerns a registered ormas — to its history, where the \
latest visit decides the inactive reason `secretariat_not_found`. Not on a closed case (409). \
Roles: `oversight` within its region.",
    params(("id" = String, Path, description = "The case's id.")),
    request_body(content = VisitInput, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The recorded visit.", body = Visit,
            headers(("Location" = String, description = "The case's visits."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not run cases.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "The visit is invalid (see `POST /v1/ormas/{id}/visits`), or no address is known.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/oversight/cases/{id}/visits")]
pub async fn record_case_visit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: ValidJson<VisitInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::RunCases)?;
    let ((case, _), _, _) = load_visible_case(&state, &principal, path.into_inner()).await?;
    require_not_closed(&case)?;
    let input = body.0;
    let registration_id = case.registration_id.clone();
    let (reg, documents) = state
        .db(move |conn| match registration_id {
            Some(id) => {
                let reg = register::find_registration(conn, &id)?.map(|(reg, _)| reg);
                let documents = register::list_documents(conn, &id)?;
                Ok((reg, documents))
            }
            None => Ok((None, Vec::new())),
        })
        .await?;
    let mut issues = input_issues(&input, state.config.today(), &documents);
    let default_address = reg
        .as_ref()
        .map(|r| r.address.clone())
        .or_else(|| case.organisation_address.clone())
        .unwrap_or_default();
    if input.address.is_none() && default_address.trim().is_empty() {
        issues.push(FieldIssue::new(
            "address",
            "required",
            Text::new(
                "alamat yang dikunjungi wajib diisi (kasus ini tidak mempunyai alamat)",
                "the address visited is required (the case has none)",
            ),
        ));
    }
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let row = row_of(
        input,
        &principal,
        reg.as_ref().map(|r| r.id.clone()),
        Some(case.id.clone()),
        case.region_code.clone(),
        VisitPurpose::Oversight,
        default_address,
    );
    let note = serde_json::json!({
        "visit_id": row.id, "visited_on": row.visited_on, "finding": row.finding,
    })
    .to_string();
    let timeline = case_event(&principal, &case.id, "visit", (None, None), Some(note));
    let location = format!("/v1/oversight/cases/{}/visits", case.id);
    let target = ("case", case.id.clone());
    let row = record(
        &state,
        &principal,
        reg,
        row,
        Some(timeline),
        "case.visit",
        target,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(Visit::from_row(row)?))
}

/// List the field visits of a case.
#[utoipa::path(
    tag = "oversight",
    operation_id = "listCaseVisits",
    summary = "List the field visits of a case",
    description = "The case's visits, oldest first. Roles: staff within their region.",
    params(("id" = String, Path, description = "The case's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The visits.", body = CaseVisitList),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read cases.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/oversight/cases/{id}/visits")]
pub async fn list_case_visits(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ((case, _), _, _) = load_visible_case(&state, &principal, path.into_inner()).await?;
    let rows = state
        .db(move |conn| visits::visits_of_case(conn, &case.id))
        .await?;
    let items = rows
        .into_iter()
        .map(Visit::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(CaseVisitList { items }))
}

/// Registers this module's handlers.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_case_visits).service(record_case_visit);
}
