//! What the services of *Satu Ormas* (attribute permits, grant proposals, consultations) share:
//! the eligibility check of the ormas they are asked for, and its refusal as one problem.

use ormas_domain::sanctions::EligibilityInput;
use ormas_domain::services::{ServiceRefusal, service_refusals};
use ormas_persistence::register::{OrganisationRow, RegistrationRow};

use super::ormas::current_state;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::state::AppState;

/// The base conditions every service asks of a registration on the office's today: registered,
/// not under sanction, not dissolved, its legal basis valid (`ormas_domain::services`).
pub fn base_refusals(
    state: &AppState,
    reg: &RegistrationRow,
    org: &OrganisationRow,
) -> Result<Vec<ServiceRefusal>, ApiError> {
    let today = state.config.today();
    let input = EligibilityInput {
        state: current_state(state, reg)?,
        kind: org.kind()?,
        skt_expires_on: org.skt_expires_on,
        organisation_dissolved: org.dissolved_on.is_some_and(|on| on <= today),
    };
    Ok(service_refusals(&input, today))
}

/// 409 `not_eligible` naming every unmet condition, each as an entry of `errors` whose `field` is
/// the field of the request that chose the ormas (e.g. `registration_id`) and whose `code` is the
/// refusal's code (`sanctioned`, `not_badan_hukum`, `lpj_overdue`, …).
pub fn refusal_problem(field: &str, refusals: &[ServiceRefusal]) -> ApiError {
    let errors = refusals
        .iter()
        .map(|r| FieldIssue::new(field, r.as_str(), refusal_text(*r)))
        .collect();
    ApiError::new(ErrorKind::NotEligible).with_errors(errors)
}

/// `Ok` when nothing is unmet, the refusal problem otherwise.
pub fn require_eligible(field: &str, refusals: &[ServiceRefusal]) -> Result<(), ApiError> {
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(refusal_problem(field, refusals))
    }
}

/// What each refusal means, in both languages.
pub fn refusal_text(refusal: ServiceRefusal) -> Text {
    let (id, en) = match refusal {
        ServiceRefusal::NotRegistered => (
            "Ormas belum terdaftar (SKM belum terbit) di wilayah ini.",
            "The ormas is not registered (no SKM) in this region.",
        ),
        ServiceRefusal::Sanctioned => (
            "Ormas sedang dikenai sanksi (kegiatan dihentikan sementara atau SKT/status badan hukum dicabut).",
            "The ormas is under sanction (activities suspended, or its SKT or badan hukum status revoked).",
        ),
        ServiceRefusal::Dissolved => (
            "Ormas atau organisasinya telah bubar.",
            "The ormas or its organisation has been dissolved.",
        ),
        ServiceRefusal::SktExpired => (
            "SKT ormas tidak berbadan hukum ini telah habis masa berlakunya atau tidak diketahui.",
            "The SKT of this ormas without legal entity has expired, or its expiry is unknown.",
        ),
        ServiceRefusal::NotBadanHukum => (
            "Hibah hanya untuk ormas berbadan hukum (perkumpulan atau yayasan).",
            "A grant goes only to a badan hukum ormas (perkumpulan or yayasan).",
        ),
        ServiceRefusal::NoLegalEntityDecree => (
            "Keputusan pengesahan badan hukum dari Kemenkumham (AHU) belum tercatat.",
            "No Kemenkumham (AHU) legal-entity decree is on record.",
        ),
        ServiceRefusal::NotRegisteredInRegion => (
            "Ormas tidak terdaftar di wilayah kantor ini.",
            "The ormas is not registered in this office's region.",
        ),
        ServiceRefusal::NoLocalBoard => (
            "Susunan pengurus daerah belum tercatat.",
            "No local board is on record.",
        ),
        ServiceRefusal::NoDomicileLetter => (
            "Surat keterangan domisili sekretariat belum diunggah.",
            "No domicile letter for the secretariat is on file.",
        ),
        ServiceRefusal::LegalEntityTooRecent => (
            "Ormas belum berbadan hukum selama masa minimal yang ditetapkan daerah.",
            "The ormas has not been a legal entity for the region's minimum period.",
        ),
        ServiceRefusal::LpjOverdue => (
            "Laporan pertanggungjawaban (LPJ) hibah sebelumnya terlambat.",
            "The accountability report (LPJ) of an earlier grant is overdue.",
        ),
        ServiceRefusal::OpenProposalThisYear => (
            "Sudah ada usulan hibah lain yang masih berjalan untuk tahun anggaran ini.",
            "Another grant proposal for this fiscal year is still open.",
        ),
    };
    Text::new(id, en)
}
