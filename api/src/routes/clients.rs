//! Service clients for integrators (OAuth 2.0 client credentials).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use ormas_domain::{Action, GrantError, Role, check_grant};
use ormas_persistence::audit as audit_log;
use ormas_persistence::identity::{self, ClientRow};
use ormas_persistence::reference;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::audit::{self, Outcome};
use crate::auth::{Principal, random_token, scope_of, token_hash};
use crate::clock::now_utc;
use crate::error::{ApiError, ErrorKind, FieldIssue, Text};
use crate::extract::ValidJson;
use crate::routes::dto::{utc, validate_region_code};
use crate::state::AppState;

/// A new service client.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"client_id": "kemendagri-sync", "name": "Kemendagri SIPORMAS", "region_code": "64"}))]
pub struct CreateClient {
    /// 3–64 letters, digits, `.`, `_`, `-`; unique.
    #[validate(custom(function = "crate::routes::dto::validate_username"))]
    #[schema(
        min_length = 3,
        max_length = 64,
        pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"
    )]
    pub client_id: String,
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub name: String,
    /// The region the client may read; defaults to the creator's. `null` (the whole nation) only
    /// for a `super_admin` creator.
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region_code: Option<String>,
}

/// A service client.
#[derive(Debug, Serialize, ToSchema)]
pub struct Client {
    pub id: String,
    pub client_id: String,
    pub name: String,
    #[schema(required = true)]
    pub region_code: Option<String>,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Send it back in `If-Match` to `PATCH /v1/clients/{id}`.
    pub version: i32,
}

impl crate::routes::Resource for Client {
    fn location(&self) -> String {
        format!("/v1/clients/{}", self.id)
    }

    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

/// A new client with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedClient {
    #[serde(flatten)]
    pub client: Client,
    /// Store it now: only its hash is kept, and it is never shown again.
    pub client_secret: String,
}

/// All clients in scope.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClientList {
    pub items: Vec<Client>,
}

impl Client {
    fn from_row(row: ClientRow) -> Self {
        Client {
            id: row.id,
            client_id: row.client_id,
            name: row.name,
            region_code: row.region_code,
            active: row.active,
            created_at: utc(row.created_at),
            version: row.version,
        }
    }
}

/// Create a service client.
#[utoipa::path(
    tag = "clients",
    operation_id = "createClient",
    summary = "Create a service client",
    description = "Creates a client for the client-credentials grant, scoped to a region in the \
caller's subtree. The secret is in this response only. Roles: `super_admin`, `admin`.",
    request_body(content = CreateClient, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 201, description = "The client and its secret.", body = CreatedClient,
            headers(("Location" = String, description = "The client list."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage clients, or the region is outside its scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client id is taken.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is missing or invalid, or the region does not exist.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/clients")]
pub async fn create_client(
    state: web::Data<AppState>,
    principal: Principal,
    body: ValidJson<CreateClient>,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ManageClients)?;
    let request = body.0;
    let region = request.region_code.or_else(|| principal.region());
    let scope = scope_of(region.as_deref()).map_err(|_| ApiError::new(ErrorKind::Validation))?;
    check_grant(principal.role, &principal.scope, Role::Integrator, &scope).map_err(
        |e| match e {
            GrantError::OutsideScope => ApiError::forbidden(Text::new(
                "Wilayah itu berada di luar wilayah kewenangan Anda.",
                "That region lies outside your scope.",
            )),
            _ => ApiError::forbidden(Text::new("Tidak diizinkan.", "Not allowed.")),
        },
    )?;
    let secret = random_token();
    let row = ClientRow {
        id: uuid::Uuid::now_v7().to_string(),
        client_id: request.client_id,
        name: request.name,
        secret_hash: token_hash(&secret),
        region_code: region,
        active: true,
        token_version: 1,
        created_by: Some(principal.id.clone()),
        created_at: now_utc(),
        version: 1,
    };
    let event = audit::on(
        audit::event(Some(&principal), "client.create", Outcome::Success),
        "client",
        &row.id,
        row.region_code.as_deref(),
    );
    let stored = row.clone();
    let created = state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                if !reference::region_known(conn, stored.region_code.as_deref())? {
                    return Ok(false);
                }
                identity::insert_client(conn, &stored)?;
                audit_log::record(conn, &event)?;
                Ok(true)
            })
        })
        .await
        .map_err(|e| {
            if e.kind == ErrorKind::Conflict {
                ApiError::new(ErrorKind::Conflict).with_detail(Text::new(
                    "client_id sudah dipakai.",
                    "The client_id is taken.",
                ))
            } else {
                e
            }
        })?;
    if !created {
        return Err(ApiError::validation(vec![FieldIssue::new(
            "region_code",
            "unknown_region",
            Text::new("wilayah tidak dikenal", "no region has this code"),
        )]));
    }
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/v1/clients"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedClient {
            client: Client::from_row(row),
            client_secret: secret,
        }))
}

/// List service clients.
#[utoipa::path(
    tag = "clients",
    operation_id = "listClients",
    summary = "List service clients",
    description = "The clients in the caller's region subtree (never their secrets). Roles: `super_admin`, `admin`.",
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The clients.", body = ClientList),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage clients.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/clients")]
pub async fn list_clients(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require(Action::ManageClients)?;
    let region = principal.region();
    let rows = state
        .db(move |conn| identity::list_clients(conn, region))
        .await?;
    Ok(HttpResponse::Ok().json(ClientList {
        items: rows.into_iter().map(Client::from_row).collect(),
    }))
}

/// A client in the caller's scope, named by its id or its `client_id`, or 404.
async fn visible_client(
    state: &AppState,
    principal: &Principal,
    id: String,
) -> Result<ClientRow, ApiError> {
    principal.require(Action::ManageClients)?;
    let lookup = id.clone();
    let row = state
        .db(move |conn| match identity::find_client(conn, &lookup)? {
            Some(row) => Ok(Some(row)),
            None => identity::find_client_by_client_id(conn, &lookup),
        })
        .await?;
    row.filter(|c| principal.covers(c.region_code.as_deref()))
        .ok_or_else(|| {
            ApiError::not_found(Text::new(
                format!("Klien {id} tidak ditemukan."),
                format!("No client {id}."),
            ))
        })
}

/// Saves a changed client (its tokens end at once) with its audit entry.
async fn save_client(
    state: &AppState,
    principal: &Principal,
    row: ClientRow,
    expected: i32,
    action: &str,
) -> Result<ClientRow, ApiError> {
    let event = audit::on(
        audit::event(Some(principal), action, Outcome::Success),
        "client",
        &row.id,
        row.region_code.as_deref(),
    );
    let stored = row.clone();
    state
        .db(move |conn| {
            ormas_persistence::in_write_transaction(conn, |conn| {
                identity::update_client(conn, &stored, expected)?;
                audit_log::record(conn, &event)
            })
        })
        .await?;
    Ok(ClientRow {
        version: row.version + 1,
        token_version: row.token_version + 1,
        ..row
    })
}

/// Changes to a service client.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateClient {
    /// `false` deactivates the client: its tokens stop working at once and it gets no new ones.
    pub active: bool,
}

/// Activate or deactivate a service client.
#[utoipa::path(
    tag = "clients",
    operation_id = "updateClient",
    summary = "Activate or deactivate a service client",
    description = "Sets `active`. Any change ends every token the client holds at once. `If-Match` \
is required (428 without it, 412 when stale). Roles: `super_admin`, `admin` (clients in their region).",
    params(("id" = String, Path, description = "The client's id, or its `client_id`."), crate::routes::RequiredIfMatch),
    request_body(content = UpdateClient, content_type = "application/json"),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The client.", body = Client, headers(("ETag" = String, description = "Its version and a digest of this representation."), ("Location" = String, description = "Its URL."))),
        (status = 400, response = ormas_openapi::responses::MalformedJson),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage clients.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 413, response = ormas_openapi::responses::PayloadTooLarge),
        (status = 415, response = ormas_openapi::responses::UnsupportedMediaType),
        (status = 422, description = "A field is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 428, response = ormas_openapi::responses::PreconditionRequired),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[patch("/v1/clients/{id}")]
pub async fn update_client(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    req: HttpRequest,
    body: ValidJson<UpdateClient>,
) -> Result<HttpResponse, ApiError> {
    let row = visible_client(&state, &principal, path.into_inner()).await?;
    crate::routes::require_matching_version(&req, row.version)?;
    let expected = row.version;
    let action = if body.0.active {
        "client.activate"
    } else {
        "client.deactivate"
    };
    let changed = ClientRow {
        active: body.0.active,
        ..row
    };
    let saved = save_client(&state, &principal, changed, expected, action).await?;
    crate::routes::represent(actix_web::http::StatusCode::OK, &Client::from_row(saved))
}

/// Rotate a service client's secret.
#[utoipa::path(
    tag = "clients",
    operation_id = "rotateClientSecret",
    summary = "Rotate a service client's secret",
    description = "Issues a new secret, shown this once; the old one stops working and every token \
the client holds ends at once. Roles: `super_admin`, `admin` (clients in their region).",
    params(("id" = String, Path, description = "The client's id, or its `client_id`.")),
    security(("bearer" = []), ("client_credentials" = [])),
    responses(
        (status = 200, description = "The client with its new secret.", body = CreatedClient),
        (status = 401, response = ormas_openapi::responses::Unauthorized),
        (status = 403, description = "The role may not manage clients.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such client in the caller's scope.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The client changed meanwhile.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[post("/v1/clients/{id}/rotate-secret")]
pub async fn rotate_client_secret(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let row = visible_client(&state, &principal, path.into_inner()).await?;
    let secret = random_token();
    let expected = row.version;
    let changed = ClientRow {
        secret_hash: token_hash(&secret),
        ..row
    };
    let saved = save_client(
        &state,
        &principal,
        changed,
        expected,
        "client.rotate_secret",
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(CreatedClient {
            client: Client::from_row(saved),
            client_secret: secret,
        }))
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_client)
        .service(list_clients)
        .service(update_client)
        .service(rotate_client_secret);
}
