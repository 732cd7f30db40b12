//! The sanction ladder of UU 16/2017 (Ps 60–62, 80A): written warnings issued by the office, the
//! ministries' suspensions and revocations recorded by it, compliance records, lifting, and the
//! representatives' answers. The rules are `ormas_domain::sanctions`; the lifecycle moves they
//! make on a registration are `ormas_domain::registration::apply_sanction`, and only these
//! endpoints perform them.

pub mod dto;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use ormas_domain::registration::{SanctionMove, apply_sanction, effective_state};
use ormas_domain::sanctions::{
    NewSanction, PriorSanction, RevocationOf, SanctionError, SanctionKind, SanctionState,
    check_answer, check_compliance, check_lift, check_new_sanction, dissolves_organisation,
    effective_sanction_state, warning_deadline,
};
use ormas_domain::{Action, Role};
use ormas_persistence::audit as audit_log;
use ormas_persistence::register::{self, OrganisationRow, RegistrationRow};
use ormas_persistence::sanctions::{
    self, SanctionAnswerRow, SanctionFilter, SanctionRow, SanctionWithOrmas,
};
use ormas_persistence::{
    AnyConnection, PersistenceError, PersistenceResult, in_write_transaction, reference,
};

use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::ormas::list::scoped_region;
use crate::routes::ormas::{event, load_visible, visible};
use crate::routes::paging;
use crate::routes::{RequiredIfMatch, represent, represent_get, require_matching_version};
use crate::state::AppState;
use dto::{
    AnswerWarning, CreateSanction, LiftSanction, RecordCompliance, Sanction, SanctionPage,
    SanctionQuery,
};
use utoipa::IntoResponses;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Sanksi {id} tidak ditemukan."),
        format!("No sanction {id}."),
    ))
}

/// 409 naming the rule, or 422 naming the field, for a refusal of the ladder.
fn refused(error: SanctionError) -> ApiError {
    let message = error.to_string();
    match error.field() {
        Some(field) => ApiError::validation(vec![FieldIssue::new(
            field,
            "invalid",
            Text::new(message.clone(), message),
        )]),
        None => ApiError::new(ErrorKind::Conflict)
            .with_detail(Text::new(format!("Ditolak: {message}."), message)),
    }
}

fn required(field: &str) -> FieldIssue {
    FieldIssue::new(
        field,
        "required",
        Text::new(
            "wajib diisi untuk jenis sanksi ini",
            "is required for this kind of sanction",
        ),
    )
}

/// The fields each kind needs (422 for each one missing).
fn kind_issues(body: &CreateSanction) -> Vec<FieldIssue> {
    let mut issues = Vec::new();
    let mut need = |present: bool, field: &str| {
        if !present {
            issues.push(required(field));
        }
    };
    match body.kind {
        SanctionKind::WrittenWarning => {
            need(body.demanded_remedy.is_some(), "demanded_remedy");
            need(body.letter_number.is_some(), "letter_number");
            need(body.letter_date.is_some(), "letter_date");
        }
        SanctionKind::ActivitySuspension => {
            need(body.decree_number.is_some(), "decree_number");
            need(body.decree_date.is_some(), "decree_date");
            need(body.issuing_authority.is_some(), "issuing_authority");
            need(body.period_start.is_some(), "period_start");
        }
        SanctionKind::Revocation => {
            need(body.decree_number.is_some(), "decree_number");
            need(body.decree_date.is_some(), "decree_date");
        }
    }
    if let (Some(start), Some(end)) = (body.period_start, body.period_end)
        && end < start
    {
        issues.push(FieldIssue::new(
            "period_end",
            "before_start",
            Text::new(
                "tidak boleh sebelum period_start",
                "must not be before period_start",
            ),
        ));
    }
    issues
}

/// Loads a sanction the caller may see (others' → 404).
async fn load_visible_sanction(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<SanctionWithOrmas, ApiError> {
    principal.require(Action::ReadSanctions)?;
    let lookup = id.clone();
    let found = state
        .db(move |conn| sanctions::find_sanction(conn, &lookup))
        .await?;
    found
        .filter(|(_, reg, _)| visible(principal, &reg.id, &reg.region_code))
        .ok_or_else(|| not_found(&id))
}

/// The sanction with its answers, as `GET` shows it.
fn view(
    conn: &mut AnyConnection,
    row: SanctionRow,
    org: OrganisationRow,
) -> PersistenceResult<(SanctionRow, OrganisationRow, Vec<SanctionAnswerRow>)> {
    let answers = sanctions::answers_of(conn, std::slice::from_ref(&row.id))?;
    Ok((row, org, answers))
}

fn respond(
    status: StatusCode,
    (row, org, answers): (SanctionRow, OrganisationRow, Vec<SanctionAnswerRow>),
    today: NaiveDate,
) -> Result<HttpResponse, ApiError> {
    represent(status, &Sanction::build(&row, &org, &answers, today)?)
}

const CHANGED_MEANWHILE: PersistenceError =
    PersistenceError::Refused("the registration changed meanwhile");

/// Moves a registration by a sanction and writes its history entry; `None`: nothing to move.
fn move_registration(
    conn: &mut AnyConnection,
    principal: &Principal,
    reg: &RegistrationRow,
    step: SanctionMove,
    today: NaiveDate,
    suspended_until: Option<NaiveDate>,
    note: &str,
) -> PersistenceResult<Option<RegistrationRow>> {
    let from = effective_state(reg.state()?, reg.revision_due, reg.suspended_until, today);
    // Checked before the transaction; refused here only when the registration changed meanwhile
    // (the whole write rolls back).
    let to = match apply_sanction(from, step) {
        Ok(Some(to)) => to,
        Ok(None) => return Ok(None),
        Err(_) => return Err(CHANGED_MEANWHILE),
    };
    let updated = RegistrationRow {
        state: to.as_str().to_owned(),
        suspended_until: if step == SanctionMove::Suspend {
            suspended_until
        } else {
            None
        },
        version: reg.version + 1,
        updated_at: now_utc(),
        ..reg.clone()
    };
    register::update_registration(conn, &updated, reg.version)?;
    let mut history = event(principal, &reg.id, &format!("sanction.{step}"));
    history.from_state = Some(from.as_str().to_owned());
    history.to_state = Some(to.as_str().to_owned());
    history.notes = Some(note.to_owned());
    register::insert_event(conn, &history)?;
    Ok(Some(updated))
}

/// Record a sanction.
#[utoipa::path(
    tag = "sanctions",
    operation_id = "createSanction",
    summary = "Issue a warning or record a ministry's decision",
    description = "The ladder of UU 16/2017 Ps 60–62. A `written_warning` (role `head`) is issued \
once per violation case (a second in the same `case_id`: 409) and runs 7 working days from its \
letter's date on the deployment's holiday calendar. An `activity_suspension` (role `head`, \
recording the minister's decree) needs an earlier warning of this ormas recorded `not_complied`, \
and a `revocation` an earlier suspension recorded `not_complied` — unless `serious` with a written \
`justification` (409 naming the rule otherwise; 422 when `serious` lacks a justification). A \
suspension makes the registration `suspended` until lifted or past `period_end`; a revocation \
makes it `revoked`. Revoking a badan hukum (`revocation_of: badan_hukum`) dissolves the \
organisation (Ps 80A): its `dissolved_on` is set and every registration of it, in every region, \
becomes `revoked`, each with a revocation of its own pointing here (`dissolved_by`). Every write \
leaves a history entry and an audit entry in the region concerned. Roles: `head` (within its \
region).",
    params(("id" = String, Path, description = "The registration's id.")),
    request_body(content = CreateSanction, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The sanction recorded.", body = Sanction, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not issue this kind of sanction.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The ladder or the lifecycle refuses it (the rule is named), or the registration changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is missing or invalid for the kind, or `case_id` names no oversight case of this ormas in the caller's scope (`unknown_case`).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/ormas/{id}/sanctions")]
pub async fn create_sanction(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: ValidJson<CreateSanction>,
) -> Result<HttpResponse, ApiError> {
    let body = body.0;
    principal.require(match body.kind {
        SanctionKind::WrittenWarning => Action::IssueWarning,
        _ => Action::RecordSanctionDecision,
    })?;
    let (reg, org) = load_visible(&state, &principal, path.into_inner()).await?;
    let issues = kind_issues(&body);
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    // The case a sanction follows from must be one of this ormas's cases, in the caller's scope.
    if let Some(case_id) = body.case_id.as_deref().map(str::trim) {
        let lookup = case_id.to_owned();
        let case = state
            .db(move |conn| ormas_persistence::oversight::find_case(conn, &lookup))
            .await?;
        let fits = case.is_some_and(|(case, _)| {
            case.registration_id.as_deref() == Some(reg.id.as_str())
                && principal.covers(Some(&case.region_code))
        });
        if !fits {
            return Err(ApiError::validation(vec![FieldIssue::new(
                "case_id",
                "unknown_case",
                Text::new(
                    "bukan kasus pengawasan ormas ini di wilayah Anda",
                    "is not an oversight case of this ormas in your scope",
                ),
            )]));
        }
    }
    let today = state.config.today();
    let kind = body.kind;
    let ormas_kind = org.kind()?;
    let current = effective_state(reg.state()?, reg.revision_due, reg.suspended_until, today);
    let at = now_utc();
    let trim = |t: &Option<String>| t.as_deref().map(str::trim).map(str::to_owned);
    let revocation_of = body.revocation_of;
    let authority = match kind {
        SanctionKind::Revocation => revocation_of.map(RevocationOf::authority),
        SanctionKind::ActivitySuspension => body.issuing_authority,
        SanctionKind::WrittenWarning => None,
    };
    let mut row = SanctionRow {
        id: uuid::Uuid::now_v7().to_string(),
        registration_id: reg.id.clone(),
        region_code: reg.region_code.clone(),
        case_id: trim(&body.case_id),
        kind: kind.as_str().to_owned(),
        state: SanctionState::InForce.as_str().to_owned(),
        violation: body.violation.trim().to_owned(),
        demanded_remedy: trim(&body.demanded_remedy),
        letter_number: trim(&body.letter_number),
        letter_date: body.letter_date,
        deadline: None,
        compliance: None,
        compliance_on: None,
        compliance_by: None,
        compliance_note: None,
        decree_number: trim(&body.decree_number),
        decree_date: body.decree_date,
        issuing_authority: authority.map(|a| a.as_str().to_owned()),
        period_start: body.period_start,
        period_end: body.period_end,
        serious: body.serious,
        justification: trim(&body.justification),
        lifted_decree_number: None,
        lifted_on: None,
        revocation_of: revocation_of.map(|r| r.as_str().to_owned()),
        dissolved_by: None,
        created_by: Some(principal.id.clone()),
        created_at: at,
        updated_at: at,
        version: 1,
    };
    let actor = principal.clone();
    let result = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let prior_rows = sanctions::sanctions_of(conn, &row.registration_id)?;
                let in_case = match &row.case_id {
                    Some(case_id) => sanctions::warnings_in_case(conn, case_id)?,
                    None => Vec::new(),
                };
                let parsed: Vec<(
                    SanctionKind,
                    Option<String>,
                    Option<ormas_domain::sanctions::Compliance>,
                )> = prior_rows
                    .iter()
                    .chain(in_case.iter())
                    .map(|r| {
                        Ok((
                            r.kind()?,
                            r.case_id.clone(),
                            r.compliance.as_deref().map(str::parse).transpose()?,
                        ))
                    })
                    .collect::<PersistenceResult<_>>()?;
                let prior: Vec<PriorSanction> = parsed
                    .iter()
                    .map(|(kind, case_id, compliance)| PriorSanction {
                        kind: *kind,
                        case_id: case_id.as_deref(),
                        compliance: *compliance,
                    })
                    .collect();
                let new = NewSanction {
                    kind,
                    case_id: row.case_id.as_deref(),
                    serious: row.serious,
                    justification: row.justification.as_deref(),
                    revocation_of,
                    ormas_kind,
                    registration_state: current,
                };
                let step = match check_new_sanction(&new, &prior) {
                    Ok(step) => step,
                    Err(e) => return Ok(Err(e)),
                };
                if let (SanctionKind::WrittenWarning, Some(dated)) = (kind, row.letter_date) {
                    let calendar = reference::holiday_calendar_from(conn, dated)?;
                    row.deadline = warning_deadline(dated, &calendar).ok();
                }
                sanctions::insert_sanction(conn, &row)?;
                if let Some(case_id) = &row.case_id {
                    let note = format!("{} {}", row.kind, row.id);
                    let timeline = crate::routes::oversight::case_event(
                        &actor,
                        case_id,
                        "sanction",
                        (None, None),
                        Some(note),
                    );
                    ormas_persistence::oversight::insert_case_event(conn, &timeline)?;
                }
                let note = row
                    .decree_number
                    .clone()
                    .or_else(|| row.letter_number.clone())
                    .unwrap_or_default();
                let mut history = event(&actor, &row.registration_id, &format!("sanction.{kind}"));
                history.reason = Some(row.violation.clone());
                history.notes = Some(note.clone());
                let mut trails = vec![audit::on(
                    audit::event(Some(&actor), &format!("sanction.{kind}"), Outcome::Success),
                    "sanction",
                    &row.id,
                    Some(&row.region_code),
                )];
                if let Some(step) = step {
                    let (reg, _) = register::find_registration(conn, &row.registration_id)?
                        .ok_or(PersistenceError::Refused("registration vanished"))?;
                    move_registration(conn, &actor, &reg, step, today, row.period_end, &note)?;
                } else {
                    register::insert_event(conn, &history)?;
                }
                if dissolves_organisation(kind, revocation_of) {
                    let (_, org) = register::find_registration(conn, &row.registration_id)?
                        .ok_or(PersistenceError::Refused("registration vanished"))?;
                    let dissolved = OrganisationRow {
                        dissolved_on: row.decree_date.or(Some(today)),
                        dissolution_decree: row.decree_number.clone(),
                        version: org.version + 1,
                        updated_at: now_utc(),
                        ..org.clone()
                    };
                    register::update_organisation(conn, &dissolved, org.version)?;
                    for other in register::registrations_of_organisation(conn, &org.id)? {
                        if other.id == row.registration_id {
                            continue;
                        }
                        let moved = move_registration(
                            conn,
                            &actor,
                            &other,
                            SanctionMove::DissolveOrganisation,
                            today,
                            None,
                            &note,
                        )?;
                        if let Some(moved) = moved {
                            let copy = SanctionRow {
                                id: uuid::Uuid::now_v7().to_string(),
                                registration_id: moved.id.clone(),
                                region_code: moved.region_code.clone(),
                                case_id: None,
                                dissolved_by: Some(row.id.clone()),
                                ..row.clone()
                            };
                            sanctions::insert_sanction(conn, &copy)?;
                            trails.push(audit::detail(
                                audit::on(
                                    audit::event(
                                        Some(&actor),
                                        "sanction.dissolution",
                                        Outcome::Success,
                                    ),
                                    "sanction",
                                    &copy.id,
                                    Some(&copy.region_code),
                                ),
                                format!("dissolved by {}", row.id),
                            ));
                        }
                    }
                }
                for trail in &trails {
                    audit_log::record(conn, trail)?;
                }
                let org = current_organisation(conn, &row)?;
                Ok(Ok(view(conn, row.clone(), org)?))
            })
        })
        .await?;
    respond(StatusCode::CREATED, result.map_err(refused)?, today)
}

/// The organisation as it is now (after a dissolution).
fn current_organisation(
    conn: &mut AnyConnection,
    row: &SanctionRow,
) -> PersistenceResult<OrganisationRow> {
    register::find_registration(conn, &row.registration_id)?
        .map(|(_, org)| org)
        .ok_or(PersistenceError::Refused("registration vanished"))
}

/// List an ormas's sanctions.
#[utoipa::path(
    tag = "sanctions",
    operation_id = "listOrmasSanctions",
    summary = "List an ormas's sanctions",
    description = "Every sanction of one registration, oldest first, with the representatives' \
answers. Roles: staff and integrators within their region; a representative, its own ormas \
(another ormas: 404).",
    params(("id" = String, Path, description = "The registration's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "Its sanctions (one page holds them all).", body = SanctionPage),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas/{id}/sanctions")]
pub async fn list_ormas_sanctions(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadSanctions)?;
    let (reg, org) = load_visible(&state, &principal, path.into_inner()).await?;
    let (rows, answers) = state
        .db(move |conn| {
            let rows = sanctions::sanctions_of(conn, &reg.id)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let answers = sanctions::answers_of(conn, &ids)?;
            Ok((rows, answers))
        })
        .await?;
    let today = state.config.today();
    let items = rows
        .iter()
        .map(|row| Sanction::build(row, &org, &answers, today))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(SanctionPage {
        items,
        next_page_token: None,
    }))
}

/// List sanctions.
#[utoipa::path(
    tag = "sanctions",
    operation_id = "listSanctions",
    summary = "List sanctions",
    description = "Sanctions in the caller's region subtree (a representative: its own ormas's), \
ordered by region then creation, filtered by kind and state (as of today), with cursor \
pagination. Roles: staff and integrators within their region; a representative, its own ormas.",
    params(SanctionQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page.", body = SanctionPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/sanctions")]
pub async fn list_sanctions(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<SanctionQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadSanctions)?;
    let query = query.0;
    let (region, registration_id) = if principal.role == Role::OrmasRep {
        // A representative without an ormas sees nothing.
        let own = principal.ormas_id.clone().unwrap_or_default();
        (query.region.clone(), Some(own))
    } else {
        (scoped_region(&principal, query.region.clone())?, None)
    };
    let page_size = query.page_size.unwrap_or(50);
    let today = state.config.today();
    let filter = SanctionFilter {
        region,
        registration_id,
        kind: query.kind.map(|k| k.as_str().to_owned()),
        state: query.state,
        today: Some(today),
        after: query
            .page_token
            .as_deref()
            .map(paging::decode_pair)
            .transpose()?,
        limit: page_size + 1,
    };
    let (rows, answers) = state
        .db(move |conn| {
            let rows = sanctions::list_sanctions(conn, &filter)?;
            let ids: Vec<String> = rows.iter().map(|(s, _, _)| s.id.clone()).collect();
            let answers = sanctions::answers_of(conn, &ids)?;
            Ok((rows, answers))
        })
        .await?;
    let (rows, next_page_token) = paging::split(rows, page_size, |(s, _, _)| {
        paging::pair(&s.region_code, &s.id)
    });
    let items = rows
        .iter()
        .map(|(row, _, org)| Sanction::build(row, org, &answers, today))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(SanctionPage {
        items,
        next_page_token,
    }))
}

/// Get a sanction.
#[utoipa::path(
    tag = "sanctions",
    operation_id = "getSanction",
    summary = "Get a sanction",
    description = "One sanction with its deadline, compliance record and answers. Roles: staff and \
integrators within their region; a representative, its own ormas's.",
    params(("id" = String, Path, description = "The sanction's id."), crate::routes::IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The sanction.", body = Sanction, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such sanction in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/sanctions/{id}")]
pub async fn get_sanction(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (row, _, org) = load_visible_sanction(&state, &principal, path.into_inner()).await?;
    let (row, org, answers) = state.db(move |conn| view(conn, row, org)).await?;
    represent_get(
        &req,
        &Sanction::build(&row, &org, &answers, state.config.today())?,
    )
}

/// A sanction loaded for a step, with its kind and its state as of today.
struct ForWrite {
    row: SanctionRow,
    registration: RegistrationRow,
    organisation: OrganisationRow,
    kind: SanctionKind,
    current: SanctionState,
    today: NaiveDate,
}

/// Loads a sanction for a write: the action first (403), then the sanction in scope (404), then
/// `If-Match` (428/412).
async fn load_for_write(
    state: &AppState,
    principal: &Principal,
    id: String,
    action: Action,
    req: &HttpRequest,
) -> Result<ForWrite, ApiError> {
    principal.require(action)?;
    let (row, registration, organisation) = load_visible_sanction(state, principal, id).await?;
    require_matching_version(req, row.version)?;
    let today = state.config.today();
    let kind = row.kind()?;
    let current = effective_sanction_state(kind, row.state()?, row.period_end, today);
    Ok(ForWrite {
        row,
        registration,
        organisation,
        kind,
        current,
        today,
    })
}

/// Every answer of a step on a sanction (compliance, lift): the sanction with its new `ETag`, and
/// the errors every step shares (409 names the rule).
pub struct SanctionStepResponses;

impl IntoResponses for SanctionStepResponses {
    fn responses()
    -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
        use crate::routes::representation::{ETAG_HEADER, LOCATION_HEADER};
        use utoipa::openapi::content::ContentBuilder;
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::response::ResponseBuilder;
        use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Type};
        let header = |description: &str| {
            HeaderBuilder::new()
                .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                .description(Some(description))
                .build()
        };
        let changed = ResponseBuilder::new()
            .description("The sanction as changed.")
            .header("ETag", header(ETAG_HEADER))
            .header("Location", header(LOCATION_HEADER))
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Sanction")))
                    .build(),
            )
            .build();
        let problem = ormas_openapi::responses::problem;
        let mut responses = ormas_openapi::responses::TransitionErrors::responses();
        responses.insert("200".into(), RefOr::T(changed));
        responses.insert(
            "404".into(),
            problem("No such sanction in the caller's scope."),
        );
        responses.insert("422".into(), problem("The body is invalid."));
        responses.insert(
            "409".into(),
            problem("The ladder refuses the step (the detail names the rule), or the sanction changed meanwhile."),
        );
        responses.insert(
            "428".into(),
            RefOr::Ref(Ref::from_response_name("PreconditionRequired")),
        );
        responses
    }
}

/// Record compliance.
#[utoipa::path(
    tag = "sanctions",
    operation_id = "recordSanctionCompliance",
    summary = "Record whether a warning or suspension was complied with",
    description = "`complied` may be recorded at any time; `not_complied` on a warning only after \
its deadline (409 before). Once per sanction (409 again). A warning becomes `complied` or \
`not_complied`; a suspension keeps its state (it stays in force until lifted or ended) and the \
record opens the next rung. Not for revocations (409). Roles: `head`, `oversight`.",
    params(("id" = String, Path, description = "The sanction's id."), RequiredIfMatch),
    request_body(content = RecordCompliance, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(SanctionStepResponses)
)]
#[post("/v1/sanctions/{id}/compliance")]
pub async fn record_compliance(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<RecordCompliance>,
) -> Result<HttpResponse, ApiError> {
    let ForWrite {
        row,
        organisation: org,
        kind,
        current,
        today,
        ..
    } = load_for_write(
        &state,
        &principal,
        path.into_inner(),
        Action::RecordCompliance,
        &req,
    )
    .await?;
    let body = body.0;
    let already = row
        .compliance
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(ApiError::internal)?;
    let to = check_compliance(kind, current, already, row.deadline, body.compliance, today)
        .map_err(refused)?;
    let stored_state = if to == SanctionState::Ended {
        row.state.clone()
    } else {
        to.as_str().to_owned()
    };
    let updated = SanctionRow {
        state: stored_state,
        compliance: Some(body.compliance.as_str().to_owned()),
        compliance_on: Some(today),
        compliance_by: Some(principal.id.clone()),
        compliance_note: body.note.as_deref().map(str::trim).map(str::to_owned),
        version: row.version + 1,
        updated_at: now_utc(),
        ..row.clone()
    };
    let mut history = event(&principal, &row.registration_id, "sanction.compliance");
    history.notes = Some(format!("{} {}", kind, body.compliance));
    write_sanction(
        &state,
        &principal,
        "sanction.compliance",
        updated,
        row.version,
        org,
        Some(history),
        false,
    )
    .await
}

/// Writes a changed sanction with its history and audit entries (and, for a lift, the
/// registration's move back to `registered`).
#[allow(clippy::too_many_arguments)]
async fn write_sanction(
    state: &AppState,
    principal: &Principal,
    action: &'static str,
    updated: SanctionRow,
    expected: i32,
    org: OrganisationRow,
    history: Option<register::EventRow>,
    lift: bool,
) -> Result<HttpResponse, ApiError> {
    let today = state.config.today();
    let trail = audit::on(
        audit::event(Some(principal), action, Outcome::Success),
        "sanction",
        &updated.id,
        Some(&updated.region_code),
    );
    let actor = principal.clone();
    let result = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                sanctions::update_sanction(conn, &updated, expected)?;
                if lift {
                    let (reg, _) = register::find_registration(conn, &updated.registration_id)?
                        .ok_or(PersistenceError::Refused("registration vanished"))?;
                    let note = updated.lifted_decree_number.clone().unwrap_or_default();
                    move_registration(conn, &actor, &reg, SanctionMove::Lift, today, None, &note)?;
                } else if let Some(history) = &history {
                    register::insert_event(conn, history)?;
                }
                audit_log::record(conn, &trail)?;
                view(conn, updated.clone(), org.clone())
            })
        })
        .await?;
    respond(StatusCode::OK, result, today)
}

/// Lift a suspension.
#[utoipa::path(
    tag = "sanctions",
    operation_id = "liftSanction",
    summary = "Record the decree lifting a suspension",
    description = "Only an `activity_suspension` in force (409 otherwise, also once its period has \
ended). The registration returns to `registered`. Roles: `head`.",
    params(("id" = String, Path, description = "The sanction's id."), RequiredIfMatch),
    request_body(content = LiftSanction, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(SanctionStepResponses)
)]
#[post("/v1/sanctions/{id}/lift")]
pub async fn lift_sanction(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<LiftSanction>,
) -> Result<HttpResponse, ApiError> {
    let ForWrite {
        row,
        registration: reg,
        organisation: org,
        kind,
        current,
        today,
    } = load_for_write(
        &state,
        &principal,
        path.into_inner(),
        Action::RecordSanctionDecision,
        &req,
    )
    .await?;
    let body = body.0;
    check_lift(kind, current).map_err(refused)?;
    let registration = effective_state(reg.state()?, reg.revision_due, reg.suspended_until, today);
    apply_sanction(registration, SanctionMove::Lift)
        .map_err(|e| refused(SanctionError::Lifecycle(e)))?;
    let updated = SanctionRow {
        state: SanctionState::Lifted.as_str().to_owned(),
        lifted_decree_number: Some(body.decree_number.trim().to_owned()),
        lifted_on: Some(body.decree_date),
        version: row.version + 1,
        updated_at: now_utc(),
        ..row.clone()
    };
    write_sanction(
        &state,
        &principal,
        "sanction.lift",
        updated,
        row.version,
        org,
        None,
        true,
    )
    .await
}

/// Answer a warning.
#[utoipa::path(
    tag = "sanctions",
    operation_id = "answerSanction",
    summary = "Answer a warning with a statement and documents",
    description = "The ormas's own representative answers a written warning addressed to it, with \
a statement and ids of documents uploaded to its ormas (422 for others'). Answers are appended; \
the sanction's version does not change. Roles: `ormas_rep` (its own ormas; another's: 404).",
    params(("id" = String, Path, description = "The sanction's id.")),
    request_body(content = AnswerWarning, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The sanction with the answer.", body = Sanction, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "Only representatives answer.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such sanction in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not a written warning.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "The statement is missing or a document is not the ormas's.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/sanctions/{id}/answer")]
pub async fn answer_sanction(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: ValidJson<AnswerWarning>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::AnswerWarning)?;
    let (row, _, org) = load_visible_sanction(&state, &principal, path.into_inner()).await?;
    check_answer(row.kind()?).map_err(refused)?;
    let body = body.0;
    let answer = SanctionAnswerRow {
        id: uuid::Uuid::now_v7().to_string(),
        sanction_id: row.id.clone(),
        statement: body.statement.trim().to_owned(),
        document_ids: serde_json::to_string(&body.document_ids).map_err(ApiError::internal)?,
        answered_by: Some(principal.id.clone()),
        answered_at: now_utc(),
    };
    let trail = audit::on(
        audit::event(Some(&principal), "sanction.answer", Outcome::Success),
        "sanction",
        &row.id,
        Some(&row.region_code),
    );
    let history = event(&principal, &row.registration_id, "sanction.answer");
    let document_ids = body.document_ids;
    let result = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let documents = register::list_documents(conn, &row.registration_id)?;
                let issues: Vec<FieldIssue> = document_ids
                    .iter()
                    .enumerate()
                    .filter(|(_, id)| !documents.iter().any(|d| &d.id == *id))
                    .map(|(i, _)| {
                        FieldIssue::new(
                            format!("document_ids[{i}]"),
                            "unknown_document",
                            Text::new(
                                "bukan dokumen milik ormas ini",
                                "is not a document of this ormas",
                            ),
                        )
                    })
                    .collect();
                if !issues.is_empty() {
                    return Ok(Err(issues));
                }
                sanctions::insert_answer(conn, &answer)?;
                register::insert_event(conn, &history)?;
                audit_log::record(conn, &trail)?;
                Ok(Ok(view(conn, row.clone(), org.clone())?))
            })
        })
        .await?;
    respond(
        StatusCode::CREATED,
        result.map_err(ApiError::validation)?,
        state.config.today(),
    )
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_ormas_sanctions)
        .service(create_sanction)
        .service(list_sanctions)
        .service(get_sanction)
        .service(record_compliance)
        .service(lift_sanction)
        .service(answer_sanction);
}
