//! The permit lifecycle: submit, review (the checklist per item), return, approve (the permit
//! number), refuse. The mechanism is [`crate::routes::lifecycle`]; the rule is
//! `ormas_domain::permits::apply_permit`.

use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Datelike;
use ormas_domain::permits::{
    ItemAnswers, PermitError, PermitTransition, StepContext, allowed_permit_transitions,
    answer_due_on, apply_permit, permit_number, valid_until,
};
use ormas_persistence::permits::{self, PermitEventRow, PermitRow, PermitWithOrmas};
use ormas_persistence::reference;
use ormas_persistence::register::OrganisationRow;
use ormas_persistence::{AnyConnection, PersistenceResult};

use super::dto::{
    AttributePermit, EmptyStep, ItemChecklist, RefuseRequest, ReturnRequest, ReviewRequest,
    event_row, stored_checklist, stored_items,
};
use super::{load_visible_permit, not_found};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::{OptionalJson, ValidJson};
use crate::routes::IfMatch;
use crate::routes::lifecycle::{
    Env, Lifecycle, Noun, StepResponses, Target, codes, not_allowed, role_not_permitted, transition,
};
use crate::routes::ormas::visible;
use crate::routes::services::{base_refusals, require_eligible};
use crate::state::AppState;

/// The permit lifecycle, for [`transition`].
pub struct Permits;

/// The body of a step.
pub enum StepBody {
    Empty,
    Review(ReviewRequest),
    Return(ReturnRequest),
    Refuse(RefuseRequest),
}

/// The write a step decided.
pub struct Change {
    updated: PermitRow,
    expected_version: i32,
    organisation: OrganisationRow,
    step: PermitTransition,
    history: PermitEventRow,
}

const NOUN: Noun = Noun {
    id: "permohonan izin atribut",
    en: "an attribute permit request",
    name: "attribute permit request",
};

fn item_issue(field: String, code: &str, id: &str, en: &str) -> FieldIssue {
    FieldIssue::new(field, code, Text::new(id, en))
}

fn refused(error: PermitError) -> ApiError {
    match error {
        PermitError::NotAllowed { from, transition } => not_allowed(
            NOUN,
            from.as_str(),
            transition.as_str(),
            &codes(allowed_permit_transitions(from)),
        ),
        PermitError::RoleNotPermitted { role, transition } => {
            role_not_permitted(NOUN, role, transition.as_str())
        }
        PermitError::NoItems => ApiError::validation(vec![item_issue(
            "items".into(),
            "required",
            "permohonan harus memuat sekurang-kurangnya satu butir",
            "a request needs at least one item",
        )]),
        PermitError::DesignMissing(numbers) => ApiError::validation(
            numbers
                .into_iter()
                .map(|n| {
                    item_issue(
                        format!("items[{}].design", n - 1),
                        "required",
                        "desain butir ini belum diunggah",
                        "this item's design is not uploaded",
                    )
                })
                .collect(),
        ),
        PermitError::ChecklistIncomplete(open) => ApiError::validation(
            open.into_iter()
                .map(|u| {
                    item_issue(
                        format!("items[{}].{}", u.number - 1, u.question),
                        "required",
                        "pertanyaan daftar periksa ini wajib dijawab",
                        "this checklist question must be answered",
                    )
                })
                .collect(),
        ),
        PermitError::Flagged(items) => {
            let numbers: Vec<String> = items.iter().map(|f| f.number.to_string()).collect();
            let list = numbers.join(", ");
            let errors = items
                .iter()
                .flat_map(|f| {
                    f.questions.iter().map(move |q| {
                        item_issue(
                            format!("items[{}].{q}", f.number - 1),
                            "flagged",
                            &format!("butir {} ditandai: {q}", f.number),
                            &format!("item {} is flagged: {q}", f.number),
                        )
                    })
                })
                .collect();
            ApiError::new(ErrorKind::Conflict)
                .with_detail(Text::new(
                    format!("Tidak dapat disetujui: butir {list} ditandai dalam daftar periksa UU 16/2017 Ps 59(1)."),
                    format!("Cannot approve: item(s) {list} flagged by the UU 16/2017 Ps 59(1) checklist."),
                ))
                .with_errors(errors)
        }
        PermitError::ReasonRequired => ApiError::validation(vec![item_issue(
            "reason".into(),
            "required",
            "catatan (pengembalian) atau alasan (penolakan) wajib diisi",
            "notes (to return) or a ground (to refuse) are required",
        )]),
        PermitError::RefusedItemsInvalid => ApiError::validation(vec![item_issue(
            "items".into(),
            "invalid_items",
            "sebutkan nomor butir yang ditolak (mulai 1, dari permohonan ini)",
            "name the numbers of the items refused (from 1, of this request)",
        )]),
    }
}

impl Lifecycle for Permits {
    type Loaded = PermitWithOrmas;
    type Step = PermitTransition;
    type Body = StepBody;
    type Change = Change;
    type Saved = (PermitRow, OrganisationRow);
    type View = AttributePermit;

    const NAME: &'static str = "attribute_permit";
    const NOUN: Noun = NOUN;

    fn action(step: PermitTransition) -> ormas_domain::Action {
        step.action()
    }

    fn find(
        conn: &mut AnyConnection,
        id: &str,
        _: &Env,
    ) -> PersistenceResult<Option<PermitWithOrmas>> {
        permits::find_permit(conn, id)
    }

    fn visible(principal: &Principal, (_, reg, _): &PermitWithOrmas) -> bool {
        visible(principal, &reg.id, &reg.region_code)
    }

    fn not_found(id: &str) -> ApiError {
        not_found(id)
    }

    fn target((row, _, _): &PermitWithOrmas) -> Target {
        Target {
            id: row.id.clone(),
            region_code: row.region_code.clone(),
            version: row.version,
        }
    }

    fn decide(
        (row, _, organisation): PermitWithOrmas,
        step: PermitTransition,
        body: StepBody,
        principal: &Principal,
        env: &Env,
    ) -> Result<Change, ApiError> {
        let from = row.state()?;
        let items = stored_items(&row)?;
        let mut checklist = stored_checklist(&row)?;
        let mut ctx = StepContext {
            item_count: items.len(),
            items_without_design: items
                .iter()
                .enumerate()
                .filter(|(_, item)| item.design.is_none())
                .map(|(i, _)| i + 1)
                .collect(),
            ..StepContext::default()
        };
        match &body {
            StepBody::Review(review) => {
                if allowed_permit_transitions(from).contains(&step)
                    && review.items.len() > items.len()
                {
                    return Err(ApiError::validation(
                        (items.len()..review.items.len())
                            .map(|i| {
                                item_issue(
                                    format!("items[{i}]"),
                                    "unknown_item",
                                    "permohonan tidak memiliki butir ini",
                                    "the request has no such item",
                                )
                            })
                            .collect(),
                    ));
                }
                checklist = review.items.clone();
            }
            StepBody::Return(ret) => ctx.reason = ret.notes.clone(),
            StepBody::Refuse(refuse) => {
                ctx.reason = refuse.ground.clone();
                ctx.refused_items = refuse.items.clone();
            }
            StepBody::Empty => {}
        }
        ctx.answers = checklist
            .iter()
            .map(ItemChecklist::answers)
            .collect::<Vec<ItemAnswers>>();
        let to = apply_permit(from, step, principal.role, &ctx).map_err(refused)?;
        let today = env.today;
        let at = now_utc();
        let mut updated = PermitRow {
            state: to.as_str().to_owned(),
            version: row.version + 1,
            updated_at: at,
            ..row.clone()
        };
        let mut note = None;
        match (step, body) {
            (PermitTransition::Submit, _) => {
                updated.first_submitted_on = row.first_submitted_on.or(Some(today));
                updated.submitted_on = Some(today);
                updated.return_notes = None;
            }
            (PermitTransition::Review, _) => {
                updated.checklist =
                    Some(serde_json::to_string(&checklist).map_err(ApiError::internal)?);
                updated.reviewed_on = Some(today);
                updated.reviewed_by = Some(principal.id.clone());
            }
            (PermitTransition::Return, StepBody::Return(ret)) => {
                updated.return_notes = ret.notes.map(|n| n.trim().to_owned());
                note = updated.return_notes.clone();
            }
            (PermitTransition::Approve, _) => {
                updated.decided_on = Some(today);
                updated.decided_by = Some(principal.id.clone());
                updated.valid_from = Some(today);
                updated.valid_until = Some(valid_until(
                    today,
                    env.config.attribute_permits.validity_months,
                ));
            }
            (PermitTransition::Refuse, StepBody::Refuse(refuse)) => {
                updated.decided_on = Some(today);
                updated.decided_by = Some(principal.id.clone());
                updated.refusal_ground = refuse.ground.map(|g| g.trim().to_owned());
                let mut numbers = refuse.items;
                numbers.sort_unstable();
                numbers.dedup();
                updated.refused_items =
                    Some(serde_json::to_string(&numbers).map_err(ApiError::internal)?);
                note = updated.refusal_ground.clone();
            }
            _ => return Err(ApiError::internal("a step with another step's body")),
        }
        let history = event_row(
            &row.id,
            Some(&principal.id),
            at,
            &format!("attribute_permit.{step}"),
            Some(from),
            Some(to),
            note,
        );
        Ok(Change {
            updated,
            expected_version: row.version,
            organisation,
            step,
            history,
        })
    }

    fn write(
        conn: &mut AnyConnection,
        change: Change,
        env: &Env,
    ) -> PersistenceResult<(PermitRow, OrganisationRow)> {
        let Change {
            mut updated,
            expected_version,
            organisation,
            step,
            mut history,
        } = change;
        let today = env.today;
        match step {
            PermitTransition::Submit => {
                let calendar = reference::holiday_calendar_from(conn, today)?;
                updated.answer_due_on = answer_due_on(
                    today,
                    env.config.attribute_permits.answer_working_days,
                    &calendar,
                )
                .ok();
            }
            PermitTransition::Approve => {
                let seq = permits::next_permit_sequence(conn, &updated.region_code, today.year())?;
                let number = permit_number(seq.max(0) as u32, &updated.region_code, today);
                history.note = Some(number.clone());
                updated.permit_number = Some(number);
            }
            _ => {}
        }
        // A stale version rolls back the sequence's advance with it: no number is skipped.
        permits::update_permit(conn, &updated, expected_version)?;
        permits::insert_event(conn, &history)?;
        Ok((updated, organisation))
    }

    fn view(
        (row, organisation): (PermitRow, OrganisationRow),
        env: &Env,
    ) -> Result<AttributePermit, ApiError> {
        AttributePermit::build(&row, &organisation, env.today)
    }
}

/// The eligibility of the ormas, checked before submitting and approving (after the role and
/// the scope, like every step).
async fn require_ormas_eligible(
    state: &AppState,
    principal: &Principal,
    id: &str,
    step: PermitTransition,
) -> Result<(), ApiError> {
    principal.require(step.action())?;
    let (_, reg, org) = load_visible_permit(state, principal, id.to_owned()).await?;
    require_eligible("registration_id", &base_refusals(state, &reg, &org)?)
}

/// Submit a request.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "submitAttributePermit",
    summary = "Submit an attribute permit request",
    description = "From `draft` or `returned` to `submitted`: needs at least one item and every item's design. The office's answer is due `ORMAS_ATTRIBUTE_PERMIT_ANSWER_DAYS` working days later (default 7; weekends and holidays skipped), `answer_due_on`. The ormas must still be eligible (409 `not_eligible`, e.g. `sanctioned`). Roles: `ormas_rep` (its own ormas), `officer`.",
    params(("id" = String, Path, description = "The request's id."), IfMatch),
    request_body(content = Option<EmptyStep>, content_type = "application/json", description = "Optional: no body, or `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "No item, or an item without its design.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Permits>,
    )
)]
#[post("/v1/attribute-permits/{id}/submit")]
pub async fn submit_permit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    _body: OptionalJson<EmptyStep>,
) -> Result<HttpResponse, ApiError> {
    let step = PermitTransition::Submit;
    let id = path.into_inner();
    require_ormas_eligible(&state, &principal, &id, step).await?;
    transition::<Permits>(&state, principal, id, &req, StepBody::Empty, step).await
}

/// Review a request.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "reviewAttributePermit",
    summary = "Answer the checklist of every item",
    description = "From `submitted` (or `reviewed`, to correct it) to `reviewed`: one checklist per item, in item order, each of the five UU 16/2017 Ps 59(1) questions answered yes or no with a note; a missing item or question is a 422 pointing at it (`items[0].resembles_political_party`). A `yes` does not stop the review; it stops the approval. Roles: `officer`.",
    params(("id" = String, Path, description = "The request's id."), IfMatch),
    request_body(content = ReviewRequest, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "An item or a question is unanswered, or the body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Permits>,
    )
)]
#[post("/v1/attribute-permits/{id}/review")]
pub async fn review_permit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = PermitTransition::Review;
    let body = StepBody::Review(body.0);
    transition::<Permits>(&state, principal, path.into_inner(), &req, body, step).await
}

/// Return a request.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "returnAttributePermit",
    summary = "Return an attribute permit request",
    description = "From `submitted` or `reviewed` to `returned`, with notes; the ormas edits it and submits again. Roles: `officer`.",
    params(("id" = String, Path, description = "The request's id."), IfMatch),
    request_body(content = ReturnRequest, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "The notes are missing, or the body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Permits>,
    )
)]
#[post("/v1/attribute-permits/{id}/return")]
pub async fn return_permit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<ReturnRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = PermitTransition::Return;
    let body = StepBody::Return(body.0);
    transition::<Permits>(&state, principal, path.into_inner(), &req, body, step).await
}

/// Approve a request.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "approveAttributePermit",
    summary = "Approve an attribute permit request",
    description = "From `reviewed` to `approved`: impossible while any item has a `yes` in its checklist (409 naming the items and questions in `errors`). Issues the next permit number of the office's gap-free sequence for the year, `{seq:04}/IPA/{region}/{roman month}/{year}`, valid from today for `ORMAS_ATTRIBUTE_PERMIT_VALIDITY_MONTHS` months (default 6). The ormas must still be eligible (409 `not_eligible`). Roles: `head`.",
    params(("id" = String, Path, description = "The request's id."), IfMatch),
    request_body(content = Option<EmptyStep>, content_type = "application/json", description = "Optional: no body, or `{}`."),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "The body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Permits>,
    )
)]
#[post("/v1/attribute-permits/{id}/approve")]
pub async fn approve_permit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    _body: OptionalJson<EmptyStep>,
) -> Result<HttpResponse, ApiError> {
    let step = PermitTransition::Approve;
    let id = path.into_inner();
    require_ormas_eligible(&state, &principal, &id, step).await?;
    transition::<Permits>(&state, principal, id, &req, StepBody::Empty, step).await
}

/// Refuse a request.
#[utoipa::path(
    tag = "attribute-permits",
    operation_id = "refuseAttributePermit",
    summary = "Refuse an attribute permit request",
    description = "From `submitted` or `reviewed` to `refused`, naming the ground and the items (their numbers, from 1). Roles: `officer`, `head`.",
    params(("id" = String, Path, description = "The request's id."), IfMatch),
    request_body(content = RefuseRequest, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 422, description = "The ground or the items are missing or unknown, or the body is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        StepResponses<Permits>,
    )
)]
#[post("/v1/attribute-permits/{id}/refuse")]
pub async fn refuse_permit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<RefuseRequest>,
) -> Result<HttpResponse, ApiError> {
    let step = PermitTransition::Refuse;
    let body = StepBody::Refuse(body.0);
    transition::<Permits>(&state, principal, path.into_inner(), &req, body, step).await
}
