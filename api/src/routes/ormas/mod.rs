//! The register: regional registrations of ormas, their board, documents, lifecycle and history.

pub mod board;
pub mod checks;
pub mod crud;
pub mod documents;
pub mod dto;
pub mod history;
pub mod list;
pub mod organisations;
pub mod status;
pub mod transitions;
pub mod visits;

use std::collections::HashMap;

use ormas_domain::reference_lists;
use ormas_domain::registration::{RegistrationState, effective_state};
use ormas_domain::{Action, Role};
use ormas_persistence::register::{self, EventRow, OrganisationRow, Registered, RegistrationRow};
use ormas_persistence::{AnyConnection, PersistenceResult};

use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, Text};
use crate::state::AppState;
use dto::Ormas;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Ormas {id} tidak ditemukan."),
        format!("No ormas {id}."),
    ))
}

/// Whether the caller may see this registration at all: staff and integrators within their region,
/// a representative only the ormas bound to its account. Others' records are 404, never 403.
pub fn visible(principal: &Principal, registration_id: &str, region_code: &str) -> bool {
    match principal.role {
        Role::OrmasRep => principal.ormas_id.as_deref() == Some(registration_id),
        _ => principal.covers(Some(region_code)),
    }
}

/// Whether the caller sees personal data (NIK, personal phones, documents) unmasked.
pub fn sees_personal_data(principal: &Principal) -> bool {
    ormas_domain::allows(principal.role, Action::ReadPersonalData)
}

/// The registration's state as of today (a returned registration past its revision window reads
/// as lapsed, a suspension past its last day as registered).
pub fn current_state(
    state: &AppState,
    row: &register::RegistrationRow,
) -> Result<RegistrationState, ApiError> {
    let stored = row.state()?;
    Ok(effective_state(
        stored,
        row.revision_due,
        row.suspended_until,
        state.config.today(),
    ))
}

/// Loads a registration the caller may see.
pub async fn load_visible(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<Registered, ApiError> {
    principal.require(Action::ReadRegistrations)?;
    let lookup = id.clone();
    let found = state
        .db(move |conn| register::find_registration(conn, &lookup))
        .await?;
    found
        .filter(|(reg, _)| visible(principal, &reg.id, &reg.region_code))
        .ok_or_else(|| not_found(&id))
}

/// 409 unless the registration may still be edited by its applicant (draft or returned).
pub fn require_editable(current: RegistrationState) -> Result<(), ApiError> {
    if matches!(
        current,
        RegistrationState::Draft | RegistrationState::NeedsRevision
    ) {
        Ok(())
    } else {
        Err(ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
            format!(
                "Ormas berstatus {} tidak dapat diubah; hanya draft atau needs_revision.",
                current.as_str()
            ),
            format!(
                "A registration in state {} cannot be changed; only draft or needs_revision.",
                current.as_str()
            ),
        )))
    }
}

/// Board completeness and missing documents for a set of registrations, in two queries.
pub fn completeness(
    conn: &mut AnyConnection,
    ids: &[String],
    required: &[String],
) -> PersistenceResult<HashMap<String, (bool, Vec<String>)>> {
    let positions = register::board_positions_for(conn, ids)?;
    let documents = register::document_types_for(conn, ids)?;
    let mut by_id: HashMap<String, (Vec<String>, Vec<String>)> = HashMap::new();
    for (id, position) in positions {
        by_id.entry(id).or_default().0.push(position);
    }
    for (id, doc_type) in documents {
        by_id.entry(id).or_default().1.push(doc_type);
    }
    Ok(ids
        .iter()
        .map(|id| {
            let (positions, present) = by_id.remove(id).unwrap_or_default();
            let complete = reference_lists::board_complete(positions.iter().map(String::as_str));
            (
                id.clone(),
                (
                    complete,
                    reference_lists::missing_documents(required, &present),
                ),
            )
        })
        .collect())
}

/// Builds the response for one registration (two small queries for completeness).
pub async fn respond(
    state: &AppState,
    reg: RegistrationRow,
    org: OrganisationRow,
) -> Result<Ormas, ApiError> {
    let required = state.config.required_documents.clone();
    let id = reg.id.clone();
    let mut map = state
        .db(move |conn| completeness(conn, std::slice::from_ref(&id), &required))
        .await?;
    let (complete, missing) = map.remove(&reg.id).unwrap_or_default();
    let current = current_state(state, &reg)?;
    Ormas::build(&reg, &org, current, state.config.today(), complete, missing)
}

pub fn event(principal: &Principal, registration_id: &str, action: &str) -> EventRow {
    EventRow {
        id: uuid::Uuid::now_v7().to_string(),
        registration_id: registration_id.to_owned(),
        occurred_at: now_utc(),
        actor_id: Some(principal.id.clone()),
        actor_name: Some(principal.name.clone()),
        action: action.to_owned(),
        from_state: None,
        to_state: None,
        reason: None,
        notes: None,
        registration_number: None,
    }
}

/// Registers the handlers of registrations themselves (the lifecycle, board and documents have
/// their own `configure`); their order is the order of their paths in the OpenAPI document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(crud::create_ormas)
        .service(list::list_ormas)
        .service(crud::get_ormas)
        .service(crud::update_ormas)
        .service(history::get_history)
        .service(status::get_status);
}
