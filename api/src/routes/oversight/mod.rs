//! Oversight (UU 16/2017 Ps 59–62): complaints from the public and from staff, their triage, and
//! the Tim Terpadu's cases with their team and timeline. Everything is region-scoped (others'
//! records answer 404); representatives and integrators never see any of it (403).

pub mod cases;
pub mod complaints;
pub mod dashboard;
pub mod dto;
pub mod visits;

use ormas_domain::oversight::OversightError;
use ormas_domain::{Action, RegionCode, RegionLevel};
use ormas_persistence::oversight::CaseEventRow;
use ormas_persistence::register::{self, RegistrationRow};
use ormas_persistence::{AnyConnection, PersistenceResult, reference};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::routes::lifecycle::{Noun, not_allowed, reason_required};

pub fn complaint_not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Pengaduan {id} tidak ditemukan."),
        format!("No complaint {id}."),
    ))
}

pub fn case_not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Kasus {id} tidak ditemukan."),
        format!("No case {id}."),
    ))
}

pub const COMPLAINT: Noun = Noun {
    id: "pengaduan",
    en: "a complaint",
    name: "complaint",
};

pub const CASE: Noun = Noun {
    id: "kasus",
    en: "a case",
    name: "case",
};

/// The 409 or 422 of a refused complaint or case step.
pub fn refused(noun: Noun, error: OversightError) -> ApiError {
    match error {
        OversightError::NotAllowed {
            from,
            step,
            allowed,
            ..
        } => not_allowed(noun, from, step, &allowed),
        OversightError::ReasonRequired => reason_required(),
        OversightError::OutcomeRequired => ApiError::validation(vec![FieldIssue::new(
            "outcome",
            "required",
            Text::new(
                "hasil (outcome) wajib diisi",
                "the outcome is required for this step",
            ),
        )]),
    }
}

/// Whether the caller sees the reporter of a complaint in `region`: `oversight` and `head` whose
/// scope covers it.
pub fn sees_identity(principal: &Principal, region: &str) -> bool {
    ormas_domain::allows(principal.role, Action::ReadComplainantIdentity)
        && principal.covers(Some(region))
}

pub fn issue(field: &str, code: &str, id: &str, en: &str) -> FieldIssue {
    FieldIssue::new(field, code, Text::new(id, en))
}

/// 409 with a message.
pub fn conflict(id: String, en: String) -> ApiError {
    ApiError::new(ErrorKind::Conflict).with_detail(Text::new(id, en))
}

/// What a complaint or case is about: a registration, or an organisation by name and address.
pub struct Subject<'a> {
    pub region_code: &'a str,
    pub ormas_id: Option<&'a str>,
    pub organisation_name: Option<&'a str>,
    pub organisation_address: Option<&'a str>,
    /// Whether the region must be a kabupaten/kota (complaints) or may also be a province (cases).
    pub regency_only: bool,
    /// Whether only registered ormas may be named (the public knows only those).
    pub registered_only: bool,
}

/// Checks a subject against the register: the region exists at the right level, exactly one of
/// `ormas_id` and `organisation_name` is given, an organisation has an address, and the ormas is
/// known. Returns the field issues and the registration.
pub fn check_subject(
    conn: &mut AnyConnection,
    subject: &Subject,
) -> PersistenceResult<(Vec<FieldIssue>, Option<RegistrationRow>)> {
    let mut issues = Vec::new();
    let level = RegionCode::parse(subject.region_code)
        .ok()
        .map(|c| c.level());
    let level_ok = match level {
        Some(RegionLevel::Regency) => true,
        Some(RegionLevel::Province) => !subject.regency_only,
        _ => false,
    };
    if !level_ok || reference::find_region(conn, subject.region_code)?.is_none() {
        issues.push(if subject.regency_only {
            issue(
                "region_code",
                "not_a_regency",
                "bukan kabupaten/kota yang dikenal",
                "is not a known kabupaten/kota",
            )
        } else {
            issue(
                "region_code",
                "unknown_region",
                "bukan provinsi atau kabupaten/kota yang dikenal",
                "is not a known province or kabupaten/kota",
            )
        });
    }
    let mut registration = None;
    match (subject.ormas_id, subject.organisation_name) {
        (Some(_), Some(_)) => issues.push(issue(
            "organisation_name",
            "ambiguous_subject",
            "sebutkan ormas terdaftar (ormas_id) atau nama organisasi, bukan keduanya",
            "name either a registered ormas (ormas_id) or an organisation, not both",
        )),
        (None, None) => issues.push(issue(
            "ormas_id",
            "subject_required",
            "sebutkan ormas terdaftar (ormas_id) atau nama dan alamat organisasi",
            "name a registered ormas (ormas_id) or an organisation's name and address",
        )),
        (Some(id), None) => {
            let found = register::find_registration(conn, id)?
                .map(|(reg, _)| reg)
                .filter(|reg| !subject.registered_only || reg.state == "registered");
            match found {
                Some(reg) => registration = Some(reg),
                None => issues.push(issue(
                    "ormas_id",
                    "unknown_ormas",
                    "tidak ada ormas terdaftar dengan id ini",
                    "no registered ormas has this id",
                )),
            }
        }
        (None, Some(_)) => {}
    }
    if subject.organisation_name.is_some() && subject.organisation_address.is_none() {
        issues.push(issue(
            "organisation_address",
            "required",
            "alamat organisasi wajib diisi",
            "the organisation's address is required",
        ));
    }
    Ok((issues, registration))
}

/// A timeline entry of a case.
pub fn case_event(
    principal: &Principal,
    case_id: &str,
    action: &str,
    states: (Option<&str>, Option<&str>),
    note: Option<String>,
) -> CaseEventRow {
    CaseEventRow {
        id: uuid::Uuid::now_v7().to_string(),
        case_id: case_id.to_owned(),
        actor_id: Some(principal.id.clone()),
        at: now_utc(),
        action: action.to_owned(),
        from_state: states.0.map(str::to_owned),
        to_state: states.1.map(str::to_owned),
        note,
    }
}

/// The region a list reads: the one asked for when the caller's scope covers it (403 otherwise),
/// else the caller's own.
pub fn list_region(
    principal: &Principal,
    asked: Option<String>,
) -> Result<Option<String>, ApiError> {
    match asked {
        Some(region) if principal.covers(Some(&region)) => Ok(Some(region)),
        Some(_) => Err(ApiError::forbidden(Text::new(
            "Wilayah itu berada di luar wilayah kewenangan Anda.",
            "That region lies outside your scope.",
        ))),
        None => Ok(principal.region()),
    }
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(complaints::file_public_complaint)
        .service(complaints::track_public_complaint)
        .service(complaints::attach_to_public_complaint)
        .service(complaints::file_complaint)
        .service(complaints::list_complaints)
        .service(complaints::get_complaint)
        .service(complaints::get_complaint_attachment)
        .service(complaints::dismiss_complaint)
        .service(complaints::open_case)
        .service(cases::list_cases)
        .service(cases::create_case)
        .service(cases::get_case)
        .service(cases::update_case)
        .service(cases::replace_members)
        .service(cases::investigate_case)
        .service(cases::recommend_case)
        .service(cases::close_case)
        .service(cases::case_history)
        .configure(visits::configure)
        .configure(dashboard::configure);
}
