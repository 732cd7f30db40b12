//! Grant proposals (usulan hibah) with their accountability report (LPJ): the proposal, its
//! eligibility (one rule, `ormas_domain::grants::grant_refusals`), the lifecycle, the list.

pub mod crud;
pub mod dto;
pub mod totals;
pub mod transitions;

use ormas_domain::Action;
use ormas_domain::grants::{
    BudgetLine, GrantEligibilityInput, GrantPolicy, budget_total, grant_refusals,
};
use ormas_domain::services::ServiceRefusal;
use ormas_persistence::grants::{self, GrantEventRow, GrantWithOrmas};
use ormas_persistence::register::{self, DocumentRow, OrganisationRow, RegistrationRow};
use ormas_persistence::{AnyConnection, PersistenceResult};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, FieldIssue, Text};
use crate::routes::ormas::visible;
use crate::state::AppState;
use dto::{BankAccount, BudgetLine as BudgetLineDto};

pub fn not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Usulan hibah {id} tidak ditemukan."),
        format!("No grant proposal {id}."),
    ))
}

/// Loads a proposal the caller may see: staff and integrators within their region, a
/// representative only its own ormas's. Others' proposals are 404.
pub async fn load_visible_grant(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<GrantWithOrmas, ApiError> {
    principal.require(Action::ReadGrants)?;
    let lookup = id.clone();
    let found = state
        .db(move |conn| grants::find_grant(conn, &lookup))
        .await?;
    found
        .filter(|(_, reg, _)| visible(principal, &reg.id, &reg.region_code))
        .ok_or_else(|| not_found(&id))
}

/// 422 on `budget_lines` when the lines do not add up to the requested amount exactly.
pub fn budget_issues(requested: i64, lines: &[BudgetLineDto]) -> Vec<FieldIssue> {
    let domain: Vec<BudgetLine> = lines
        .iter()
        .map(|l| BudgetLine {
            quantity: l.quantity,
            unit_price: l.unit_price,
        })
        .collect();
    match budget_total(&domain) {
        Some(total) if total == requested => Vec::new(),
        Some(total) => vec![FieldIssue::new(
            "budget_lines",
            "budget_mismatch",
            Text::new(
                format!(
                    "jumlah RAB Rp{total} harus sama dengan nilai yang diusulkan Rp{requested}"
                ),
                format!("the budget lines add up to Rp{total}, not the requested Rp{requested}"),
            ),
        )],
        None => vec![FieldIssue::new(
            "budget_lines",
            "budget_overflow",
            Text::new(
                "jumlah RAB terlalu besar",
                "the budget lines add up to too much",
            ),
        )],
    }
}

fn normalised(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// 422 on `bank_account.holder` unless the account is in the ormas's name (or abbreviation).
pub fn bank_issues(account: &BankAccount, org: &OrganisationRow) -> Vec<FieldIssue> {
    let holder = normalised(&account.holder);
    let names = std::iter::once(org.name.as_str()).chain(org.abbreviation.as_deref());
    if names
        .map(normalised)
        .any(|n| !n.is_empty() && holder.contains(&n))
    {
        Vec::new()
    } else {
        vec![FieldIssue::new(
            "bank_account.holder",
            "not_ormas_account",
            Text::new(
                format!("rekening harus atas nama ormas ({})", org.name),
                format!("the account must be in the ormas's name ({})", org.name),
            ),
        )]
    }
}

/// 422 for each id that is not a document of the registration.
pub fn unknown_documents(
    field: &str,
    ids: &[String],
    documents: &[DocumentRow],
) -> Vec<FieldIssue> {
    ids.iter()
        .enumerate()
        .filter(|(_, id)| !documents.iter().any(|d| &d.id == *id))
        .map(|(i, _)| {
            FieldIssue::new(
                format!("{field}[{i}]"),
                "unknown_document",
                Text::new(
                    "bukan dokumen milik ormas ini",
                    "is not a document of this ormas",
                ),
            )
        })
        .collect()
}

/// Every grant condition the registration does not meet on `today`, read in one trip:
/// its board, its documents, its other proposals.
#[allow(clippy::too_many_arguments)]
pub fn refusals_in(
    conn: &mut AnyConnection,
    base: Vec<ServiceRefusal>,
    reg: &RegistrationRow,
    org: &OrganisationRow,
    office_region: &str,
    fiscal_year: i32,
    except: Option<&str>,
    policy: GrantPolicy,
    today: chrono::NaiveDate,
) -> PersistenceResult<Vec<ServiceRefusal>> {
    let board_positions = register::board_positions(conn, &reg.id)?;
    let document_types = register::document_types_for(conn, std::slice::from_ref(&reg.id))?
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    let others = grants::other_grants(conn, &reg.id, except)?;
    let input = GrantEligibilityInput {
        base,
        kind: org.kind()?,
        ahu_number: org.ahu_number.clone(),
        ahu_date: org.ahu_date,
        registered_in: reg.region_code.clone(),
        office_region: office_region.to_owned(),
        board_positions,
        document_types,
        min_legal_entity_years: policy.min_legal_entity_years,
        others,
        fiscal_year,
    };
    Ok(grant_refusals(&input, today))
}

/// A history entry of a proposal.
pub fn event(
    principal: &Principal,
    grant_id: &str,
    action: &str,
    from: Option<&str>,
    to: Option<&str>,
    notes: Option<serde_json::Value>,
) -> GrantEventRow {
    GrantEventRow {
        id: uuid::Uuid::now_v7().to_string(),
        grant_id: grant_id.to_owned(),
        occurred_at: now_utc(),
        actor_id: Some(principal.id.clone()),
        action: action.to_owned(),
        from_state: from.map(str::to_owned),
        to_state: to.map(str::to_owned),
        notes: notes.map(|n| n.to_string()),
    }
}

/// Registers this module's handlers, in the order of their paths in the OpenAPI document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(crud::list_grants)
        .service(crud::create_grant)
        .service(crud::get_grant)
        .service(crud::update_grant)
        .service(crud::grant_history)
        .service(transitions::submit_grant)
        .service(transitions::verify_grant)
        .service(transitions::return_grant)
        .service(transitions::approve_grant)
        .service(transitions::reject_grant)
        .service(transitions::sign_grant_agreement)
        .service(transitions::disburse_grant)
        .service(transitions::file_grant_accountability)
        .service(transitions::accept_grant_accountability);
}
