//! The grant lifecycle: submit, verify, return, approve, reject, agreement, disbursement, the LPJ
//! and its acceptance. The mechanism is [`crate::routes::lifecycle`]; the rules are
//! `ormas_domain::grants`.

use actix_web::{HttpRequest, HttpResponse, post, web};
use ormas_domain::Action;
use ormas_domain::grants::{
    GRANT_LPJ, GrantEligibilityInput, GrantError, GrantStep, OtherGrant, allowed_grant_steps,
    apply_grant, grant_refusals, missing_proposal_documents,
};
use ormas_domain::registration::effective_state;
use ormas_domain::sanctions::EligibilityInput;
use ormas_domain::services::service_refusals;
use ormas_persistence::grants::{self, GrantEventRow, GrantRow, GrantWithOrmas};
use ormas_persistence::register::{self, DocumentRow, OrganisationRow};
use ormas_persistence::{AnyConnection, PersistenceResult};

use super::dto::{
    AccountabilityStep, AgreementStep, ApproveGrant, DisbursementStep, EmptyStep, GrantProposal,
    LpjFiling, ReasonStep, StepBody, Verification, VerifyGrant,
};
use super::{event, not_found, unknown_documents};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, FieldIssue, Text};
use crate::extract::{OptionalJson, ValidJson};
use crate::routes::IfMatch;
use crate::routes::lifecycle::{
    Env, Lifecycle, Noun, StepResponses, Target, codes, not_allowed, role_not_permitted, transition,
};
use crate::routes::ormas::visible;
use crate::routes::services::require_eligible;
use crate::state::AppState;

/// The grant lifecycle, for [`transition`].
pub struct Grants;

/// A proposal with the facts its steps read: the registration's board positions, documents and
/// other proposals.
pub struct Loaded {
    ormas: GrantWithOrmas,
    board_positions: Vec<String>,
    documents: Vec<DocumentRow>,
    others: Vec<OtherGrant>,
}

pub struct Change {
    updated: GrantRow,
    expected_version: i32,
    organisation: OrganisationRow,
    history: GrantEventRow,
}

const NOUN: Noun = Noun {
    id: "usulan hibah",
    en: "a grant proposal",
    name: "grant proposal",
};

fn refused(error: GrantError) -> ApiError {
    match error {
        GrantError::NotAllowed { from, step } => not_allowed(
            NOUN,
            from.as_str(),
            step.as_str(),
            &codes(allowed_grant_steps(from)),
        ),
        GrantError::RoleNotPermitted { role, step } => {
            role_not_permitted(NOUN, role, step.as_str())
        }
    }
}

fn issue(field: &str, code: &str, id: String, en: String) -> FieldIssue {
    FieldIssue::new(field, code, Text::new(id, en))
}

fn not_after_today(
    field: &str,
    date: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Vec<FieldIssue> {
    if date > today {
        vec![issue(
            field,
            "in_future",
            "tidak boleh setelah hari ini".into(),
            "must not be after today".into(),
        )]
    } else {
        Vec::new()
    }
}

fn not_before(
    field: &str,
    date: chrono::NaiveDate,
    earlier: Option<chrono::NaiveDate>,
) -> Vec<FieldIssue> {
    match earlier {
        Some(e) if date < e => vec![issue(
            field,
            "too_early",
            format!("tidak boleh sebelum {e}"),
            format!("must not be before {e}"),
        )],
        _ => Vec::new(),
    }
}

fn check(issues: Vec<FieldIssue>) -> Result<(), ApiError> {
    if issues.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(issues))
    }
}

/// Every grant condition unmet on `env.today`, for submit and approve.
fn eligibility(loaded: &Loaded, env: &Env) -> Result<(), ApiError> {
    let (row, reg, org) = &loaded.ormas;
    let today = env.today;
    let base = service_refusals(
        &EligibilityInput {
            state: effective_state(reg.state()?, reg.revision_due, reg.suspended_until, today),
            kind: org.kind()?,
            skt_expires_on: org.skt_expires_on,
            organisation_dissolved: org.dissolved_on.is_some_and(|on| on <= today),
        },
        today,
    );
    let input = GrantEligibilityInput {
        base,
        kind: org.kind()?,
        ahu_number: org.ahu_number.clone(),
        ahu_date: org.ahu_date,
        registered_in: reg.region_code.clone(),
        office_region: row.region_code.clone(),
        board_positions: loaded.board_positions.clone(),
        document_types: loaded
            .documents
            .iter()
            .map(|d| d.doc_type.clone())
            .collect(),
        min_legal_entity_years: env.config.grants.min_legal_entity_years,
        others: loaded.others.clone(),
        fiscal_year: row.fiscal_year,
    };
    require_eligible("registration_id", &grant_refusals(&input, today))
}

impl Lifecycle for Grants {
    type Loaded = Loaded;
    type Step = GrantStep;
    type Body = StepBody;
    type Change = Change;
    type Saved = (GrantRow, OrganisationRow);
    type View = GrantProposal;

    const NAME: &'static str = "grant_proposal";
    const NOUN: Noun = NOUN;

    fn action(step: GrantStep) -> Action {
        step.action()
    }

    fn find(conn: &mut AnyConnection, id: &str, _: &Env) -> PersistenceResult<Option<Loaded>> {
        let Some(ormas) = grants::find_grant(conn, id)? else {
            return Ok(None);
        };
        let reg_id = ormas.1.id.clone();
        Ok(Some(Loaded {
            board_positions: register::board_positions(conn, &reg_id)?,
            documents: register::list_documents(conn, &reg_id)?,
            others: grants::other_grants(conn, &reg_id, Some(id))?,
            ormas,
        }))
    }

    fn visible(principal: &Principal, loaded: &Loaded) -> bool {
        let reg = &loaded.ormas.1;
        visible(principal, &reg.id, &reg.region_code)
    }

    fn not_found(id: &str) -> ApiError {
        not_found(id)
    }

    fn target(loaded: &Loaded) -> Target {
        let row = &loaded.ormas.0;
        Target {
            id: row.id.clone(),
            region_code: row.region_code.clone(),
            version: row.version,
        }
    }

    fn decide(
        loaded: Loaded,
        step: GrantStep,
        body: StepBody,
        principal: &Principal,
        env: &Env,
    ) -> Result<Change, ApiError> {
        let row = loaded.ormas.0.clone();
        let from = row.state()?;
        let to = apply_grant(from, step, principal.role).map_err(refused)?;
        let today = env.today;
        let mut updated = GrantRow {
            state: to.as_str().to_owned(),
            version: row.version + 1,
            updated_at: now_utc(),
            ..row.clone()
        };
        let mut notes = serde_json::Value::Null;
        match (step, body) {
            (GrantStep::Submit, _) => {
                eligibility(&loaded, env)?;
                let ids: Vec<String> = serde_json::from_str(&row.document_ids).unwrap_or_default();
                let present: Vec<&str> = loaded
                    .documents
                    .iter()
                    .filter(|d| ids.contains(&d.id))
                    .map(|d| d.doc_type.as_str())
                    .collect();
                let missing = missing_proposal_documents(present.iter().copied());
                check(
                    missing
                        .iter()
                        .map(|t| {
                            issue(
                                "document_ids",
                                "missing_document",
                                format!("dokumen {t} wajib dilampirkan"),
                                format!("a {t} document is required"),
                            )
                        })
                        .collect(),
                )?;
                updated.submitted_on = Some(today);
            }
            (GrantStep::Verify, StepBody::Verify(v)) => {
                let VerifyGrant {
                    recommended_amount,
                    notes: text,
                    team,
                } = v;
                if recommended_amount > row.requested_amount {
                    check(vec![issue(
                        "recommended_amount",
                        "exceeds_requested",
                        format!(
                            "tidak boleh melebihi nilai usulan Rp{}",
                            row.requested_amount
                        ),
                        format!("must not exceed the requested Rp{}", row.requested_amount),
                    )])?;
                }
                updated.recommended_amount = Some(recommended_amount);
                let verification = Verification {
                    notes: text.trim().to_owned(),
                    team: team.iter().map(|t| t.trim().to_owned()).collect(),
                    verified_on: today,
                };
                updated.verification =
                    Some(serde_json::to_string(&verification).map_err(ApiError::internal)?);
                notes = serde_json::json!({"recommended_amount": recommended_amount});
            }
            (GrantStep::Return | GrantStep::Reject, StepBody::Reason(r)) => {
                updated.reason = Some(r.reason.trim().to_owned());
                notes = serde_json::json!({"reason": r.reason.trim()});
            }
            (GrantStep::Approve, StepBody::Approve(a)) => {
                eligibility(&loaded, env)?;
                let recommended = row.recommended_amount.unwrap_or(0);
                let mut issues = not_after_today("decree_date", a.decree_date, today);
                if a.approved_amount > recommended {
                    issues.push(issue(
                        "approved_amount",
                        "exceeds_recommended",
                        format!("tidak boleh melebihi rekomendasi Rp{recommended}"),
                        format!("must not exceed the recommended Rp{recommended}"),
                    ));
                }
                check(issues)?;
                updated.decree_number = Some(a.decree_number.trim().to_owned());
                updated.decree_date = Some(a.decree_date);
                updated.approved_amount = Some(a.approved_amount);
                notes = serde_json::json!({"decree_number": a.decree_number.trim(), "approved_amount": a.approved_amount});
            }
            (GrantStep::Agreement, StepBody::Agreement(a)) => {
                let mut issues = not_after_today("agreement_date", a.agreement_date, today);
                issues.extend(not_before(
                    "agreement_date",
                    a.agreement_date,
                    row.decree_date,
                ));
                check(issues)?;
                updated.agreement_number = Some(a.agreement_number.trim().to_owned());
                updated.agreement_date = Some(a.agreement_date);
                notes = serde_json::json!({"agreement_number": a.agreement_number.trim()});
            }
            (GrantStep::Disbursement, StepBody::Disbursement(d)) => {
                let approved = row.approved_amount.unwrap_or(0);
                let mut issues = not_after_today("disbursed_on", d.disbursed_on, today);
                issues.extend(not_before(
                    "disbursed_on",
                    d.disbursed_on,
                    row.agreement_date,
                ));
                if d.amount > approved {
                    issues.push(issue(
                        "amount",
                        "exceeds_approved",
                        format!("tidak boleh melebihi nilai yang disetujui Rp{approved}"),
                        format!("must not exceed the approved Rp{approved}"),
                    ));
                }
                check(issues)?;
                updated.disbursed_on = Some(d.disbursed_on);
                updated.disbursed_amount = Some(d.amount);
                notes = serde_json::json!({"amount": d.amount});
            }
            (GrantStep::Accountability, StepBody::Accountability(l)) => {
                let disbursed = row.disbursed_amount.unwrap_or(0);
                let mut issues =
                    unknown_documents("document_ids", &l.document_ids, &loaded.documents);
                let has_lpj = loaded
                    .documents
                    .iter()
                    .any(|d| d.doc_type == GRANT_LPJ && l.document_ids.contains(&d.id));
                if issues.is_empty() && !has_lpj {
                    issues.push(issue(
                        "document_ids",
                        "missing_document",
                        format!("dokumen {GRANT_LPJ} wajib dilampirkan"),
                        format!("a {GRANT_LPJ} document is required"),
                    ));
                }
                if l.spent_amount.checked_add(l.returned_amount) != Some(disbursed) {
                    issues.push(issue(
                        "spent_amount",
                        "lpj_mismatch",
                        format!("dana terpakai + disetor kembali harus sama dengan dana yang dicairkan Rp{disbursed}"),
                        format!("spent + returned must equal the disbursed Rp{disbursed}"),
                    ));
                }
                check(issues)?;
                updated.lpj_spent_amount = Some(l.spent_amount);
                updated.lpj_returned_amount = Some(l.returned_amount);
                let filing = LpjFiling {
                    document_ids: l.document_ids,
                    notes: l.notes.map(|n| n.trim().to_owned()),
                };
                updated.lpj = Some(serde_json::to_string(&filing).map_err(ApiError::internal)?);
                updated.lpj_submitted_on = Some(today);
                notes = serde_json::json!({"spent_amount": l.spent_amount, "returned_amount": l.returned_amount});
            }
            (GrantStep::AcceptAccountability, _) => {
                updated.lpj_accepted_on = Some(today);
            }
            // Each handler passes its own body; any other pairing is a programming error.
            (step, _) => {
                return Err(ApiError::internal(format!("no body for step {step}")));
            }
        }
        let history = event(
            principal,
            &row.id,
            step.as_str(),
            Some(from.as_str()),
            Some(to.as_str()),
            (!notes.is_null()).then_some(notes),
        );
        Ok(Change {
            updated,
            expected_version: row.version,
            organisation: loaded.ormas.2,
            history,
        })
    }

    fn write(
        conn: &mut AnyConnection,
        change: Change,
        _: &Env,
    ) -> PersistenceResult<(GrantRow, OrganisationRow)> {
        grants::update_grant(conn, &change.updated, change.expected_version)?;
        grants::insert_grant_event(conn, &change.history)?;
        Ok((change.updated, change.organisation))
    }

    fn view((row, org): (GrantRow, OrganisationRow), env: &Env) -> Result<GrantProposal, ApiError> {
        GrantProposal::build(&row, &org, env.today)
    }
}

macro_rules! step_handler {
    ($name:ident, $path:literal, $op:literal, $summary:literal, $description:literal, $step:expr, $body:ty, $wrap:expr, $extract:ident, $unprocessable:literal) => {
        #[doc = $summary]
        #[utoipa::path(
            tag = "grants",
            operation_id = $op,
            summary = $summary,
            description = $description,
            params(("id" = String, Path, description = "The proposal's id."), IfMatch),
            request_body(content = $body, content_type = "application/json"),
            security(("bearer" = []), ("client_credentials" = [])),
            responses(
                (status = 422, description = $unprocessable, body = ormas_openapi::Problem, content_type = "application/problem+json"),
                StepResponses<Grants>,
            )
        )]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            principal: Principal,
            path: web::Path<String>,
            req: HttpRequest,
            body: $extract<$body>,
        ) -> Result<HttpResponse, ApiError> {
            let wrap: fn($body) -> StepBody = $wrap;
            transition::<Grants>(&state, principal, path.into_inner(), &req, wrap(body.0), $step)
                .await
        }
    };
}

step_handler!(
    submit_grant,
    "/v1/grant-proposals/{id}/submit",
    "submitGrantProposal",
    "Submit a grant proposal",
    "From `draft` or `returned` to `submitted`. The ormas must still be eligible (409 `not_eligible` naming every unmet condition) and the proposal carry a `grant_proposal_letter`, a `grant_budget` and a `board_decree` among its documents (422 on `document_ids`). Roles: `ormas_rep` (its own ormas), `officer`.",
    GrantStep::Submit,
    EmptyStep,
    |_| StepBody::Empty,
    OptionalJson,
    "A required document is missing, or the body is invalid."
);
step_handler!(
    verify_grant,
    "/v1/grant-proposals/{id}/verify",
    "verifyGrantProposal",
    "Record the verification team's recommendation",
    "From `submitted` to `verified`: the recommended amount (at most the requested one, 422 otherwise), the notes and the team's members. Roles: `officer`.",
    GrantStep::Verify,
    VerifyGrant,
    StepBody::Verify,
    ValidJson,
    "The recommended amount exceeds the requested one, or the body is invalid."
);
step_handler!(
    return_grant,
    "/v1/grant-proposals/{id}/return",
    "returnGrantProposal",
    "Return a grant proposal",
    "From `submitted` to `returned`, with a reason; the ormas corrects it and submits again. Roles: `officer`.",
    GrantStep::Return,
    ReasonStep,
    StepBody::Reason,
    ValidJson,
    "The reason is missing, or the body is invalid."
);
step_handler!(
    approve_grant,
    "/v1/grant-proposals/{id}/approve",
    "approveGrantProposal",
    "Approve a grant proposal by decree",
    "From `verified` to `approved`: the regional head's decree number and date and the approved amount (at most the recommended one). The ormas must still be eligible (409 `not_eligible`). Roles: `head`.",
    GrantStep::Approve,
    ApproveGrant,
    StepBody::Approve,
    ValidJson,
    "The approved amount exceeds the recommendation, the decree is dated in the future, or the body is invalid."
);
step_handler!(
    reject_grant,
    "/v1/grant-proposals/{id}/reject",
    "rejectGrantProposal",
    "Reject a grant proposal",
    "From `verified` to `rejected`, with a reason. Roles: `head`.",
    GrantStep::Reject,
    ReasonStep,
    StepBody::Reason,
    ValidJson,
    "The reason is missing, or the body is invalid."
);
step_handler!(
    sign_grant_agreement,
    "/v1/grant-proposals/{id}/agreement",
    "signGrantAgreement",
    "Record the signed grant agreement (NPHD)",
    "From `approved` to `agreement_signed`: the NPHD's number and date (not before the decree, not in the future). Roles: `head`.",
    GrantStep::Agreement,
    AgreementStep,
    StepBody::Agreement,
    ValidJson,
    "The date is out of order, or the body is invalid."
);
step_handler!(
    disburse_grant,
    "/v1/grant-proposals/{id}/disbursement",
    "disburseGrant",
    "Record the disbursement",
    "From `agreement_signed` to `disbursed`: the transfer's date and amount (at most the approved one). The LPJ is then due by `lpj_due_on`. Roles: `officer`.",
    GrantStep::Disbursement,
    DisbursementStep,
    StepBody::Disbursement,
    ValidJson,
    "The amount exceeds the approved one, the date is out of order, or the body is invalid."
);
step_handler!(
    file_grant_accountability,
    "/v1/grant-proposals/{id}/accountability",
    "fileGrantAccountability",
    "File the accountability report (LPJ)",
    "From `disbursed` (or to correct it, `accountability_submitted`) to `accountability_submitted`: the amount spent and the amount returned to the treasury, which must add up to the disbursed amount exactly (422 on `spent_amount`), with at least one `grant_lpj` document. Roles: `ormas_rep` (its own ormas), `officer`.",
    GrantStep::Accountability,
    AccountabilityStep,
    StepBody::Accountability,
    ValidJson,
    "Spent + returned differ from the disbursed amount, a document is unknown or missing, or the body is invalid."
);
step_handler!(
    accept_grant_accountability,
    "/v1/grant-proposals/{id}/accept-accountability",
    "acceptGrantAccountability",
    "Accept the LPJ",
    "From `accountability_submitted` to `accounted`: the grant is closed and no longer reads `lpj_overdue`. Roles: `officer`.",
    GrantStep::AcceptAccountability,
    EmptyStep,
    |_| StepBody::Empty,
    OptionalJson,
    "The body is invalid."
);
