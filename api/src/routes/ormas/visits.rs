//! Field visits to a registration's secretariat: the verification visit before approval (a
//! *Berita Acara* and the *Formulir Hasil Penelitian Keberadaan Ormas*) and the visits of a
//! re-registration drive (*registrasi ulang*). What the last visit found is stored on the
//! registration: a secretariat not found makes the ormas inactive with `secretariat_not_found`.

use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDate;
use ormas_domain::Action;
use ormas_domain::oversight::Agency;
use ormas_domain::reference_lists::VISIT_PHOTO;
use ormas_domain::registration::RegistrationState;
use ormas_domain::visits::{
    SecretariatFinding, VisitClaim, VisitError, VisitFacts, VisitPurpose, check_visit,
    secretariat_missing_since,
};
use ormas_persistence::audit as audit_log;
use ormas_persistence::oversight::{self, CaseEventRow};
use ormas_persistence::register;
use ormas_persistence::visits::{self, VisitRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use super::{current_state, event, load_visible};
use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::ValidJson;
use crate::routes::dto::{utc, validate_not_blank};
use crate::state::AppState;

/// A member of the visiting team; members from other agencies need no account.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamMember {
    /// A code from `GET /v1/reference/agencies`: `kesbangpol`, `polri`, `tni`, `kejaksaan`,
    /// `binda`, `satpol_pp`, `kemenag` or `other`.
    #[validate(length(min = 1, max = 30))]
    #[schema(min_length = 1, max_length = 30, example = "polri")]
    pub agency: String,
    #[validate(length(min = 1, max = 200), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 200, example = "Iptu Rahmat Hidayat")]
    pub name: String,
    #[validate(length(max = 200))]
    #[schema(max_length = 200, example = "Kanit Intelkam Polresta")]
    pub position: Option<String>,
}

/// A visit as recorded by the team.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "visited_on": "2026-11-20", "address": "Jl. Jenderal Sudirman No. 12, Balikpapan",
    "latitude": -1.2654, "longitude": 116.8312,
    "team": [{"agency": "kesbangpol", "name": "Dewi Lestari", "position": "Analis Kebijakan"},
             {"agency": "polri", "name": "Iptu Rahmat Hidayat", "position": "Kanit Intelkam"}],
    "finding": "secretariat_found", "activities_observed": true,
    "notes": "Papan nama terpasang; pengurus hadir; Berita Acara ditandatangani.",
    "photo_document_ids": []
}))]
pub struct VisitInput {
    /// The day of the visit; not after today.
    pub visited_on: NaiveDate,
    /// The address visited; the registration's address when omitted.
    #[validate(length(min = 1, max = 500), custom(function = "validate_not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub address: Option<String>,
    /// WGS84 latitude; with `longitude` or not at all.
    #[validate(range(min = -90.0, max = 90.0))]
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub latitude: Option<f64>,
    #[validate(range(min = -180.0, max = 180.0))]
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub longitude: Option<f64>,
    /// Who was present.
    #[validate(length(min = 1, max = 30), nested)]
    #[schema(min_items = 1, max_items = 30)]
    pub team: Vec<TeamMember>,
    pub finding: SecretariatFinding,
    /// Where the secretariat is now; required exactly when `finding` is `secretariat_moved`.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub new_address: Option<String>,
    /// Whether the team saw activities of the ormas.
    #[serde(default)]
    pub activities_observed: bool,
    /// What the team found, in its words.
    #[validate(length(max = 5000))]
    #[schema(max_length = 5000)]
    pub notes: Option<String>,
    /// Ids of `visit_photo` documents uploaded to this registration.
    #[serde(default)]
    #[validate(length(max = 20))]
    #[schema(max_items = 20)]
    pub photo_document_ids: Vec<String>,
}

/// A recorded visit.
#[derive(Debug, Serialize, ToSchema)]
pub struct Visit {
    pub id: String,
    /// The registration visited; `null` for a case about an unregistered organisation.
    #[schema(required = true)]
    pub ormas_id: Option<String>,
    /// The oversight case, when the visit belongs to one.
    #[schema(required = true)]
    pub case_id: Option<String>,
    pub region_code: String,
    pub purpose: VisitPurpose,
    pub visited_on: NaiveDate,
    pub address: String,
    #[schema(required = true)]
    pub latitude: Option<f64>,
    #[schema(required = true)]
    pub longitude: Option<f64>,
    pub team: Vec<TeamMember>,
    pub finding: SecretariatFinding,
    #[schema(required = true)]
    pub new_address: Option<String>,
    pub activities_observed: bool,
    #[schema(required = true)]
    pub notes: Option<String>,
    pub photo_document_ids: Vec<String>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// A registration's visits and what they say now.
#[derive(Debug, Serialize, ToSchema)]
pub struct VisitList {
    /// Oldest first, in the order they were recorded.
    pub items: Vec<Visit>,
    /// Since when the secretariat counts as missing (the last visit found nothing and the address
    /// has not changed since); `null` when it does not.
    #[schema(required = true)]
    pub secretariat_missing_since: Option<NaiveDate>,
}

impl Visit {
    pub fn from_row(row: VisitRow) -> Result<Visit, ApiError> {
        let corrupt = |what: &str| ApiError::internal(format!("stored visit {what} unreadable"));
        Ok(Visit {
            purpose: row.purpose.parse().map_err(|_| corrupt("purpose"))?,
            finding: row.finding.parse().map_err(|_| corrupt("finding"))?,
            team: serde_json::from_str(&row.team).map_err(|_| corrupt("team"))?,
            photo_document_ids: serde_json::from_str(&row.photo_ids)
                .map_err(|_| corrupt("photos"))?,
            id: row.id,
            ormas_id: row.registration_id,
            case_id: row.case_id,
            region_code: row.region_code,
            visited_on: row.visited_on,
            address: row.address,
            latitude: row.latitude,
            longitude: row.longitude,
            new_address: row.new_address,
            activities_observed: row.activities_observed,
            notes: row.notes,
            recorded_at: utc(row.created_at),
        })
    }
}

/// The facts the rules read, numbered in the order the visits were recorded.
pub fn facts(rows: &[VisitRow]) -> Vec<VisitFacts> {
    rows.iter()
        .enumerate()
        .filter_map(|(i, row)| {
            Some(VisitFacts {
                visited_on: row.visited_on,
                recorded_seq: i as i64,
                finding: row.finding.parse().ok()?,
            })
        })
        .collect()
}

fn visit_issue(error: &VisitError) -> FieldIssue {
    let (field, code, id) = match error {
        VisitError::NewAddressRequired => (
            "new_address",
            "required",
            "wajib diisi bila sekretariat pindah",
        ),
        VisitError::NewAddressUnexpected => (
            "new_address",
            "unexpected",
            "hanya diisi bila sekretariat pindah",
        ),
        VisitError::InTheFuture => ("visited_on", "in_future", "tidak boleh setelah hari ini"),
        VisitError::NoTeam => (
            "team",
            "required",
            "sebutkan paling sedikit satu anggota tim",
        ),
        VisitError::BadCoordinates => (
            "latitude",
            "invalid_coordinates",
            "lintang dan bujur diisi keduanya atau tidak sama sekali, dalam rentangnya",
        ),
    };
    FieldIssue::new(field, code, Text::new(id, error.to_string()))
}

/// Checks a visit's body beyond its types: the domain rules, the agencies, the photos (ids of
/// `visit_photo` documents of `registration_id`, when there is one).
pub fn input_issues(
    input: &VisitInput,
    today: NaiveDate,
    photos: &[register::DocumentRow],
) -> Vec<FieldIssue> {
    let claim = VisitClaim {
        visited_on: input.visited_on,
        finding: input.finding,
        new_address: input.new_address.as_deref(),
        team_size: input.team.len(),
        latitude: input.latitude,
        longitude: input.longitude,
    };
    let mut issues: Vec<FieldIssue> = check_visit(&claim, today).iter().map(visit_issue).collect();
    for (i, member) in input.team.iter().enumerate() {
        if member.agency.parse::<Agency>().is_err() {
            let codes: Vec<&str> = Agency::ALL.iter().map(|a| a.as_str()).collect();
            issues.push(FieldIssue::new(
                format!("team[{i}].agency"),
                "unknown_agency",
                Text::new(
                    format!(
                        "instansi tidak dikenal; salah satu dari {}",
                        codes.join(", ")
                    ),
                    format!("is not an agency; one of {}", codes.join(", ")),
                ),
            ));
        }
    }
    for (i, id) in input.photo_document_ids.iter().enumerate() {
        if !photos
            .iter()
            .any(|d| &d.id == id && d.doc_type == VISIT_PHOTO)
        {
            issues.push(FieldIssue::new(
                format!("photo_document_ids[{i}]"),
                "unknown_document",
                Text::new(
                    "bukan dokumen visit_photo milik ormas ini",
                    "is not a visit_photo document of this ormas",
                ),
            ));
        }
    }
    issues
}

/// The row of a checked visit.
pub fn row_of(
    input: VisitInput,
    principal: &Principal,
    registration_id: Option<String>,
    case_id: Option<String>,
    region_code: String,
    purpose: VisitPurpose,
    default_address: String,
) -> VisitRow {
    VisitRow {
        id: uuid::Uuid::now_v7().to_string(),
        registration_id,
        case_id,
        region_code,
        purpose: purpose.as_str().to_owned(),
        visited_on: input.visited_on,
        address: input
            .address
            .map(|a| a.trim().to_owned())
            .unwrap_or(default_address),
        latitude: input.latitude,
        longitude: input.longitude,
        team: serde_json::to_string(&input.team).unwrap_or_else(|_| "[]".into()),
        finding: input.finding.as_str().to_owned(),
        new_address: input.new_address.map(|a| a.trim().to_owned()),
        activities_observed: input.activities_observed,
        notes: input
            .notes
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        photo_ids: serde_json::to_string(&input.photo_document_ids).unwrap_or_else(|_| "[]".into()),
        recorded_by: Some(principal.id.clone()),
        created_at: now_utc(),
    }
}

/// Stores a visit inside one write transaction: on its registration (if any) the new
/// `secretariat_missing_since` and a history entry, on its case (if any) a timeline entry, and an
/// audit entry on `target` (`(type, id)`). Returns the visit.
pub async fn record(
    state: &AppState,
    principal: &Principal,
    reg: Option<register::RegistrationRow>,
    row: VisitRow,
    case_event: Option<CaseEventRow>,
    action: &'static str,
    target: (&'static str, String),
) -> Result<VisitRow, ApiError> {
    let today = state.config.today();
    let history = reg.as_ref().map(|reg| {
        let mut history = event(principal, &reg.id, "visit");
        history.notes = Some(
            serde_json::json!({
                "visit_id": row.id, "purpose": row.purpose, "visited_on": row.visited_on,
                "finding": row.finding, "case_id": row.case_id,
            })
            .to_string(),
        );
        history
    });
    let trail = audit::on(
        audit::event(Some(principal), action, Outcome::Success),
        target.0,
        &target.1,
        Some(&row.region_code),
    );
    let stored = row.clone();
    state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                visits::insert_visit(conn, &stored)?;
                if let (Some(reg), Some(history)) = (&reg, &history) {
                    let all = visits::visits_of_registration(conn, &reg.id)?;
                    let since =
                        secretariat_missing_since(&facts(&all), reg.address_changed_on, today);
                    if since != reg.secretariat_missing_since {
                        visits::set_secretariat_missing(conn, &reg.id, since, stored.created_at)?;
                    }
                    register::insert_event(conn, history)?;
                }
                if let Some(case_event) = &case_event {
                    oversight::insert_case_event(conn, case_event)?;
                }
                audit_log::record(conn, &trail)
            })
        })
        .await?;
    Ok(row)
}

/// Record a field visit.
#[utoipa::path(
    tag = "oversight",
    operation_id = "recordOrmasVisit",
    summary = "Record a field visit to the secretariat",
    description = "A visit to the secretariat of a submitted registration (verification, before \
the office decides: where `ORMAS_REQUIRE_VERIFICATION_VISIT` is on, `approve` is refused until a \
visit found the secretariat) or of a registered ormas (re-registration drive; no case needed). \
The team (by agency; members of other agencies need no account), the finding \
(`secretariat_found`, `secretariat_moved` with the new address, `secretariat_not_found`), whether \
activities were observed, notes and photos (`visit_photo` documents uploaded to the ormas). The \
latest visit decides: one that finds nothing makes the ormas inactive with reason \
`secretariat_not_found` until a later visit finds it or its address is changed. Written to the \
registration's history and the audit log. Roles: `officer`, `oversight` within their region.",
    params(("id" = String, Path, description = "The registration's id.")),
    request_body(content = VisitInput, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The recorded visit.", body = Visit,
            headers(("Location" = String, description = "The registration's visits."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not record visits.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The registration is a draft, or closed (rejected, lapsed, dissolved, revoked).", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "The visit is invalid: dated after today, no team, an unknown agency, a new address missing or unexpected, coordinates out of range, a photo that is not a `visit_photo` document of this ormas.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/ormas/{id}/visits")]
pub async fn record_visit(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: ValidJson<VisitInput>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::RecordVisit)?;
    let (reg, _) = load_visible(&state, &principal, path.into_inner()).await?;
    let current = current_state(&state, &reg)?;
    let purpose = match current {
        RegistrationState::Submitted | RegistrationState::NeedsRevision => {
            VisitPurpose::Verification
        }
        RegistrationState::Registered => VisitPurpose::ReRegistration,
        other => {
            return Err(ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
                format!(
                    "Ormas berstatus {} tidak dikunjungi; kunjungan dicatat untuk pendaftaran yang \
                     diajukan atau terdaftar.",
                    other.as_str()
                ),
                format!(
                    "A registration in state {} is not visited; visits are recorded on submitted \
                     or registered ones.",
                    other.as_str()
                ),
            )));
        }
    };
    let input = body.0;
    let id = reg.id.clone();
    let documents = state
        .db(move |conn| register::list_documents(conn, &id))
        .await?;
    let issues = input_issues(&input, state.config.today(), &documents);
    if !issues.is_empty() {
        return Err(ApiError::validation(issues));
    }
    let row = row_of(
        input,
        &principal,
        Some(reg.id.clone()),
        None,
        reg.region_code.clone(),
        purpose,
        reg.address.clone(),
    );
    let location = format!("/v1/ormas/{}/visits", reg.id);
    let target = ("ormas", reg.id.clone());
    let row = record(
        &state,
        &principal,
        Some(reg),
        row,
        None,
        "ormas.visit",
        target,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .json(Visit::from_row(row)?))
}

/// List a registration's field visits.
#[utoipa::path(
    tag = "oversight",
    operation_id = "listOrmasVisits",
    summary = "List the field visits to an ormas",
    description = "Every visit to the registration's secretariat, oldest first (verification, \
re-registration and oversight cases), and since when the secretariat counts as missing. Roles: \
staff within their region.",
    params(("id" = String, Path, description = "The registration's id.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The visits.", body = VisitList),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not read visits.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such registration in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/ormas/{id}/visits")]
pub async fn list_visits(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ReadCases)?;
    let (reg, _) = load_visible(&state, &principal, path.into_inner()).await?;
    let id = reg.id.clone();
    let rows = state
        .db(move |conn| visits::visits_of_registration(conn, &id))
        .await?;
    let since =
        secretariat_missing_since(&facts(&rows), reg.address_changed_on, state.config.today());
    let items = rows
        .into_iter()
        .map(Visit::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(VisitList {
        items,
        secretariat_missing_since: since,
    }))
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_visits).service(record_visit);
}
