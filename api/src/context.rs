//! What every part of a request's handling may need without threading it through: the request id,
//! the language the client asked for, and whether it named the version it expects. Set by the
//! request middleware for the duration of the request.

use actix_web::http::header::{ACCEPT_LANGUAGE, HeaderMap, IF_MATCH};

/// The languages messages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Indonesian, the default.
    #[default]
    Id,
    En,
}

impl Lang {
    /// Picks the supported language with the highest `q` in `Accept-Language`; Indonesian when the
    /// header is absent or names neither.
    pub fn from_accept_language(value: &str) -> Lang {
        let mut best: Option<(f32, Lang)> = None;
        for item in value.split(',') {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or("");
            let lang = match primary {
                "id" | "in" => Lang::Id,
                "en" => Lang::En,
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    pub fn from_headers(headers: &HeaderMap) -> Lang {
        headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map(Lang::from_accept_language)
            .unwrap_or_default()
    }
}

/// The request-scoped context.
#[derive(Debug, Clone, Default)]
pub struct RequestContext {
    pub request_id: String,
    pub lang: Lang,
    /// The request carried `If-Match` naming a version (not `*`): a write that finds the resource
    /// at another version answers 412, not 409.
    pub names_version: bool,
}

/// Whether `If-Match` names a version (anything but `*`).
pub fn names_version(headers: &HeaderMap) -> bool {
    headers
        .get(IF_MATCH)
        .is_some_and(|v| v.to_str().map_or(true, |v| v.trim() != "*"))
}

tokio::task_local! {
    static CONTEXT: RequestContext;
}

/// Runs `future` with `ctx` as the current request context.
pub async fn scope<F: std::future::Future>(ctx: RequestContext, future: F) -> F::Output {
    CONTEXT.scope(ctx, future).await
}

/// The current request's context (a default one outside a request).
pub fn current() -> RequestContext {
    CONTEXT.try_with(Clone::clone).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_language() {
        let cases = [
            ("", Lang::Id),
            ("en", Lang::En),
            ("en-US,en;q=0.9", Lang::En),
            ("id-ID,id;q=0.9,en;q=0.8", Lang::Id),
            ("fr-FR,en;q=0.5", Lang::En),
            ("en;q=0.3,id;q=0.7", Lang::Id),
            ("de", Lang::Id),
            ("en;q=0", Lang::Id),
            ("*", Lang::Id),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::from_accept_language(header), expected, "{header:?}");
        }
    }
}
