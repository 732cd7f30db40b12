//! Oversight cases of the Tim Terpadu: opening, the team by agency, the lifecycle
//! (investigate → recommend → close) and the timeline.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use ormas_domain::Action;
use ormas_domain::oversight::{CaseState, CaseStep, apply_case};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity;
use ormas_persistence::oversight::{self, CaseFilter, CaseMemberRow, CaseRow, CaseWithName};
use ormas_persistence::{AnyConnection, PersistenceResult, in_write_transaction};

use super::dto::{
    Case, CaseEvent, CaseHistory, CaseMembersRequest, CasePage, CaseQuery, CaseStepRequest,
    CreateCaseRequest, UpdateCaseRequest,
};
use super::{
    CASE, Subject, case_event, case_not_found, check_subject, issue, list_region, refused,
};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, FieldIssue};
use crate::extract::{OptionalJson, ValidJson, ValidQuery};
use crate::routes::lifecycle::{Env, Lifecycle, Noun, StepResponses, Target, transition};
use crate::routes::{
    IfMatch, IfNoneMatch, RequiredIfMatch, paging, represent, represent_get,
    require_matching_version,
};
use crate::state::AppState;

/// A case with its complaints and team, as its `GET` shows it.
pub type CaseDetail = (
    CaseWithName,
    Vec<ormas_persistence::oversight::ComplaintRow>,
    Vec<CaseMemberRow>,
);

pub(crate) fn read_detail(
    conn: &mut AnyConnection,
    id: &str,
) -> PersistenceResult<Option<CaseDetail>> {
    let Some(case) = oversight::find_case(conn, id)? else {
        return Ok(None);
    };
    let complaints = oversight::complaints_of_case(conn, id)?;
    let members = oversight::case_members_of(conn, id)?;
    Ok(Some((case, complaints, members)))
}

pub(crate) fn view(((row, name), complaints, members): CaseDetail) -> Result<Case, ApiError> {
    Case::build(row, name, complaints, members)
}

/// Loads a case the caller may see, with its complaints and team.
pub(crate) async fn load_visible_case(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<CaseDetail, ApiError> {
    principal.require(Action::ReadCases)?;
    let lookup = id.clone();
    state
        .db(move |conn| read_detail(conn, &lookup))
        .await?
        .filter(|((c, _), _, _)| principal.covers(Some(&c.region_code)))
        .ok_or_else(|| case_not_found(&id))
}

/// The lead officer must be a staff account whose scope covers the case's region.
fn lead_issues(
    conn: &mut AnyConnection,
    lead: Option<&str>,
    region: &str,
) -> PersistenceResult<Vec<FieldIssue>> {
    let Some(lead) = lead else {
        return Ok(Vec::new());
    };
    let fits = identity::find_user(conn, lead)?.is_some_and(|user| {
        let staff = user.role().is_ok_and(|r| r.is_staff());
        let covers = match &user.region_code {
            None => true,
            Some(own) => region == own || region.starts_with(&format!("{own}.")),
        };
        staff && user.active && covers
    });
    Ok(if fits {
        Vec::new()
    } else {
        vec![issue(
            "lead_officer_id",
            "unknown_officer",
            "bukan akun staf aktif di wilayah kasus",
            "is not an active staff account covering the case's region",
        )]
    })
}

/// List cases.
#[utoipa::path(
    tag = "oversight",
    operation_id = "listCases",
    summary = "List oversight cases",
    description = "Cases in the caller's region subtree, ordered by region then id, filtered by \
state and ormas (`complaints` and `members` are empty here; read the case for them). Roles: staff \
within their region.",
    params(CaseQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page.", body = CasePage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read cases, or the region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/oversight/cases")]
pub async fn list_cases(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<CaseQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadCases)?;
    let query = query.0;
    let page_size = query.page_size.unwrap_or(50);
    let filter = CaseFilter {
        region: list_region(&principal, query.region)?,
        state: query.state.map(|s| s.as_str().to_owned()),
        registration_id: query.ormas,
        after: query
            .page_token
            .as_deref()
            .map(paging::decode_pair)
            .transpose()?,
        limit: page_size + 1,
    };
    let rows = state
        .db(move |conn| oversight::list_cases(conn, &filter))
        .await?;
    let (rows, next_page_token) = paging::split(rows, page_size, |(c, _)| {
        paging::pair(&c.region_code, &c.id)
    });
    let items = rows
        .into_iter()
        .map(|(c, name)| Case::build(c, name, Vec::new(), Vec::new()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(CasePage {
        items,
        next_page_token,
    }))
}

/// Open a case.
#[utoipa::path(
    tag = "oversight",
    operation_id = "createCase",
    summary = "Open an oversight case",
    description = "A case about one registration (`ormas_id`) or one unregistered organisation (name \
and address), in a province or kabupaten/kota of the caller's scope, in state `open`, led by \
`lead_officer_id` (default: the caller). Complaints join it by `POST /v1/complaints/{id}/open-case`. \
Roles: `oversight`.",
    request_body(content = CreateCaseRequest, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The case.", body = Case, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not run cases, or the region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/oversight/cases")]
pub async fn create_case(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<CreateCaseRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::RunCases)?;
    let request = body.0;
    list_region(&principal, Some(request.region_code.clone()))?;
    let at = now_utc();
    let row = CaseRow {
        id: uuid::Uuid::now_v7().to_string(),
        region_code: request.region_code,
        registration_id: request.ormas_id,
        organisation_name: request.organisation_name.map(|n| n.trim().to_owned()),
        organisation_address: request.organisation_address.map(|a| a.trim().to_owned()),
        title: request.title.trim().to_owned(),
        summary: request.summary,
        lead_officer_id: Some(
            request
                .lead_officer_id
                .unwrap_or_else(|| principal.id.clone()),
        ),
        state: CaseState::Open.as_str().to_owned(),
        recommended_outcome: None,
        outcome: None,
        closing_note: None,
        closed_on: None,
        created_by: Some(principal.id.clone()),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let trail = audit::on(
        audit::event(Some(&principal), "case.create", Outcome::Success),
        "case",
        &row.id,
        Some(&row.region_code),
    );
    let event = case_event(
        &principal,
        &row.id,
        "case.create",
        (None, Some(CaseState::Open.as_str())),
        None,
    );
    let detail = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let subject = Subject {
                    region_code: &row.region_code,
                    ormas_id: row.registration_id.as_deref(),
                    organisation_name: row.organisation_name.as_deref(),
                    organisation_address: row.organisation_address.as_deref(),
                    regency_only: false,
                    registered_only: false,
                };
                let (mut issues, _) = check_subject(conn, &subject)?;
                issues.extend(lead_issues(
                    conn,
                    row.lead_officer_id.as_deref(),
                    &row.region_code,
                )?);
                if !issues.is_empty() {
                    return Ok(Err(issues));
                }
                oversight::insert_case(conn, &row)?;
                oversight::insert_case_event(conn, &event)?;
                audit_log::record(conn, &trail)?;
                Ok(read_detail(conn, &row.id)?.ok_or(Vec::new()))
            })
        })
        .await?
        .map_err(ApiError::validation)?;
    represent(StatusCode::CREATED, &view(detail)?)
}

/// Get a case.
#[utoipa::path(
    tag = "oversight",
    operation_id = "getCase",
    summary = "Get an oversight case",
    description = "One case with the complaints that led to it (never their reporters) and its \
team. Roles: staff within their region.",
    params(("id" = String, Path, description = "The case's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The case.", body = Case, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read cases.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/oversight/cases/{id}")]
pub async fn get_case(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let detail = load_visible_case(&state, &principal, path.into_inner()).await?;
    represent_get(&req, &view(detail)?)
}

/// Writes a changed case with its timeline entry and audit row, and reads it back.
async fn save(
    state: &AppState,
    principal: &Principal,
    updated: CaseRow,
    expected_version: i32,
    action: &str,
    members: Option<Vec<CaseMemberRow>>,
) -> Result<CaseDetail, ApiError> {
    let trail = audit::on(
        audit::event(Some(principal), action, Outcome::Success),
        "case",
        &updated.id,
        Some(&updated.region_code),
    );
    let event = case_event(principal, &updated.id, action, (None, None), None);
    state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let mut issues = lead_issues(
                    conn,
                    updated.lead_officer_id.as_deref(),
                    &updated.region_code,
                )?;
                for (i, member) in members.iter().flatten().enumerate() {
                    if let Some(user) = &member.user_id
                        && identity::find_user(conn, user)?.is_none()
                    {
                        issues.push(issue(
                            &format!("members[{i}].user_id"),
                            "unknown_user",
                            "tidak ada akun dengan id ini",
                            "no account has this id",
                        ));
                    }
                }
                if !issues.is_empty() {
                    return Ok(Err(issues));
                }
                oversight::update_case(conn, &updated, expected_version)?;
                if let Some(members) = &members {
                    oversight::replace_case_members(conn, &updated.id, members)?;
                }
                oversight::insert_case_event(conn, &event)?;
                audit_log::record(conn, &trail)?;
                Ok(read_detail(conn, &updated.id)?.ok_or(Vec::new()))
            })
        })
        .await?
        .map_err(ApiError::validation)
}

/// Edit a case.
#[utoipa::path(
    tag = "oversight",
    operation_id = "updateCase",
    summary = "Edit an oversight case",
    description = "Changes its title, summary or lead officer (absent fields stay); `If-Match` \
required. A closed case cannot be changed (409). Roles: `oversight`.",
    params(("id" = String, Path, description = "The case's id."), RequiredIfMatch),
    request_body(content = UpdateCaseRequest, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The case as changed.", body = Case, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not run cases.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed, or changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[patch("/v1/oversight/cases/{id}")]
pub async fn update_case(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<UpdateCaseRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::RunCases)?;
    let ((row, _), _, _) = load_visible_case(&state, &principal, path.into_inner()).await?;
    require_matching_version(&req, row.version)?;
    require_not_closed(&row)?;
    let request = body.0;
    let updated = CaseRow {
        title: request
            .title
            .map(|t| t.trim().to_owned())
            .unwrap_or_else(|| row.title.clone()),
        summary: request.summary.or_else(|| row.summary.clone()),
        lead_officer_id: request
            .lead_officer_id
            .or_else(|| row.lead_officer_id.clone()),
        version: row.version + 1,
        updated_at: now_utc(),
        ..row.clone()
    };
    let detail = save(
        &state,
        &principal,
        updated,
        row.version,
        "case.update",
        None,
    )
    .await?;
    represent(StatusCode::OK, &view(detail)?)
}

pub(crate) fn require_not_closed(row: &CaseRow) -> Result<(), ApiError> {
    if row.state == CaseState::Closed.as_str() {
        Err(super::conflict(
            "Kasus yang sudah ditutup tidak dapat diubah.".into(),
            "A closed case cannot be changed.".into(),
        ))
    } else {
        Ok(())
    }
}

/// Set a case's team.
#[utoipa::path(
    tag = "oversight",
    operation_id = "replaceCaseMembers",
    summary = "Set the team of a case",
    description = "Replaces the team: members by agency (`kesbangpol`, `polri`, `tni`, `kejaksaan`, \
`binda`, `satpol_pp`, `kemenag`, `other`) with name and position; members from other agencies need \
no account. `If-Match` required. Roles: `oversight`.",
    params(("id" = String, Path, description = "The case's id."), RequiredIfMatch),
    request_body(content = CaseMembersRequest, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The case with its team.", body = Case, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not run cases.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is closed, or changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A member is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[put("/v1/oversight/cases/{id}/members")]
pub async fn replace_members(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<CaseMembersRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::RunCases)?;
    let ((row, _), _, _) = load_visible_case(&state, &principal, path.into_inner()).await?;
    require_matching_version(&req, row.version)?;
    require_not_closed(&row)?;
    let members = body
        .0
        .members
        .into_iter()
        .enumerate()
        .map(|(i, m)| CaseMemberRow {
            id: uuid::Uuid::now_v7().to_string(),
            case_id: row.id.clone(),
            ordinal: i32::try_from(i).unwrap_or(i32::MAX),
            agency: m.agency.as_str().to_owned(),
            name: m.name.trim().to_owned(),
            position: m.position,
            user_id: m.user_id,
        })
        .collect();
    let updated = CaseRow {
        version: row.version + 1,
        updated_at: now_utc(),
        ..row.clone()
    };
    let detail = save(
        &state,
        &principal,
        updated,
        row.version,
        "case.members",
        Some(members),
    )
    .await?;
    represent(StatusCode::OK, &view(detail)?)
}

/// The case lifecycle, for [`transition`].
pub struct Cases;

/// The write a case step decided.
pub struct Change {
    updated: CaseRow,
    expected_version: i32,
    event: ormas_persistence::oversight::CaseEventRow,
}

impl Lifecycle for Cases {
    type Loaded = CaseDetail;
    type Step = CaseStep;
    type Body = CaseStepRequest;
    type Change = Change;
    type Saved = CaseDetail;
    type View = Case;

    const NAME: &'static str = "case";
    const NOUN: Noun = CASE;

    fn action(_: CaseStep) -> Action {
        Action::RunCases
    }

    fn find(conn: &mut AnyConnection, id: &str, _: &Env) -> PersistenceResult<Option<CaseDetail>> {
        read_detail(conn, id)
    }

    fn visible(principal: &Principal, ((case, _), _, _): &CaseDetail) -> bool {
        ormas_domain::allows(principal.role, Action::ReadCases)
            && principal.covers(Some(&case.region_code))
    }

    fn not_found(id: &str) -> ApiError {
        case_not_found(id)
    }

    fn target(((case, _), _, _): &CaseDetail) -> Target {
        Target {
            id: case.id.clone(),
            region_code: case.region_code.clone(),
            version: case.version,
        }
    }

    fn decide(
        ((row, _), _, _): CaseDetail,
        step: CaseStep,
        body: CaseStepRequest,
        principal: &Principal,
        env: &Env,
    ) -> Result<Change, ApiError> {
        let from: CaseState = row.state.parse().map_err(ApiError::internal)?;
        let to = apply_case(from, step, body.outcome).map_err(|e| refused(CASE, e))?;
        let outcome = body.outcome.map(|o| o.as_str().to_owned());
        let mut updated = CaseRow {
            state: to.as_str().to_owned(),
            version: row.version + 1,
            updated_at: now_utc(),
            ..row.clone()
        };
        match step {
            CaseStep::Investigate => {}
            CaseStep::Recommend => updated.recommended_outcome = outcome,
            CaseStep::Close => {
                updated.outcome = outcome;
                updated.closing_note = body.note.clone();
                updated.closed_on = Some(env.today);
            }
        }
        let event = case_event(
            principal,
            &row.id,
            &format!("case.{}", step.as_str()),
            (Some(from.as_str()), Some(to.as_str())),
            body.note,
        );
        Ok(Change {
            updated,
            expected_version: row.version,
            event,
        })
    }

    fn write(conn: &mut AnyConnection, change: Change, _: &Env) -> PersistenceResult<CaseDetail> {
        oversight::update_case(conn, &change.updated, change.expected_version)?;
        oversight::insert_case_event(conn, &change.event)?;
        read_detail(conn, &change.updated.id)?.ok_or(ormas_persistence::PersistenceError::NotFound)
    }

    fn view(saved: CaseDetail, _: &Env) -> Result<Case, ApiError> {
        view(saved)
    }
}

/// Start or reopen the inquiry.
#[utoipa::path(
    tag = "oversight",
    operation_id = "investigateCase",
    summary = "Start (or reopen) the inquiry of a case",
    description = "From `open`, or back from `recommendation` when the head asks for more, to \
`investigating`; an optional note goes to the timeline. Roles: `oversight`.",
    params(("id" = String, Path, description = "The case's id."), IfMatch),
    request_body(content = Option<CaseStepRequest>, content_type = "application/json", description = "Optional: no body is `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "The body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Cases>,
    )
)]
#[post("/v1/oversight/cases/{id}/investigate")]
pub async fn investigate_case(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<CaseStepRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = CaseStep::Investigate;
    transition::<Cases>(&state, principal, path.into_inner(), &req, body.0, step).await
}

/// Recommend an outcome.
#[utoipa::path(
    tag = "oversight",
    operation_id = "recommendCase",
    summary = "Recommend the outcome of a case",
    description = "From `investigating` to `recommendation`, with the recommended `outcome` \
(`no_violation`, `guidance`, `written_warning`, `activity_suspension`, `revocation`, \
`referral_to_law_enforcement`; required) and a note. Roles: `oversight`.",
    params(("id" = String, Path, description = "The case's id."), IfMatch),
    request_body(content = Option<CaseStepRequest>, content_type = "application/json", description = "`outcome` is required."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "The outcome is missing, or the body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Cases>,
    )
)]
#[post("/v1/oversight/cases/{id}/recommend")]
pub async fn recommend_case(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<CaseStepRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = CaseStep::Recommend;
    transition::<Cases>(&state, principal, path.into_inner(), &req, body.0, step).await
}

/// Close a case.
#[utoipa::path(
    tag = "oversight",
    operation_id = "closeCase",
    summary = "Close a case with the outcome taken",
    description = "From `recommendation` to `closed` (final), with the `outcome` actually taken \
(required) and a closing note. Roles: `oversight`.",
    params(("id" = String, Path, description = "The case's id."), IfMatch),
    request_body(content = Option<CaseStepRequest>, content_type = "application/json", description = "`outcome` is required."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "The outcome is missing, or the body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Cases>,
    )
)]
#[post("/v1/oversight/cases/{id}/close")]
pub async fn close_case(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: OptionalJson<CaseStepRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = CaseStep::Close;
    transition::<Cases>(&state, principal, path.into_inner(), &req, body.0, step).await
}

/// A case's timeline.
#[utoipa::path(
    tag = "oversight",
    operation_id = "getCaseHistory",
    summary = "The timeline of a case",
    description = "Every write to the case, oldest first: who, when, what, from and to which state, \
the note. Roles: staff within their region.",
    params(("id" = String, Path, description = "The case's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The timeline.", body = CaseHistory),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read cases.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such case in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/oversight/cases/{id}/history")]
pub async fn case_history(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let ((row, _), _, _) = load_visible_case(&state, &principal, path.into_inner()).await?;
    let rows = state
        .db(move |conn| oversight::case_events_of(conn, &row.id))
        .await?;
    Ok(HttpResponse::Ok().json(CaseHistory {
        items: rows.into_iter().map(CaseEvent::build).collect(),
    }))
}
