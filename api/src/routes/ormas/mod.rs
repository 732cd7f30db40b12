//! The register: regional registrations of ormas, their board, documents, lifecycle and history.

pub mod board;
pub mod crud;
pub mod documents;
pub mod dto;
pub mod status;
pub mod transitions;

use ormas_domain::registration::{RegistrationState, effective_state};
use ormas_domain::{Action, Role};
use ormas_persistence::register::{self, Registered};

use crate::auth::Principal;
use crate::error::{ApiError, ErrorKind, Text};
use crate::state::AppState;

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
/// as lapsed).
pub fn current_state(
    state: &AppState,
    row: &register::RegistrationRow,
) -> Result<RegistrationState, ApiError> {
    let stored: RegistrationState = row.state.parse().map_err(ApiError::internal)?;
    Ok(effective_state(
        stored,
        row.revision_due,
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
