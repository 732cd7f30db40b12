//! Creating, reading, listing and editing registrations, and their history.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, put, web};
use chrono::NaiveDate;
use ormas_domain::identity_numbers::Npwp;
use ormas_domain::reference_lists::{self, FIELDS, SPECIAL_CHARACTERS};
use ormas_domain::registration::{
    IdentityFields, IdentityProblem, OrmasKind, RegistrationState, identity_key, identity_problems,
    skt_expires_on,
};
use ormas_domain::{Action, RegionCode, RegionLevel, Role};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity;
use ormas_persistence::register::{
    self, EventRow, OrganisationRow, RegistrationFilter, RegistrationRow, StateFilter,
};
use ormas_persistence::{AnyConnection, PersistenceResult, reference};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::dto::{History, HistoryEntry, Ormas, OrmasKindName, OrmasPage, OrmasState};
use super::{current_state, load_visible, not_found, require_editable, visible};
use crate::audit::{self, Outcome};
use crate::auth::{Principal, now};
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::dto::{double_option, validate_region_code};
use crate::routes::{etag, paging, require_current_version};
use crate::state::AppState;

/// Exactly the published pattern `^\+?[0-9][0-9 ()-]{5,19}$`: an optional `+`, a digit, then 5 to
/// 19 digits, spaces, dashes or parentheses.
fn validate_phone(phone: &str) -> Result<(), validator::ValidationError> {
    let rest = phone.strip_prefix('+').unwrap_or(phone);
    let mut chars = rest.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_digit())
        && (5..=19).contains(&chars.clone().count())
        && chars.all(|c| c.is_ascii_digit() || matches!(c, ' ' | '(' | ')' | '-'));
    if ok {
        Ok(())
    } else {
        Err(
            validator::ValidationError::new("invalid_phone").with_message(
                "must be a digit (after an optional +) then 5–19 digits, spaces, dashes or parentheses".into(),
            ),
        )
    }
}

#[cfg(test)]
mod phone_tests {
    use super::validate_phone;

    #[test]
    fn phones_follow_the_published_pattern() {
        for ok in [
            "+62 542 123456",
            "081234",
            "+08935 6-02)94 23854(",
            "0812345678901234567 ",
        ] {
            assert!(validate_phone(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "+",
            "12345",
            "+ 62 542",
            "(0542) 123",
            "0812-abc-99",
            "08123456789012345678901",
        ] {
            assert!(validate_phone(bad).is_err(), "{bad}");
        }
    }
}

/// A new registration draft: the organisation's legal identity and its presence in one region.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Pemuda Peduli Lingkungan", "abbreviation": "PPL", "kind": "tidak_berbadan_hukum",
    "skt_number": "220/1234/DIII.3/2023", "skt_issued_on": "2023-05-10", "skt_issuer": "Kementerian Dalam Negeri",
    "npwp": "01.234.567.8-901.000", "founded_on": "2019-08-17", "fields": ["lingkungan_hidup", "kepemudaan"],
    "special_character": "kepemudaan", "tiered": false, "region_code": "64.71", "district_code": "64.71.01",
    "address": "Jl. Jenderal Sudirman No. 1, Balikpapan", "phone": "+62 542 123456", "email": "sekretariat@ppl.or.id",
    "board_term_ends_on": "2028-12-31"
}))]
pub struct CreateOrmas {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[validate(length(min = 1, max = 50))]
    #[schema(min_length = 1, max_length = 50)]
    pub abbreviation: Option<String>,
    pub kind: OrmasKindName,
    /// Required for `perkumpulan` and `yayasan`.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub ahu_number: Option<String>,
    /// Required with `ahu_number`.
    pub ahu_date: Option<NaiveDate>,
    /// Required for `tidak_berbadan_hukum`.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub skt_number: Option<String>,
    pub skt_issued_on: Option<NaiveDate>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub skt_issuer: Option<String>,
    /// 15 or 16 digits; dots, dashes and spaces are ignored.
    #[validate(length(min = 15, max = 25))]
    #[schema(
        min_length = 15,
        max_length = 25,
        pattern = r"^[0-9][0-9. -]{13,23}[0-9]$"
    )]
    pub npwp: Option<String>,
    pub founded_on: Option<NaiveDate>,
    /// Field codes from `GET /v1/reference/fields`, at most 10.
    #[serde(default)]
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub fields: Vec<String>,
    /// A code from `GET /v1/reference/special_characters`.
    pub special_character: Option<String>,
    #[serde(default)]
    pub tiered: bool,
    /// A kabupaten/kota or province code.
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2})?$")]
    pub region_code: String,
    /// The kecamatan of the secretariat, within `region_code`.
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$")]
    pub district_code: Option<String>,
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub address: String,
    #[validate(custom(function = "validate_phone"))]
    #[schema(pattern = r"^\+?[0-9][0-9 ()-]{5,19}$")]
    pub phone: Option<String>,
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    pub board_term_ends_on: Option<NaiveDate>,
}

fn issue(field: &str, code: &str, id: &str, en: &str) -> FieldIssue {
    FieldIssue::new(field, code, Text::new(id, en))
}

/// Checks what the schema cannot: the legal identity that the kind requires, codes from the
/// reference lists, NPWP digits.
fn check_identity(request: &CreateOrmas) -> Result<(OrganisationRow, Option<String>), ApiError> {
    let kind: OrmasKind = request.kind.into();
    let present = IdentityFields {
        ahu_number: request.ahu_number.is_some(),
        ahu_date: request.ahu_date.is_some(),
        skt_number: request.skt_number.is_some(),
        skt_issued_on: request.skt_issued_on.is_some(),
        skt_issuer: request.skt_issuer.is_some(),
    };
    let mut issues: Vec<FieldIssue> = identity_problems(kind, present)
        .into_iter()
        .map(|problem| match problem {
            IdentityProblem::Required(field) if kind.is_badan_hukum() => issue(
                field,
                "required",
                "wajib untuk badan hukum",
                "is required for a badan hukum",
            ),
            IdentityProblem::Required(field) => issue(
                field,
                "required",
                "wajib untuk ormas tidak berbadan hukum",
                "is required without legal personality",
            ),
            IdentityProblem::NotApplicable(field) if kind.is_badan_hukum() => issue(
                field,
                "not_applicable",
                "hanya untuk ormas tidak berbadan hukum",
                "only for organisations without legal personality",
            ),
            IdentityProblem::NotApplicable(field) => issue(
                field,
                "not_applicable",
                "hanya untuk badan hukum",
                "only for a badan hukum",
            ),
        })
        .collect();
    for (index, code) in request.fields.iter().enumerate() {
        if reference_lists::find(FIELDS, code).is_none() {
            issues.push(issue(
                &format!("fields[{index}]"),
                "unknown_field",
                "bidang tidak dikenal",
                "is not a field code",
            ));
        }
    }
    if let Some(code) = &request.special_character
        && reference_lists::find(SPECIAL_CHARACTERS, code).is_none()
    {
        issues.push(issue(
            "special_character",
            "unknown_special_character",
            "ciri khusus tidak dikenal",
            "is not a special character code",
        ));
    }
    let npwp = match &request.npwp {
        Some(text) => match Npwp::parse(text) {
            Ok(npwp) => Some(npwp.as_str().to_owned()),
            Err(_) => {
                issues.push(issue(
                    "npwp",
                    "invalid_npwp",
                    "NPWP harus 15 atau 16 digit",
                    "must be 15 or 16 digits",
                ));
                None
            }
        },
        None => None,
    };
    let skt_expires = request.skt_issued_on.and_then(skt_expires_on);
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let identity_key = identity_key(
        kind,
        request.ahu_number.as_deref(),
        request.skt_number.as_deref(),
    );
    let mut fields: Vec<String> = Vec::new();
    for code in &request.fields {
        if !fields.contains(code) {
            fields.push(code.clone());
        }
    }
    let at = now();
    Ok((
        OrganisationRow {
            id: uuid::Uuid::now_v7().to_string(),
            identity_key: identity_key.clone(),
            name: request.name.trim().to_owned(),
            abbreviation: request.abbreviation.clone(),
            kind: kind.as_str().to_owned(),
            ahu_number: request.ahu_number.clone(),
            ahu_date: request.ahu_date,
            skt_number: request.skt_number.clone(),
            skt_issued_on: request.skt_issued_on,
            skt_issuer: request.skt_issuer.clone(),
            skt_expires_on: skt_expires,
            npwp,
            founded_on: request.founded_on,
            fields: serde_json::to_string(&fields).unwrap_or_else(|_| "[]".into()),
            special_character: request.special_character.clone(),
            tiered: request.tiered,
            created_at: at,
            updated_at: at,
        },
        identity_key,
    ))
}

/// The region must be a province or kabupaten/kota that exists; the kecamatan, if any, must lie in
/// it. Returns the field issues.
fn check_places(
    conn: &mut AnyConnection,
    region: &str,
    district: Option<&str>,
) -> PersistenceResult<Vec<FieldIssue>> {
    let mut issues = Vec::new();
    let region_code = RegionCode::parse(region).ok();
    let region_ok = region_code
        .as_ref()
        .is_some_and(|c| c.level() != RegionLevel::District)
        && reference::find_region(conn, region)?.is_some();
    if !region_ok {
        issues.push(issue(
            "region_code",
            "unknown_region",
            "bukan provinsi atau kabupaten/kota yang dikenal",
            "is not a known province or kabupaten/kota",
        ));
    }
    if let Some(district) = district {
        let code = RegionCode::parse(district).ok();
        let inside = match (&region_code, &code) {
            (Some(region), Some(d)) => d.level() == RegionLevel::District && region.covers(d),
            _ => false,
        };
        if !inside || reference::find_region(conn, district)?.is_none() {
            issues.push(issue(
                "district_code",
                "district_outside_region",
                "kecamatan tidak berada di wilayah ini",
                "is not a kecamatan of region_code",
            ));
        }
    }
    Ok(issues)
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

fn with_etag(mut builder: actix_web::HttpResponseBuilder, ormas: &Ormas) -> HttpResponse {
    builder
        .insert_header((header::ETAG, etag(ormas.version)))
        .json(ormas)
}

pub fn event(principal: &Principal, registration_id: &str, action: &str) -> EventRow {
    EventRow {
        id: uuid::Uuid::now_v7().to_string(),
        registration_id: registration_id.to_owned(),
        occurred_at: now(),
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

/// Create a registration draft.
#[utoipa::path(
    tag = "ormas",
    operation_id = "createOrmas",
    summary = "Create a registration draft",
    description = "Starts the registration (surat keterangan melapor) of an ormas in a region. The \
legal identity is national: the same AHU or SKT number links to the organisation already known, \
whatever region it was registered in. A representative's account is bound to the draft it creates \
(one ormas per account). Roles: `ormas_rep`, `officer` (within its region).",
    request_body(content = CreateOrmas, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The draft.", body = Ormas,
            headers(("Location" = String, description = "The registration's URL."), ("ETag" = String, description = "Its version."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not create registrations, or the region is outside the officer's.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The representative's account already represents an ormas.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is missing or invalid (field-level errors).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/ormas")]
pub async fn create_ormas(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<CreateOrmas>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::CreateRegistration)?;
    let request = body.0;
    if principal.role != Role::OrmasRep && !principal.covers(Some(&request.region_code)) {
        return Err(ApiError::forbidden(Text::new(
            "Wilayah itu berada di luar wilayah kewenangan Anda.",
            "That region lies outside your scope.",
        )));
    }
    if principal.role == Role::OrmasRep && principal.ormas_id.is_some() {
        return Err(ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
            "Akun ini sudah mewakili sebuah ormas.",
            "This account already represents an ormas.",
        )));
    }
    let (organisation, identity_key) = check_identity(&request)?;
    let at = now();
    let registration = RegistrationRow {
        id: uuid::Uuid::now_v7().to_string(),
        organisation_id: organisation.id.clone(),
        region_code: request.region_code.clone(),
        district_code: request.district_code.clone(),
        address: request.address.trim().to_owned(),
        phone: request.phone.clone(),
        email: request.email.clone(),
        board_term_ends_on: request.board_term_ends_on,
        state: RegistrationState::Draft.as_str().to_owned(),
        registration_number: None,
        registration_date: None,
        submitted_on: None,
        verification_due: None,
        revision_due: None,
        created_by: Some(principal.id.clone()),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let mut history = event(&principal, &registration.id, "create");
    history.to_state = Some("draft".into());
    let trail = audit::on(
        audit::event(Some(&principal), "ormas.create", Outcome::Success),
        "ormas",
        &registration.id,
        Some(&registration.region_code),
    );
    let bind_rep = (principal.role == Role::OrmasRep).then(|| principal.id.clone());
    let stored = registration.clone();
    let result = state
        .db(move |conn| {
            register::in_write_transaction(conn, |conn| {
                let issues =
                    check_places(conn, &stored.region_code, stored.district_code.as_deref())?;
                if !issues.is_empty() {
                    return Ok(Err(issues));
                }
                let existing = match &identity_key {
                    Some(key) => register::find_organisation_by_identity(conn, key)?,
                    None => None,
                };
                let organisation = match existing {
                    Some(found) => found,
                    None => {
                        register::insert_organisation(conn, &organisation)?;
                        organisation
                    }
                };
                let stored = RegistrationRow {
                    organisation_id: organisation.id.clone(),
                    ..stored
                };
                register::insert_registration(conn, &stored)?;
                register::insert_event(conn, &history)?;
                if let Some(user_id) = bind_rep {
                    identity::bind_ormas(conn, &user_id, Some(&stored.id))?;
                }
                audit_log::record(conn, &trail)?;
                Ok(Ok((stored, organisation)))
            })
        })
        .await?;
    let (registration, organisation) = result.map_err(ApiError::validation)?;
    let ormas = respond(&state, registration, organisation).await?;
    Ok(with_etag(
        HttpResponse::Created()
            .insert_header((header::LOCATION, format!("/v1/ormas/{}", ormas.id)))
            .take(),
        &ormas,
    ))
}

/// Get a registration.
#[utoipa::path(
    tag = "ormas",
    operation_id = "getOrmas",
    summary = "Get a registration",
    description = "One registration with its legal identity, deadlines, completeness and the \
transitions its state allows. Others' registrations answer 404. Roles: staff and integrators \
within their region; a representative, its own ormas.",
    params(("id" = String, Path, description = "The registration's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The registration.", body = Ormas, headers(("ETag" = String, description = "Its version."))),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas/{id}")]
pub async fn get_ormas(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (reg, org) = load_visible(&state, &principal, path.into_inner()).await?;
    let ormas = respond(&state, reg, org).await?;
    Ok(with_etag(HttpResponse::Ok(), &ormas))
}

/// Filters of the registration list.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrmasQuery {
    /// Only registrations in this region's subtree (within the caller's scope).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    /// The state as of today (`lapsed` includes returned registrations past their window).
    #[param(inline)]
    pub state: Option<OrmasState>,
    #[param(inline)]
    pub kind: Option<OrmasKindName>,
    /// A field code.
    #[validate(length(min = 1, max = 50))]
    #[param(min_length = 1, max_length = 50)]
    pub field: Option<String>,
    /// Part of the name or abbreviation, case-insensitive.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// Only SKTs that expire before this date.
    pub skt_expiring_before: Option<NaiveDate>,
    /// Only submitted registrations past their verification deadline.
    pub verification_overdue: Option<bool>,
    /// Only registrations whose board term has ended.
    pub board_term_ended: Option<bool>,
    /// Derived activity as of today, by the rule of `GET /v1/ormas/{id}/status` (`inactive`
    /// includes registrations that are not registered; combine with `state=registered` for the
    /// registered but inactive).
    #[param(inline)]
    pub activity: Option<super::status::ActivityName>,
    /// Only registered ormas missing the report of the last period already due.
    pub report_overdue: Option<bool>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = "^(?:[0-9a-f]{2}){1,512}$")]
    pub page_token: Option<String>,
}

/// List registrations.
#[utoipa::path(
    tag = "ormas",
    operation_id = "listOrmas",
    summary = "List registrations",
    description = "Registrations in the caller's region subtree (a representative: its own), ordered by region then \
creation order, with filters and cursor pagination. Roles: staff and integrators within their \
region; a representative, its own ormas.",
    params(OrmasQuery),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "One page.", body = OrmasPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The region is outside the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas")]
pub async fn list_ormas(
    state: web::Data<AppState>,
    principal: Principal,
    query: ValidQuery<OrmasQuery>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadRegistrations)?;
    let query = query.0;
    let (region, only_ids) = if principal.role == Role::OrmasRep {
        (
            query.region.clone(),
            Some(principal.ormas_id.clone().into_iter().collect::<Vec<_>>()),
        )
    } else {
        match query.region.clone() {
            Some(region) if principal.covers(Some(&region)) => (Some(region), None),
            Some(_) => {
                return Err(ApiError::forbidden(Text::new(
                    "Wilayah itu berada di luar wilayah kewenangan Anda.",
                    "That region lies outside your scope.",
                )));
            }
            None => (principal.region(), None),
        }
    };
    let page_size = query.page_size.unwrap_or(50);
    let today = state.config.today();
    let state_filter = query.state.map(|s| match RegistrationState::from(s) {
        RegistrationState::NeedsRevision => StateFilter::NeedsRevision,
        RegistrationState::Lapsed => StateFilter::Lapsed,
        other => StateFilter::Stored(other.as_str().to_owned()),
    });
    let filter = RegistrationFilter {
        region,
        only_ids,
        state: state_filter,
        kind: query.kind.map(|k| OrmasKind::from(k).as_str().to_owned()),
        field: query.field,
        q: query.q,
        skt_expiring_before: query.skt_expiring_before,
        verification_overdue: query.verification_overdue.unwrap_or(false),
        board_term_ended: query.board_term_ended.unwrap_or(false),
        activity: query.activity.map(Into::into),
        report_overdue: query.report_overdue.unwrap_or(false),
        policy: state.config.reporting,
        today,
        after: query
            .page_token
            .as_deref()
            .map(paging::decode_pair)
            .transpose()?,
        limit: page_size + 1,
    };
    let required = state.config.required_documents.clone();
    let (rows, completeness) = state
        .db(move |conn| {
            let rows = register::list_registrations(conn, &filter)?;
            let ids: Vec<String> = rows.iter().map(|(r, _)| r.id.clone()).collect();
            let completeness = completeness(conn, &ids, &required)?;
            Ok((rows, completeness))
        })
        .await?;
    let (rows, next_page_token) = paging::split(rows, page_size, |(r, _)| {
        paging::pair(&r.region_code, &r.id)
    });
    let mut items = Vec::with_capacity(rows.len());
    for (reg, org) in rows {
        let (complete, missing) = completeness.get(&reg.id).cloned().unwrap_or_default();
        let current = current_state(&state, &reg)?;
        items.push(Ormas::build(&reg, &org, current, today, complete, missing)?);
    }
    Ok(HttpResponse::Ok().json(OrmasPage {
        items,
        next_page_token,
    }))
}

/// Changes to a registration; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"phone": "+62 542 765432", "address": "Jl. MT Haryono No. 9, Balikpapan"}))]
pub struct UpdateOrmas {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 1, max = 50))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 50)]
    pub abbreviation: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(length(min = 15, max = 25))]
    #[schema(value_type = Option<String>, min_length = 15, max_length = 25, pattern = r"^[0-9][0-9. -]{13,23}[0-9]$")]
    pub npwp: Option<Option<String>>,
    #[validate(length(max = 10))]
    #[schema(max_items = 10)]
    pub fields: Option<Vec<String>>,
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub address: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "validate_region_code"))]
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{2}\.[0-9]{2}\.[0-9]{2}$")]
    pub district_code: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "validate_phone"))]
    #[schema(value_type = Option<String>, pattern = r"^\+?[0-9][0-9 ()-]{5,19}$")]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub board_term_ends_on: Option<Option<NaiveDate>>,
}

impl UpdateOrmas {
    fn contact_only(&self) -> bool {
        self.name.is_none()
            && self.abbreviation.is_none()
            && self.npwp.is_none()
            && self.fields.is_none()
            && self.board_term_ends_on.is_none()
    }

    fn changed_fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("abbreviation", self.abbreviation.is_some()),
            ("npwp", self.npwp.is_some()),
            ("fields", self.fields.is_some()),
            ("address", self.address.is_some()),
            ("district_code", self.district_code.is_some()),
            ("phone", self.phone.is_some()),
            ("email", self.email.is_some()),
            ("board_term_ends_on", self.board_term_ends_on.is_some()),
        ]
        .into_iter()
        .filter(|(_, present)| *present)
        .map(|(name, _)| name)
        .collect()
    }
}

/// Change a registration.
#[utoipa::path(
    tag = "ormas",
    operation_id = "updateOrmas",
    summary = "Change a registration",
    description = "Changes the given fields while the registration is a draft or returned. Officers \
may also correct contact data (address, kecamatan, phone, email) later; every change is in the \
history. Name, abbreviation, NPWP and fields belong to the organisation's national identity. Send \
the `ETag` in `If-Match` (412 when stale). Roles: `ormas_rep` (its own), `officer` (within its region).",
    params(
        ("id" = String, Path, description = "The registration's id."),
        ("If-Match" = Option<String>, Header, nullable = false, description = "The `ETag` last read.", pattern = r#"^(W/)?("[0-9]+"|[0-9]+)$|^\*$"#),
    ),
    request_body(content = UpdateOrmas, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The changed registration.", body = Ormas, headers(("ETag" = String, description = "Its new version."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not edit registrations.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The state no longer allows this change.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[patch("/v1/ormas/{id}")]
pub async fn update_ormas(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<UpdateOrmas>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::EditRegistration)?;
    let (reg, org) = load_visible(&state, &principal, path.into_inner()).await?;
    let change = body.0;
    require_current_version(&req, reg.version)?;
    let current = current_state(&state, &reg)?;
    let editable = require_editable(current);
    if editable.is_err() && !(principal.role == Role::Officer && change.contact_only()) {
        editable?;
    }
    let mut issues = Vec::new();
    let mut organisation = org.clone();
    if let Some(name) = &change.name {
        organisation.name = name.trim().to_owned();
    }
    if let Some(abbreviation) = &change.abbreviation {
        organisation.abbreviation = abbreviation.clone();
    }
    if let Some(npwp) = &change.npwp {
        organisation.npwp = match npwp.as_deref().map(Npwp::parse) {
            None => None,
            Some(Ok(npwp)) => Some(npwp.as_str().to_owned()),
            Some(Err(_)) => {
                issues.push(issue(
                    "npwp",
                    "invalid_npwp",
                    "NPWP harus 15 atau 16 digit",
                    "must be 15 or 16 digits",
                ));
                None
            }
        };
    }
    if let Some(fields) = &change.fields {
        let mut unique: Vec<String> = Vec::new();
        for (index, code) in fields.iter().enumerate() {
            if reference_lists::find(FIELDS, code).is_none() {
                issues.push(issue(
                    &format!("fields[{index}]"),
                    "unknown_field",
                    "bidang tidak dikenal",
                    "is not a field code",
                ));
            } else if !unique.contains(code) {
                unique.push(code.clone());
            }
        }
        organisation.fields = serde_json::to_string(&unique).unwrap_or_else(|_| "[]".into());
    }
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let at = now();
    organisation.updated_at = at;
    let updated = RegistrationRow {
        address: change
            .address
            .clone()
            .map(|a| a.trim().to_owned())
            .unwrap_or(reg.address.clone()),
        district_code: change
            .district_code
            .clone()
            .unwrap_or(reg.district_code.clone()),
        phone: change.phone.clone().unwrap_or(reg.phone.clone()),
        email: change.email.clone().unwrap_or(reg.email.clone()),
        board_term_ends_on: change.board_term_ends_on.unwrap_or(reg.board_term_ends_on),
        version: reg.version + 1,
        updated_at: at,
        ..reg.clone()
    };
    let changed = change.changed_fields();
    let mut history = event(&principal, &reg.id, "update");
    history.notes = Some(serde_json::json!({ "changed": changed }).to_string());
    let trail = audit::detail(
        audit::on(
            audit::event(Some(&principal), "ormas.update", Outcome::Success),
            "ormas",
            &reg.id,
            Some(&reg.region_code),
        ),
        format!("changed: {}", changed.join(", ")),
    );
    let identity_changed = organisation != org;
    let expected = reg.version;
    let stored = updated.clone();
    let stored_org = organisation.clone();
    let saved = state
        .db(move |conn| {
            register::in_write_transaction(conn, |conn| {
                let issues =
                    check_places(conn, &stored.region_code, stored.district_code.as_deref())?;
                if !issues.is_empty() {
                    return Ok(Err(Some(issues)));
                }
                if !register::update_registration(conn, &stored, expected)? {
                    return Ok(Err(None));
                }
                if identity_changed {
                    register::update_organisation(conn, &stored_org)?;
                }
                register::insert_event(conn, &history)?;
                audit_log::record(conn, &trail)?;
                Ok(Ok(()))
            })
        })
        .await?;
    match saved {
        Err(Some(issues)) => return Err(ApiError::validation(issues)),
        Err(None) => return Err(ApiError::new(ErrorKind::PreconditionFailed)),
        Ok(()) => {}
    }
    let ormas = respond(&state, updated, organisation).await?;
    Ok(with_etag(HttpResponse::Ok(), &ormas))
}

/// A registration's history.
#[utoipa::path(
    tag = "ormas",
    operation_id = "getOrmasHistory",
    summary = "A registration's history",
    description = "Every transition and change, oldest first: who, when, from which state to which, \
the reason, notes and the registration number issued. Roles: staff and integrators within their \
region; a representative, its own ormas.",
    params(("id" = String, Path, description = "The registration's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The history.", body = History),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas/{id}/history")]
pub async fn get_history(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (reg, _) = load_visible(&state, &principal, path.into_inner()).await?;
    let events = state
        .db(move |conn| register::list_events(conn, &reg.id))
        .await?;
    Ok(HttpResponse::Ok().json(History {
        items: events.into_iter().map(HistoryEntry::from).collect(),
    }))
}

/// The ormas a representative's account acts for.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Binding {
    /// A registration id; `null` unbinds.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub ormas_id: Option<String>,
}

/// Bind a representative to its ormas.
#[utoipa::path(
    tag = "users",
    operation_id = "bindRepresentative",
    summary = "Bind a representative to its ormas",
    description = "Sets the ormas an `ormas_rep` account acts for (after checking the person \
represents it). The registration must be in the caller's region. Roles: `officer`, `admin`.",
    params(("id" = String, Path, description = "The representative's account id.")),
    request_body(content = Binding, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 204, description = "Bound (or unbound)."),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not bind representatives.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such representative or registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[put("/v1/users/{id}/ormas")]
pub async fn bind_representative(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: ValidJson<Binding>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::BindRepresentative)?;
    let user_id = path.into_inner();
    let ormas_id = body.0.ormas_id;
    let lookup_user = user_id.clone();
    let lookup_ormas = ormas_id.clone();
    let (user, registration) = state
        .db(move |conn| {
            let user = identity::find_user(conn, &lookup_user)?;
            let registration = match &lookup_ormas {
                Some(id) => register::find_registration(conn, id)?,
                None => None,
            };
            Ok((user, registration))
        })
        .await?;
    let user = user
        .filter(|u| u.role == Role::OrmasRep.as_str())
        .ok_or_else(|| {
            ApiError::not_found(Text::new(
                "Akun perwakilan tidak ditemukan.",
                "No such representative account.",
            ))
        })?;
    let region = match (&ormas_id, registration) {
        (Some(id), Some((reg, _))) if visible(&principal, &reg.id, &reg.region_code) => {
            Some(reg.region_code)
        }
        (Some(id), _) => return Err(not_found(id)),
        (None, _) => None,
    };
    if region.is_none()
        && !principal.covers(user.region_code.as_deref())
        && principal.region().is_some()
    {
        return Err(ApiError::not_found(Text::new(
            "Akun perwakilan tidak ditemukan.",
            "No such representative account.",
        )));
    }
    let trail = audit::detail(
        audit::on(
            audit::event(Some(&principal), "user.bind_ormas", Outcome::Success),
            "user",
            &user.id,
            region.as_deref(),
        ),
        format!("ormas: {}", ormas_id.as_deref().unwrap_or("none")),
    );
    state
        .db(move |conn| {
            ormas_persistence::in_transaction(conn, |conn| {
                identity::bind_ormas(conn, &user.id, ormas_id.as_deref())?;
                audit_log::record(conn, &trail)
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
