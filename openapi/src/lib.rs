//! The base OpenAPI document: info, tags and the shared schemas. The `api` crate adds every path it
//! registers (through utoipa-actix-web) to this base, and exports the assembled document.

#![forbid(unsafe_code)]

use serde::Serialize;
use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi, ToSchema};

/// An RFC 9457 problem document: the body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:ormas:problem:not_found",
    "title": "Tidak ditemukan",
    "status": 404,
    "detail": "Wilayah 99.99 tidak ditemukan.",
    "code": "not_found",
    "request_id": "01934b7e-6f1a-7c3e-9d2b-5a4f3e2d1c0b",
    "errors": []
}))]
pub struct Problem {
    /// A URI naming the kind of problem; stable, machine-readable (`urn:ormas:problem:{code}`).
    #[serde(rename = "type")]
    pub problem_type: String,
    /// A short summary of the kind of problem, in the language asked for.
    pub title: String,
    /// The HTTP status code.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong with this request, in the language asked for (`Accept-Language`: `id` by
    /// default, `en`).
    pub detail: String,
    /// The kind of problem as a stable code, e.g. `not_found`, `validation_failed`.
    pub code: String,
    /// The request's `X-Request-Id`, to quote when asking for support.
    pub request_id: String,
    /// For validation problems, one entry per offending field; otherwise empty.
    pub errors: Vec<FieldError>,
}

/// One offending field of a request.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"field": "working_days", "code": "range", "message": "harus antara 0 dan 1000"}))]
pub struct FieldError {
    /// The path of the field in the request: `board[0].nik`, or a query parameter's name.
    pub field: String,
    /// A stable code for the rule broken, e.g. `required`, `range`, `invalid_type`, `invalid_nik`.
    pub code: String,
    /// A human-readable explanation, in the language asked for.
    pub message: String,
}

/// The body of every file response (documents, and the letters and exports to come): bytes,
/// published as `type: string, format: binary` (a `Blob` in generated clients), never as an array
/// of numbers. Use it as `content((ormas_openapi::File = "application/pdf"), …)`.
pub struct File;

impl utoipa::PartialSchema for File {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("A file's bytes; its media type is the response's."))
            .into()
    }
}

impl ToSchema for File {}

/// Error responses shared by many operations, published once under `components/responses`.
pub mod responses {
    use std::collections::BTreeMap;

    use utoipa::ToResponse;
    use utoipa::openapi::content::ContentBuilder;
    use utoipa::openapi::response::{Response, ResponseBuilder};
    use utoipa::openapi::{Ref, RefOr};

    use super::Problem;

    /// 401.
    #[derive(ToResponse)]
    #[response(
        description = "Not authenticated: the access token is missing, invalid, expired or revoked.",
        content_type = "application/problem+json",
        headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"ormas\", error=\"invalid_token\"`"))
    )]
    pub struct Unauthorized(#[allow(dead_code)] Problem);

    /// 304 to a conditional `GET`.
    #[derive(ToResponse)]
    #[response(
        description = "Not modified: `If-None-Match` names the current `ETag`; no body.",
        headers(
            ("ETag" = String, description = "The current `ETag` (the one sent)."),
            ("Location" = String, description = "Its URL.")
        )
    )]
    pub struct NotModified;

    /// 304 to a conditional `GET` of a file.
    #[derive(ToResponse)]
    #[response(
        description = "Not modified: `If-None-Match` names the file's current `ETag`; no body.",
        headers(("ETag" = String, description = "The current `ETag` (the one sent)."))
    )]
    pub struct FileNotModified;

    /// 428 to a write of a versioned resource without `If-Match`.
    #[derive(ToResponse)]
    #[response(
        description = "`If-Match` is missing: send the `ETag` last read, so that nobody else's change is overwritten.",
        content_type = "application/problem+json"
    )]
    pub struct PreconditionRequired(#[allow(dead_code)] Problem);

    /// 400 for a body that is not JSON.
    #[derive(ToResponse)]
    #[response(
        description = "The body is not valid JSON.",
        content_type = "application/problem+json"
    )]
    pub struct MalformedJson(#[allow(dead_code)] Problem);

    /// 413.
    #[derive(ToResponse)]
    #[response(
        description = "The body is over the size limit.",
        content_type = "application/problem+json"
    )]
    pub struct PayloadTooLarge(#[allow(dead_code)] Problem);

    /// 415.
    #[derive(ToResponse)]
    #[response(
        description = "The body is not `application/json`.",
        content_type = "application/problem+json"
    )]
    pub struct UnsupportedMediaType(#[allow(dead_code)] Problem);

    /// 500.
    #[derive(ToResponse)]
    #[response(
        description = "The server failed; the cause is logged with the request id.",
        content_type = "application/problem+json"
    )]
    pub struct ServerError(#[allow(dead_code)] Problem);

    /// 503.
    #[derive(ToResponse)]
    #[response(
        description = "The database is unavailable.",
        content_type = "application/problem+json",
        headers(("Retry-After" = u32, description = "Seconds to wait before retrying."))
    )]
    pub struct Unavailable(#[allow(dead_code)] Problem);

    /// 409 to a retry while the first request with its `Idempotency-Key` is still running.
    #[derive(ToResponse)]
    #[response(
        description = "`idempotency_key_in_progress`: the first request with this `Idempotency-Key` is still being processed; retry after `Retry-After`.",
        content_type = "application/problem+json",
        headers(("Retry-After" = u32, description = "Seconds to wait before retrying."))
    )]
    pub struct IdempotencyKeyInProgress(#[allow(dead_code)] Problem);

    /// 422 to a request whose `Idempotency-Key` was used for another request.
    #[derive(ToResponse)]
    #[response(
        description = "`idempotency_key_reused`: this `Idempotency-Key` was used for another request (method, path, content type or body differ).",
        content_type = "application/problem+json"
    )]
    pub struct IdempotencyKeyReused(#[allow(dead_code)] Problem);

    /// The error answers every transition endpoint (`POST /v1/{resource}/{id}/{step}`) shares:
    /// 400, 401, 403, 409, 412, 413, 415, 500 and 503. Each endpoint adds its own 200, 404 and 422,
    /// which name its resource: `responses((status = 200, …), (status = 404, …), (status = 422, …),
    /// ormas_openapi::responses::TransitionErrors)`.
    pub struct TransitionErrors;

    impl utoipa::IntoResponses for TransitionErrors {
        fn responses() -> BTreeMap<String, RefOr<Response>> {
            let shared = |name: &str| RefOr::Ref(Ref::from_response_name(name));
            BTreeMap::from([
                (
                    "400".into(),
                    problem("The body is not valid JSON, or `If-Match` is malformed."),
                ),
                ("401".into(), shared("Unauthorized")),
                (
                    "403".into(),
                    problem("The role may not perform this transition."),
                ),
                (
                    "409".into(),
                    problem(
                        "The current state does not allow this transition (the detail names the \
state and what it allows), or it changed meanwhile (a race lost without `If-Match`).",
                    ),
                ),
                ("412".into(), problem("`If-Match` names an older version.")),
                ("413".into(), shared("PayloadTooLarge")),
                ("415".into(), shared("UnsupportedMediaType")),
                ("500".into(), shared("ServerError")),
                ("503".into(), shared("Unavailable")),
            ])
        }
    }

    /// An inline problem response with this description.
    pub fn problem(description: &str) -> RefOr<Response> {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    }
}

/// The base document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Ormas register API",
        description = "The open backend for registering and overseeing Indonesian community \
organisations (ormas): regional Kesbangpol offices receive ormas and issue their registration \
letters, collect semester reports and run oversight; representatives file from web and mobile apps; \
national integrators sync; the public checks the register.\n\n\
Conventions: JSON with `snake_case` fields; dates `YYYY-MM-DD`; timestamps RFC 3339 in UTC; every \
error is `application/problem+json` (RFC 9457) with a stable `code`; messages are in Indonesian by \
default and in English with `Accept-Language: en`; lists use cursor pagination \
(`page_size`, `page_token` → `next_page_token`). Every response carries `X-Request-Id` (sent by \
the client or generated).\n\n\
Region data: idn-area-data by fityannugroho, ODbL.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        version = "0.1.0"
    ),
    servers((url = "/", description = "The server that serves this document")),
    tags(
        (name = "system", description = "Liveness and readiness of the service."),
        (name = "reference", description = "Reference data: Kemendagri regions (provinsi, kabupaten/kota, kecamatan) and the holiday calendar with working-day arithmetic."),
        (name = "auth", description = "Sign in, renew and end sessions; service tokens for integrators; self-registration of representatives; the caller's profile."),
        (name = "users", description = "Accounts, managed by administrators within their region."),
        (name = "clients", description = "Service clients for integrators (OAuth 2.0 client credentials)."),
        (name = "audit", description = "The append-only audit log of authentication events and changes."),
        (name = "ormas", description = "The register: regional registrations of ormas (surat keterangan melapor), their board, documents, lifecycle, history and derived active/inactive status."),
        (name = "reports", description = "Semester (or annual) reports: drafts per period, submission, acceptance with a receipt (STTL) number, returns, and the offices' queues including missing reports."),
        (name = "statistics", description = "The numbers every office reports: registered, active and inactive ormas with reasons, by kind, field and child region, and report compliance."),
        (name = "public", description = "The public register: search, one ormas, and verification of a registration number. No personal data."),
        (name = "oversight", description = "Oversight (UU 16/2017 Ps 59-62) by the Tim Terpadu: complaints from the public (with a tracking code) and from staff, their triage, cases with their team, lifecycle and timeline, field visits to secretariats, and the dashboard."),
        (name = "sanctions", description = "The sanction ladder of UU 16/2017: written warnings, the ministries' activity suspensions and revocations as recorded by the office, compliance, lifting, and the representatives' answers."),
        (name = "attribute-permits", description = "Attribute permits (izin pemesanan atribut): an ormas's requests to order uniforms, flags, banners, emblems and badges, the officer's UU 16/2017 Ps 59(1) checklist per item, the head's permit with its number and validity, the office's queue with its answer deadline."),
        (name = "grants", description = "Grant proposals (usulan hibah, Permendagri 32/2011 as amended by 13/2018 and 123/2018): eligibility naming every unmet condition, the budget (RAB), verification, approval by decree, the grant agreement (NPHD), disbursement and the accountability report (LPJ), whose lateness (`lpj_overdue`) is derived."),
        (name = "consultations", description = "Institutional consultation (konsultasi kelembagaan): question-and-answer threads between an ormas, or a person forming one, and the office; topics, messages with attachments, assignment to an officer, the first answer due in working days, and the automatic close."),
        (name = "changes", description = "The changes feed for integrators (SIORMAS, other agencies, dashboards, offline apps): every change of the register in one gap-safe order, with the resource as it reads after the change, the position to follow from after a full export, and retention."),
        (name = "webhooks", description = "Webhook subscriptions: the changes feed pushed to an integrator's https endpoint, signed per Standard Webhooks, in feed order, at least once, retried with backoff for about three days; secrets rotated with an overlap; pings, the deliveries' history and redelivery.")
    ),
    components(
        schemas(Problem, FieldError, File),
        responses(
            responses::NotModified,
            responses::FileNotModified,
            responses::PreconditionRequired,
            responses::Unauthorized,
            responses::MalformedJson,
            responses::PayloadTooLarge,
            responses::UnsupportedMediaType,
            responses::ServerError,
            responses::Unavailable,
            responses::IdempotencyKeyInProgress,
            responses::IdempotencyKeyReused
        )
    ),
    modifiers(&SecuritySchemes)
)]
pub struct BaseDoc;

/// The two ways to authenticate: a user's bearer JWT, and the client-credentials grant.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `POST /v1/auth/login` or `POST /v1/auth/refresh` \
(15 minutes by default).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "client_credentials",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new(
                    "/v1/auth/token",
                    Scopes::new(),
                ))],
                "For integrators: a service token from `POST /v1/auth/token`, sent as a bearer token.",
            )),
        );
    }
}

/// The base document to which the API adds its paths.
pub fn base() -> utoipa::openapi::OpenApi {
    BaseDoc::openapi()
}

/// `request_body(content = Option<T>)` is how an operation says its body may be left out; utoipa
/// writes that as a body that is not required but whose schema is `oneOf: [T, null]`, which would
/// also admit a JSON `null`. Applied to the assembled document, this keeps such bodies optional
/// and makes their schema plain `T`.
pub fn omittable_bodies(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    use utoipa::openapi::{RefOr, path::PathItem};

    let is_null = |schema: &RefOr<Schema>| matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
    for item in doc.paths.paths.values_mut() {
        let PathItem {
            get,
            put,
            post,
            delete,
            patch,
            ..
        } = item;
        for operation in [get, put, post, delete, patch].into_iter().flatten() {
            let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
                continue;
            };
            if body.required.is_some() {
                continue;
            }
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else {
                    continue;
                };
                if let Some(RefOr::T(Schema::OneOf(one_of))) = &content.schema
                    && let [inner, null] = one_of.items.as_slice()
                    && is_null(null)
                {
                    content.schema = Some(inner.clone());
                }
            }
        }
    }
}

/// The name of the `Idempotency-Key` header parameter under `components/parameters`.
pub const IDEMPOTENCY_KEY_PARAMETER: &str = "IdempotencyKey";

/// `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header) on every `POST`: one reusable
/// header parameter, referenced by each `POST` operation, with the answers of the key — 400 for a
/// malformed key, 409 while its first request runs, 422 when it was used for another request —
/// added to (or, where the operation already documents that status, described in) its responses.
/// Applied to the assembled document, so that no endpoint can forget it.
pub fn idempotency_keys(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    use utoipa::openapi::{Ref, RefOr, Required};

    let parameter = ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(
            "Makes the request safe to retry (draft-ietf-httpapi-idempotency-key-header): a unique \
value per logical request (a UUID), 1–255 visible ASCII characters, resent unchanged with every \
retry of the same request. The first request runs; a retry with the same key, method, path, \
`Content-Type` and body answers the first response again (status, body, `Location`, `ETag`) \
with `Idempotency-Replayed: true`. Keys belong to the caller (the account of the bearer token, \
or the client address without one) and are remembered for 24 hours by default. 5xx answers \
are not remembered.",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .max_length(Some(255))
                .pattern(Some("^[!-~]{1,255}$")),
        ))
        .build();
    doc.components
        .get_or_insert_with(Default::default)
        .parameters
        .insert(IDEMPOTENCY_KEY_PARAMETER.into(), RefOr::T(parameter));

    let reference = format!("#/components/parameters/{IDEMPOTENCY_KEY_PARAMETER}");
    let additions = [
        ("400", None, "The `Idempotency-Key` header is malformed."),
        (
            "409",
            Some("IdempotencyKeyInProgress"),
            "`idempotency_key_in_progress`: the first request with this `Idempotency-Key` is still being processed.",
        ),
        (
            "422",
            Some("IdempotencyKeyReused"),
            "`idempotency_key_reused`: this `Idempotency-Key` was used for another request.",
        ),
    ];
    for item in doc.paths.paths.values_mut() {
        let Some(operation) = item.post.as_mut() else {
            continue;
        };
        let parameters = operation.parameters.get_or_insert_with(Vec::new);
        if !parameters
            .iter()
            .any(|p| matches!(p, RefOr::Ref(r) if r.ref_location == reference))
        {
            parameters.push(RefOr::Ref(Ref::new(reference.clone())));
        }
        for (status, shared, sentence) in additions {
            match operation.responses.responses.get_mut(status) {
                Some(RefOr::T(response)) => {
                    if !response.description.contains(sentence) {
                        response.description = format!("{} Or: {sentence}", response.description);
                    }
                }
                Some(RefOr::Ref(_)) => {}
                None => {
                    let response = match shared {
                        Some(name) => RefOr::Ref(Ref::from_response_name(name)),
                        None => responses::problem(sentence),
                    };
                    operation
                        .responses
                        .responses
                        .insert(status.into(), response);
                }
            }
        }
    }
}

/// Text the server refuses, said in the contract: every plain string (no pattern, format or enum
/// of its own) of a schema or a path or query parameter gets [`TEXT_PATTERN`] (no control
/// characters but tab, line feed and carriage return), every date [`DATE_PATTERN`] (the years
/// 1900–2999), and every operation with path or query parameters documents the 400 they may
/// answer. Works on the JSON form of the document; returns it rebuilt.
pub fn text_constraints(
    doc: utoipa::openapi::OpenApi,
) -> Result<utoipa::openapi::OpenApi, serde_json::Error> {
    use serde_json::{Value, json};

    fn constrain(schema: &mut Value) {
        let Some(map) = schema.as_object_mut() else {
            return;
        };
        let is_string = match map.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
            _ => false,
        };
        if is_string && !map.contains_key("pattern") && !map.contains_key("enum") {
            match map.get("format").and_then(Value::as_str) {
                None => {
                    map.insert("pattern".into(), json!(TEXT_PATTERN));
                }
                Some("date") => {
                    map.insert("pattern".into(), json!(DATE_PATTERN));
                }
                Some(_) => {}
            }
        }
        for key in [
            "properties",
            "items",
            "oneOf",
            "anyOf",
            "allOf",
            "additionalProperties",
        ] {
            match map.get_mut(key) {
                Some(Value::Object(inner)) if key == "properties" => {
                    inner.values_mut().for_each(constrain);
                }
                Some(Value::Array(items)) => items.iter_mut().for_each(constrain),
                Some(other @ Value::Object(_)) => constrain(other),
                _ => {}
            }
        }
    }

    let mut value = serde_json::to_value(&doc)?;
    if let Some(schemas) = value
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        // Problem documents name what the client sent (a field path, an unknown parameter), which
        // is not the server's text to constrain.
        schemas
            .iter_mut()
            .filter(|(name, _)| !matches!(name.as_str(), "Problem" | "FieldError"))
            .for_each(|(_, schema)| constrain(schema));
    }
    if let Some(paths) = value.pointer_mut("/paths").and_then(Value::as_object_mut) {
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for operation in item.values_mut() {
                let Some(operation) = operation.as_object_mut() else {
                    continue;
                };
                let mut has_url_parameters = false;
                if let Some(Value::Array(parameters)) = operation.get_mut("parameters") {
                    for parameter in parameters {
                        let place = parameter.get("in").and_then(Value::as_str).unwrap_or("");
                        if matches!(place, "path" | "query") {
                            has_url_parameters = true;
                            if let Some(schema) = parameter.get_mut("schema") {
                                constrain(schema);
                            }
                        }
                    }
                }
                if has_url_parameters
                    && let Some(Value::Object(responses)) = operation.get_mut("responses")
                    && !responses.contains_key("400")
                {
                    responses.insert(
                        "400".into(),
                        json!({
                            "description": "A path or query parameter is malformed, holds control characters or names an implausible date.",
                            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
                        }),
                    );
                }
            }
        }
    }
    serde_json::from_value(value)
}

/// Plain text: no control characters (C0, DEL, C1) but tab, line feed and carriage return.
pub const TEXT_PATTERN: &str = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$";
/// A date of the years 1900–2999.
pub const DATE_PATTERN: &str = "^(19[0-9]{2}|2[0-9]{3})-[0-9]{2}-[0-9]{2}$";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_document_declares_the_shared_schemas_and_tags() {
        let doc = base();
        let schemas = &doc.components.as_ref().unwrap().schemas;
        assert!(schemas.contains_key("Problem") && schemas.contains_key("FieldError"));
        let tags: Vec<&str> = doc.tags.iter().flatten().map(|t| t.name.as_str()).collect();
        assert_eq!(
            tags,
            [
                "system",
                "reference",
                "auth",
                "users",
                "clients",
                "audit",
                "ormas",
                "reports",
                "statistics",
                "public",
                "oversight",
                "sanctions",
                "attribute-permits",
                "grants",
                "consultations",
                "changes",
                "webhooks"
            ]
        );
        let schemes = &doc.components.as_ref().unwrap().security_schemes;
        assert!(schemes.contains_key("bearer") && schemes.contains_key("client_credentials"));
        assert!(doc.info.license.is_some());
    }

    #[test]
    fn problem_serializes_type_as_the_rfc_names_it() {
        let problem = Problem {
            problem_type: "urn:ormas:problem:not_found".into(),
            title: "Not found".into(),
            status: 404,
            detail: "x".into(),
            code: "not_found".into(),
            request_id: "r".into(),
            errors: vec![],
        };
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["type"], "urn:ormas:problem:not_found");
        assert!(json.get("problem_type").is_none());
    }
}
