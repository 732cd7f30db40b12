//! An organisation's national identity, shared by its registrations in every region: read it, and
//! correct it (only someone whose scope covers every region where it is present).

use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, web};
use ormas_domain::organisation::scope_covers_all;
use ormas_domain::{Action, RegionCode};
use ormas_persistence::audit as audit_log;
use ormas_persistence::register::{self, OrganisationRow, RegistrationRow};
use utoipa_actix_web::service_config::ServiceConfig;

use super::checks::check_identity;
use super::dto::{CorrectOrganisation, CreateOrmas, Organisation, OrganisationRecord, Presence};
use super::{event, visible};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, Text};
use crate::extract::ValidJson;
use crate::routes::{
    IfNoneMatch, RequiredIfMatch, represent, represent_get, require_matching_version,
};
use crate::state::AppState;

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(Text::new(
        format!("Organisasi {id} tidak ditemukan."),
        format!("No organisation {id}."),
    ))
}

/// The organisation and all its registrations, 404 unless the caller sees at least one of them.
async fn load(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<(OrganisationRow, Vec<RegistrationRow>), ApiError> {
    principal.require(Action::ReadRegistrations)?;
    let lookup = id.clone();
    let (organisation, registrations) = state
        .db(move |conn| {
            let organisation = register::find_organisation(conn, &lookup)?;
            let registrations = match &organisation {
                Some(_) => register::registrations_of_organisation(conn, &lookup)?,
                None => Vec::new(),
            };
            Ok((organisation, registrations))
        })
        .await?;
    let organisation = organisation.ok_or_else(|| not_found(&id))?;
    if !registrations
        .iter()
        .any(|r| visible(principal, &r.id, &r.region_code))
    {
        return Err(not_found(&id));
    }
    Ok((organisation, registrations))
}

/// The organisation as an integrator with national scope sees it, for the changes feed: every
/// registration listed.
pub(crate) fn record_for_feed(
    organisation: &OrganisationRow,
    registrations: &[RegistrationRow],
) -> Result<OrganisationRecord, ApiError> {
    Ok(OrganisationRecord {
        organisation: Organisation::from_row(organisation)?,
        registrations: registrations.iter().map(presence).collect(),
        registrations_total: registrations.len(),
    })
}

fn presence(r: &RegistrationRow) -> Presence {
    Presence {
        id: r.id.clone(),
        region_code: r.region_code.clone(),
        branch_name: r.branch_name.clone(),
        state: r.state.clone(),
    }
}

fn record(
    principal: &Principal,
    organisation: &OrganisationRow,
    registrations: &[RegistrationRow],
) -> Result<OrganisationRecord, ApiError> {
    Ok(OrganisationRecord {
        organisation: Organisation::from_row(organisation)?,
        registrations: registrations
            .iter()
            .filter(|r| visible(principal, &r.id, &r.region_code))
            .map(presence)
            .collect(),
        registrations_total: registrations.len(),
    })
}

/// Get an organisation's national identity.
#[utoipa::path(
    tag = "ormas",
    operation_id = "getOrganisation",
    summary = "Get an organisation's national identity",
    description = "The identity shared by every registration of one organisation (the same AHU or \
SKT number), with the registrations the caller may see and how many there are in all. Roles: \
anyone who may see one of its registrations.",
    params(("id" = String, Path, description = "The organisation's id (`organisation.id` of a registration)."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The organisation.", body = OrganisationRecord, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such organisation with a registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/organisations/{id}")]
pub async fn get_organisation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (organisation, registrations) = load(&state, &principal, path.into_inner()).await?;
    represent_get(&req, &record(&principal, &organisation, &registrations)?)
}

/// Correct an organisation's national identity.
#[utoipa::path(
    tag = "ormas",
    operation_id = "correctOrganisation",
    summary = "Correct an organisation's national identity",
    description = "Changes the identity shared by every registration of the organisation (name, \
abbreviation, kind, AHU/SKT number and date, NPWP, founding date, fields, special character, \
tiering). The result must satisfy what a new registration must. Allowed only to a caller whose \
scope covers **every** region where the organisation is present (403 otherwise, naming the \
regions' count); the correction is recorded in the history of every registration and in the audit \
log of every region concerned. `If-Match` is required (428 without it, 412 when stale). Roles: \
`super_admin`, `admin`, `officer`.",
    params(
        ("id" = String, Path, description = "The organisation's id."),
        RequiredIfMatch,
    ),
    request_body(content = CorrectOrganisation, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The corrected organisation.", body = OrganisationRecord, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not correct organisations, or the organisation is present in a region outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organisation with a registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The AHU/SKT number is another organisation's, or the organisation changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid, or the corrected identity lacks what its kind requires.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[patch("/v1/organisations/{id}")]
pub async fn correct_organisation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<CorrectOrganisation>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::CorrectOrganisation)?;
    let (org, registrations) = load(&state, &principal, path.into_inner()).await?;
    let regions: BTreeSet<String> = registrations
        .iter()
        .map(|r| r.region_code.clone())
        .collect();
    let codes: Vec<RegionCode> = regions
        .iter()
        .filter_map(|code| RegionCode::parse(code).ok())
        .collect();
    if !scope_covers_all(&principal.scope, &codes) {
        return Err(ApiError::forbidden(Text::new(
            format!(
                "Organisasi ini hadir di {} wilayah; hanya akun yang wilayahnya mencakup semuanya \
                 yang dapat memperbaiki identitasnya.",
                regions.len()
            ),
            format!(
                "The organisation is present in {} regions; only an account whose scope covers all \
                 of them may correct its identity.",
                regions.len()
            ),
        )));
    }
    require_matching_version(&req, org.version)?;
    let change = body.0;
    let merged = merge(&org, &change, state.config.today())?;
    let at = now_utc();
    let corrected = OrganisationRow {
        id: org.id.clone(),
        created_at: org.created_at,
        updated_at: at,
        version: org.version + 1,
        ..merged
    };
    let changed = change.changed_fields();
    let notes = serde_json::json!({ "changed": changed, "organisation_id": org.id }).to_string();
    let history: Vec<_> = registrations
        .iter()
        .map(|r| {
            let mut entry = event(&principal, &r.id, "organisation_correct");
            entry.notes = Some(notes.clone());
            entry
        })
        .collect();
    let trails: Vec<_> = regions
        .iter()
        .map(|region| {
            audit::detail(
                audit::on(
                    audit::event(Some(&principal), "organisation.correct", Outcome::Success),
                    "organisation",
                    &org.id,
                    Some(region),
                ),
                format!("changed: {}", changed.join(", ")),
            )
        })
        .collect();
    let expected = org.version;
    let stored = corrected.clone();
    state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                register::update_organisation(conn, &stored, expected)?;
                for entry in &history {
                    register::insert_event(conn, entry)?;
                }
                for trail in &trails {
                    audit_log::record(conn, trail)?;
                }
                Ok(())
            })
        })
        .await?;
    represent(
        StatusCode::OK,
        &record(&principal, &corrected, &registrations)?,
    )
}

/// The organisation with the correction applied, checked by the rules of a new registration.
fn merge(
    org: &OrganisationRow,
    change: &CorrectOrganisation,
    today: chrono::NaiveDate,
) -> Result<OrganisationRow, ApiError> {
    let pick = |new: &Option<Option<String>>, old: &Option<String>| match new {
        Some(value) => value.clone(),
        None => old.clone(),
    };
    let pick_date = |new: &Option<Option<chrono::NaiveDate>>, old: Option<chrono::NaiveDate>| {
        new.unwrap_or(old)
    };
    let candidate = CreateOrmas {
        name: change.name.clone().unwrap_or_else(|| org.name.clone()),
        abbreviation: pick(&change.abbreviation, &org.abbreviation),
        kind: match change.kind {
            Some(kind) => kind,
            None => org.kind()?,
        },
        ahu_number: pick(&change.ahu_number, &org.ahu_number),
        ahu_date: pick_date(&change.ahu_date, org.ahu_date),
        skt_number: pick(&change.skt_number, &org.skt_number),
        skt_issued_on: pick_date(&change.skt_issued_on, org.skt_issued_on),
        skt_issuer: pick(&change.skt_issuer, &org.skt_issuer),
        npwp: pick(&change.npwp, &org.npwp),
        founded_on: pick_date(&change.founded_on, org.founded_on),
        fields: match &change.fields {
            Some(fields) => fields.clone(),
            None => org.fields()?,
        },
        special_character: pick(&change.special_character, &org.special_character),
        tiered: change.tiered.unwrap_or(org.tiered),
        branch_name: None,
        // Not part of the identity; `check_identity` does not look at them.
        region_code: String::new(),
        district_code: None,
        address: String::new(),
        phone: None,
        email: None,
        board_term_ends_on: None,
    };
    let (row, _) = check_identity(&candidate, today)?;
    Ok(row)
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_organisation).service(correct_organisation);
}
