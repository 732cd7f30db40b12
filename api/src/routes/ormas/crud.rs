//! Creating, reading and editing registrations.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use ormas_domain::identity_numbers::Npwp;
use ormas_domain::organisation::{
    IdentityLock, branch_name_for, identity_editable_through_registration,
};
use ormas_domain::reference_lists::{self, FIELDS};
use ormas_domain::registration::RegistrationState;
use ormas_domain::{Action, Role};
use ormas_persistence::PersistenceError;
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity;
use ormas_persistence::register::{self, RegistrationRow};

use super::checks::{check_identity, check_places, issue};
use super::dto::{CreateOrmas, Ormas, UpdateOrmas};
use super::{current_state, event, load_visible, require_editable, respond};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, Text};
use crate::extract::ValidJson;
use crate::routes::{
    IfNoneMatch, RequiredIfMatch, represent, represent_get, require_matching_version,
};
use crate::state::AppState;

const ALREADY_REPRESENTS: &str = "representative already bound";

fn already_represents() -> ApiError {
    ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
        "Akun ini sudah mewakili sebuah ormas.",
        "This account already represents an ormas.",
    ))
}

/// What a registration's edit came to inside its transaction.
enum Saved {
    Done,
    Issues(Vec<crate::error::FieldIssue>),
    Locked(IdentityLock),
}

/// 409 `identity_read_only`, naming the rule and where a correction goes.
pub fn identity_read_only(lock: IdentityLock, organisation_id: &str) -> ApiError {
    let (id, en) = match lock {
        IdentityLock::Shared { registrations } => (
            format!(
                "Identitas nasional organisasi ini dipakai bersama oleh {registrations} pendaftaran \
                 (aturan {code}); perbaiki melalui PATCH /v1/organisations/{organisation_id}.",
                code = lock.code()
            ),
            format!(
                "The organisation's national identity is shared by {registrations} registrations \
                 (rule {code}); correct it with PATCH /v1/organisations/{organisation_id}.",
                code = lock.code()
            ),
        ),
        IdentityLock::Registered => (
            format!(
                "Pendaftaran ini sudah terdaftar; identitas nasionalnya hanya diperbaiki melalui \
                 PATCH /v1/organisations/{organisation_id} (aturan {code}).",
                code = lock.code()
            ),
            format!(
                "This registration has been registered; its national identity is corrected only \
                 with PATCH /v1/organisations/{organisation_id} (rule {code}).",
                code = lock.code()
            ),
        ),
    };
    ApiError::new(ErrorKind::IdentityReadOnly).with_detail(Text::new(id, en))
}

/// Create a registration draft.
#[utoipa::path(
    tag = "ormas",
    operation_id = "createOrmas",
    summary = "Create a registration draft",
    description = "Starts the registration (surat keterangan melapor) of an ormas in a region. The \
legal identity is national: the same AHU or SKT number links to the organisation already known, \
whatever region it was registered in, and the draft does not change that organisation (its \
identity fields are not applied; a different `name` is kept as the registration's `branch_name`). A representative's account is bound to the draft it creates \
(one ormas per account). Roles: `ormas_rep`, `officer` (within its region).",
    request_body(content = CreateOrmas, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The draft.", body = Ormas,
            headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
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
        return Err(already_represents());
    }
    let (organisation, identity_key) = check_identity(&request, state.config.today())?;
    let at = now_utc();
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
        branch_name: None,
        suspended_until: None,
        secretariat_missing_since: None,
        address_changed_on: None,
    };
    let filed_name = request.name.clone();
    let explicit_branch = request.branch_name.clone();
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
            let created = ormas_persistence::in_write_transaction(conn, |conn| {
                let issues =
                    check_places(conn, &stored.region_code, stored.district_code.as_deref())?;
                if !issues.is_empty() {
                    return Ok(Err(issues));
                }
                let existing = match &identity_key {
                    Some(key) => register::find_organisation_by_identity(conn, key)?,
                    None => None,
                };
                // A known AHU/SKT number links the draft to that organisation, which the draft
                // cannot change: a name of its own is kept as the registration's branch name.
                let (organisation, branch_name) = match existing {
                    Some(found) => {
                        let branch =
                            branch_name_for(&filed_name, &found.name, explicit_branch.as_deref());
                        (found, branch)
                    }
                    None => {
                        register::insert_organisation(conn, &organisation)?;
                        let branch = branch_name_for(
                            &organisation.name,
                            &organisation.name,
                            explicit_branch.as_deref(),
                        );
                        (organisation, branch)
                    }
                };
                let stored = RegistrationRow {
                    organisation_id: organisation.id.clone(),
                    branch_name,
                    ..stored
                };
                register::insert_registration(conn, &stored)?;
                register::insert_event(conn, &history)?;
                // One ormas per representative, also under concurrent creates: the claim is one
                // guarded statement, and a lost claim rolls the whole draft back.
                if let Some(user_id) = bind_rep
                    && !identity::claim_ormas(conn, &user_id, &stored.id)?
                {
                    return Err(PersistenceError::Refused(ALREADY_REPRESENTS));
                }
                audit_log::record(conn, &trail)?;
                Ok(Ok((stored, organisation)))
            });
            match created {
                Err(PersistenceError::Refused(ALREADY_REPRESENTS)) => Ok(None),
                other => other.map(Some),
            }
        })
        .await?;
    let (registration, organisation) = result
        .ok_or_else(already_represents)?
        .map_err(ApiError::validation)?;
    let ormas = respond(&state, registration, organisation).await?;
    represent(StatusCode::CREATED, &ormas)
}

/// Get a registration.
#[utoipa::path(
    tag = "ormas",
    operation_id = "getOrmas",
    summary = "Get a registration",
    description = "One registration with its legal identity, deadlines, completeness and the \
transitions its state allows. Others' registrations answer 404. Roles: staff and integrators \
within their region; a representative, its own ormas.",
    params(("id" = String, Path, description = "The registration's id."), IfNoneMatch),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The registration.", body = Ormas, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
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
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (reg, org) = load_visible(&state, &principal, path.into_inner()).await?;
    let ormas = respond(&state, reg, org).await?;
    represent_get(&req, &ormas)
}

/// Change a registration.
#[utoipa::path(
    tag = "ormas",
    operation_id = "updateOrmas",
    summary = "Change a registration",
    description = "Changes the given fields while the registration is a draft or returned. Officers \
may also correct contact data (address, kecamatan, phone, email) later; every change is in the \
history. Name, abbreviation, NPWP and fields belong to the organisation's national identity: they \
can be changed here only while this is the organisation's only registration and it has never been \
registered (409 `identity_read_only` otherwise, naming the rule; corrections then go through \
`PATCH /v1/organisations/{id}`). `branch_name` belongs to this registration alone. Send the `ETag` \
in `If-Match` (412 when stale). Roles: `ormas_rep` (its own), `officer` (within its region).",
    params(
        ("id" = String, Path, description = "The registration's id."),
        RequiredIfMatch,
    ),
    request_body(content = UpdateOrmas, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The changed registration.", body = Ormas, headers(("ETag" = String, description = "Its version and a digest of this representation; send it back in `If-Match`."), ("Location" = String, description = "Its URL."))),
        (status = 400, description = "The body is not valid JSON, or `If-Match` is malformed.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not edit registrations.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The state no longer allows this change; the change touches a national identity that is read-only through this registration (`identity_read_only`); or the registration changed meanwhile (a race lost without `If-Match`).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
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
    require_matching_version(&req, reg.version)?;
    if change.touches_identity() && reg.registration_number.is_some() {
        return Err(identity_read_only(IdentityLock::Registered, &org.id));
    }
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
    let identity_changed = organisation != org;
    let at = now_utc();
    if identity_changed {
        organisation.updated_at = at;
        organisation.version = org.version + 1;
    }
    let new_address = change
        .address
        .as_deref()
        .map(str::trim)
        .filter(|a| *a != reg.address.trim())
        .map(str::to_owned);
    // A new address ends what a visit found at the old one.
    let (address_changed_on, secretariat_missing_since) = match new_address {
        Some(_) => (Some(state.config.today()), None),
        None => (reg.address_changed_on, reg.secretariat_missing_since),
    };
    let updated = RegistrationRow {
        address_changed_on,
        secretariat_missing_since,
        branch_name: match &change.branch_name {
            Some(name) => name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned),
            None => reg.branch_name.clone(),
        },
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
    let expected = reg.version;
    let expected_org = org.version;
    let ever_registered = reg.registration_number.is_some();
    let stored = updated.clone();
    let stored_org = organisation.clone();
    let saved = state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                if identity_changed {
                    // Counted inside the write transaction: a registration of another region
                    // that links to the organisation meanwhile cannot slip in between.
                    let registrations =
                        register::count_registrations_of_organisation(conn, &stored_org.id)?;
                    let registrations = usize::try_from(registrations).unwrap_or(usize::MAX);
                    if let Err(lock) =
                        identity_editable_through_registration(registrations, ever_registered)
                    {
                        return Ok(Saved::Locked(lock));
                    }
                }
                let issues =
                    check_places(conn, &stored.region_code, stored.district_code.as_deref())?;
                if !issues.is_empty() {
                    return Ok(Saved::Issues(issues));
                }
                register::update_registration(conn, &stored, expected)?;
                if identity_changed {
                    register::update_organisation(conn, &stored_org, expected_org)?;
                }
                register::insert_event(conn, &history)?;
                audit_log::record(conn, &trail)?;
                Ok(Saved::Done)
            })
        })
        .await?;
    match saved {
        Saved::Done => {}
        Saved::Issues(issues) => return Err(ApiError::validation(issues)),
        Saved::Locked(lock) => return Err(identity_read_only(lock, &org.id)),
    }
    let ormas = respond(&state, updated, organisation).await?;
    represent(StatusCode::OK, &ormas)
}
