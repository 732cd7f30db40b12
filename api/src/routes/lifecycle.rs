//! The one mechanism behind every transition endpoint (`POST /v1/{resource}/{id}/{step}`):
//! registrations and reports use it, and so does every lifecycle to come (cases, sanctions,
//! permits, grants, consultations).
//!
//! A resource implements [`Lifecycle`]: how to read one record with the facts its rule needs, who
//! sees it, how its pure domain rule decides a step, what the step writes, and how the result is
//! shown. [`transition`] does the rest in the same order for every resource: the role first (403),
//! then the record in the caller's scope (404), then `If-Match` (412), then the rule (409 naming
//! the state and what it allows, 422 for what the step lacks), then the write with its audit row
//! in one write transaction (a stale version there: 412 with `If-Match`, 409 without), then the
//! answer with its `ETag` and `Location`. Each endpoint stays a real handler that names its step:
//!
//! ```ignore
//! #[post("/v1/ormas/{id}/approve")]
//! pub async fn approve(state: web::Data<AppState>, principal: Principal, path: web::Path<String>,
//!     req: HttpRequest, body: ValidJson<TransitionRequest>) -> Result<HttpResponse, ApiError> {
//!     transition::<Registrations>(&state, principal, path.into_inner(), &req, body.0, Transition::Approve).await
//! }
//! ```

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDate;
use ormas_domain::{Action, Role};
use ormas_persistence::audit as audit_log;
use ormas_persistence::{AnyConnection, PersistenceResult, in_write_transaction};
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{ObjectBuilder, Ref, RefOr, Type};
use utoipa::{IntoResponses, ToSchema};

use crate::audit::{self, Outcome};
use crate::auth::Principal;
use crate::config::Config;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::routes::representation::{ETAG_HEADER, LOCATION_HEADER};
use crate::routes::{Resource, represent, require_current_version};
use crate::state::AppState;

/// What the rules of a request may consult: the settings and today's date, fixed once per request.
#[derive(Clone)]
pub struct Env {
    pub config: Arc<Config>,
    pub today: NaiveDate,
}

impl Env {
    pub fn of(state: &AppState) -> Env {
        Env {
            config: state.config.clone(),
            today: state.config.today(),
        }
    }
}

/// How a resource's messages and documentation name it.
#[derive(Debug, Clone, Copy)]
pub struct Noun {
    /// In Indonesian: `ormas`, `laporan`.
    pub id: &'static str,
    /// In English, with its article: `a registration`, `a report`.
    pub en: &'static str,
    /// In English, bare: `registration`, `report`.
    pub name: &'static str,
}

/// One resource's lifecycle, as [`transition`] needs it.
pub trait Lifecycle {
    /// A record as read for a step: the stored row(s) and the facts the rule needs (holidays,
    /// completeness…), read in one trip.
    type Loaded: Send + 'static;
    /// The resource's steps: a domain enum (`Transition`, `ReportTransition`, …).
    type Step: Copy + Into<&'static str>;
    /// The request body of a step.
    type Body;
    /// What the rule decided to write, prepared outside the transaction.
    type Change: Send + 'static;
    /// What the write read back to answer with.
    type Saved: Send + 'static;
    /// The answer: the resource as its `GET` shows it.
    type View: Resource + ToSchema;

    /// The resource's name in the audit log: actions are `{NAME}.{step}` on targets of this type.
    const NAME: &'static str;
    const NOUN: Noun;

    /// The permission a step needs (checked before anything is read).
    fn action(step: Self::Step) -> Action;
    /// Reads the record with `id` and the facts its rule needs; `None` when there is none.
    fn find(
        conn: &mut AnyConnection,
        id: &str,
        env: &Env,
    ) -> PersistenceResult<Option<Self::Loaded>>;
    /// Whether the caller may see the record at all (others' records answer 404, never 403).
    fn visible(principal: &Principal, loaded: &Self::Loaded) -> bool;
    fn not_found(id: &str) -> ApiError;
    /// The record's id, region and version.
    fn target(loaded: &Self::Loaded) -> Target;
    /// Applies the pure domain rule and prepares the write (409, 403 or 422 when it refuses).
    fn decide(
        loaded: Self::Loaded,
        step: Self::Step,
        body: Self::Body,
        principal: &Principal,
        env: &Env,
    ) -> Result<Self::Change, ApiError>;
    /// Writes the change inside the step's write transaction (with the versioned update helper, so
    /// that a concurrent write rolls it back), history included; [`transition`] adds the audit row
    /// to the same transaction.
    fn write(
        conn: &mut AnyConnection,
        change: Self::Change,
        env: &Env,
    ) -> PersistenceResult<Self::Saved>;
    fn view(saved: Self::Saved, env: &Env) -> Result<Self::View, ApiError>;
}

/// Where a record is and which version of it was read.
#[derive(Debug, Clone)]
pub struct Target {
    pub id: String,
    pub region_code: String,
    pub version: i32,
}

/// Performs `step` on the record `id` of lifecycle `L` for the caller, and answers the record as
/// changed (200, with its new `ETag` and its `Location`).
pub async fn transition<L: Lifecycle>(
    state: &AppState,
    principal: Principal,
    id: String,
    req: &HttpRequest,
    body: L::Body,
    step: L::Step,
) -> Result<HttpResponse, ApiError> {
    // A role that may never take this step hears so first, whatever the record.
    principal.require(L::action(step))?;
    let env = Env::of(state);
    let (lookup, find_env) = (id.clone(), env.clone());
    let loaded = state
        .db(move |conn| L::find(conn, &lookup, &find_env))
        .await?
        .filter(|loaded| L::visible(&principal, loaded))
        .ok_or_else(|| L::not_found(&id))?;
    let target = L::target(&loaded);
    require_current_version(req, target.version)?;
    let code: &'static str = step.into();
    let trail = audit::on(
        audit::event(
            Some(&principal),
            &format!("{}.{code}", L::NAME),
            Outcome::Success,
        ),
        L::NAME,
        &target.id,
        Some(&target.region_code),
    );
    let change = L::decide(loaded, step, body, &principal, &env)?;
    let write_env = env.clone();
    let saved = state
        .db(move |conn| {
            in_write_transaction(conn, |conn| {
                let saved = L::write(conn, change, &write_env)?;
                audit_log::record(conn, &trail)?;
                Ok(saved)
            })
        })
        .await?;
    represent(StatusCode::OK, &L::view(saved, &env)?)
}

/// Every answer of a step endpoint of lifecycle `L`, for its `#[utoipa::path]`:
/// `responses((status = 422, …), StepResponses<Registrations>)`. The 200 (the resource with its new
/// `ETag`) and 404 name the resource; the errors all steps share are
/// [`ormas_openapi::responses::TransitionErrors`]. Only the 422, which says what the step itself
/// needs, is the endpoint's own.
pub struct StepResponses<L>(std::marker::PhantomData<L>);

impl<L: Lifecycle> IntoResponses for StepResponses<L> {
    fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
        let name = L::NOUN.name;
        let changed = ResponseBuilder::new()
            .description(format!("The {name} after the transition."))
            .header("ETag", string_header(ETAG_HEADER))
            .header("Location", string_header(LOCATION_HEADER))
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name(L::View::name())))
                    .build(),
            )
            .build();
        let mut responses = ormas_openapi::responses::TransitionErrors::responses();
        responses.insert("200".into(), RefOr::T(changed));
        responses.insert(
            "404".into(),
            ormas_openapi::responses::problem(&format!("No such {name} in the caller's scope.")),
        );
        responses
    }
}

fn string_header(description: &str) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
        .description(Some(description))
        .build()
}

/// 409: the current state does not allow the step; names the state and what it allows.
pub fn not_allowed(noun: Noun, from: &str, step: &str, allowed: &[&str]) -> ApiError {
    let list = if allowed.is_empty() {
        "-".to_owned()
    } else {
        allowed.join(", ")
    };
    ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
        format!(
            "Tidak dapat {step} {} berstatus {from}; yang diizinkan dari status ini: {list}.",
            noun.id
        ),
        format!(
            "Cannot {step} {} in state {from}; allowed from this state: {list}.",
            noun.en
        ),
    ))
}

/// 403: the role may never take this step.
pub fn role_not_permitted(noun: Noun, role: Role, step: &str) -> ApiError {
    ApiError::forbidden(Text::new(
        format!("Peran {role} tidak dapat melakukan {step} {}.", noun.id),
        format!("The role {role} cannot {step} {}.", noun.en),
    ))
}

/// 422: the step needs a reason.
pub fn reason_required() -> ApiError {
    ApiError::validation(vec![FieldIssue::new(
        "reason",
        "required",
        Text::new("alasan wajib diisi", "a reason is required"),
    )])
}

/// The codes of a list of steps, for [`not_allowed`].
pub fn codes<S: Copy + Into<&'static str>>(steps: &[S]) -> Vec<&'static str> {
    steps.iter().map(|s| (*s).into()).collect()
}
