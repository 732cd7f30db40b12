//! The request middleware and the fallback service.
//!
//! Every request gets an `X-Request-Id` (the client's, when well-formed, or a new UUIDv7), echoed
//! in the response and written in the access log; every error response leaves as
//! `application/problem+json`, including those produced outside the handlers (router, Swagger UI);
//! and a request for a known path with the wrong method answers 405 with `Allow`, not 404.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpRequest, HttpResponse, ResponseError, web};

use crate::context::{self, Lang, RequestContext};
use crate::error::{ApiError, ErrorKind, PROBLEM_JSON};

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// A client's request id is kept when it is 1–128 characters of letters, digits and `-_.:`.
fn acceptable_request_id(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let ok = !text.is_empty()
        && text.len() <= 128
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
    ok.then(|| text.to_owned())
}

/// Assigns the request id and language, renders errors as problem documents, and logs the request.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(acceptable_request_id)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let ctx = RequestContext {
        request_id: request_id.clone(),
        lang: Lang::from_headers(req.headers()),
        names_version: context::names_version(req.headers()),
    };
    let method = req.method().clone();
    let path = req.path().to_owned();

    // Handlers' and extractors' errors are already responses here, rendered inside the scope; an
    // `Err` can only come from an inner middleware, and actix renders it.
    let mut response = context::scope(ctx, async move {
        next.call(req)
            .await
            .map(|response| problem_for_bare_error(response.map_into_boxed_body()))
    })
    .await?;
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let status = response.status();
    let elapsed = started.elapsed();
    // Only method, path and status: query strings and bodies may carry personal data.
    let line = format!(
        "{method} {path} {} {:.1}ms request_id={request_id}",
        status.as_u16(),
        elapsed.as_secs_f64() * 1000.0
    );
    if status.is_server_error() {
        log::warn!("{line}");
    } else {
        log::info!("{line}");
    }
    Ok(response)
}

/// Replaces the body of an error response that is not yet a problem document (a 404 from Swagger
/// UI, a 500 from a library) with one, keeping its status and headers.
fn problem_for_bare_error(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with(PROBLEM_JSON));
    if is_problem {
        return response;
    }
    let problem = ApiError::new(ErrorKind::for_status(status)).problem();
    let body = serde_json::to_string(&problem).unwrap_or_default();
    let mut response = response.map_body(|_, _| BoxBody::new(body));
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    headers.remove(header::CONTENT_ENCODING);
    headers.remove(header::CONTENT_LENGTH);
    response
}

/// The paths the API serves and their methods, taken from the assembled OpenAPI document.
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    pub fn from_spec(spec: &utoipa::openapi::OpenApi) -> Self {
        let mut routes: Vec<(ResourceDef, Vec<Method>)> = spec
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<Method> = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ]
                .into_iter()
                .filter(|(op, _)| op.is_some())
                .map(|(_, m)| m)
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        // Served outside the documented API, GET only.
        for path in ["/openapi.json", "/docs", "/docs/{_:.*}"] {
            routes.push((ResourceDef::new(path), vec![Method::GET]));
        }
        Self { routes }
    }

    /// The methods allowed on `path`, if any route matches it.
    pub fn allowed(&self, path: &str) -> Option<String> {
        let mut methods: Vec<&str> = self
            .routes
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, methods)| methods.iter().map(Method::as_str))
            .collect();
        if methods.is_empty() {
            return None;
        }
        methods.sort_unstable();
        methods.dedup();
        Some(methods.join(", "))
    }
}

/// Answers every request no route took: 405 with `Allow` when the path exists, otherwise 404.
pub async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    let error = match routes.allowed(req.path()) {
        Some(allow) => ApiError::method_not_allowed(allow),
        None => ApiError::new(ErrorKind::NotFound),
    };
    error.error_response()
}
