//! Kemendagri regions: 38 provinces, 514 kabupaten/kota, 7,285 kecamatan (idn-area-data, ODbL).

use actix_web::{HttpRequest, HttpResponse, get, web};
use ormas_domain::{RegionCode, RegionLevel};
use ormas_persistence::reference::{self, RegionFilter, RegionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{ApiError, Text};
use crate::extract::ValidQuery;
use crate::routes::representation::represent_view_get;
use crate::routes::{IfNoneMatch, paging};
use crate::state::AppState;

pub const DEFAULT_PAGE_SIZE: i64 = 100;
pub const MAX_PAGE_SIZE: i64 = 1000;

/// An administrative region.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "64.71", "name": "Kota Balikpapan", "level": "regency", "parent_code": "64"}))]
pub struct Region {
    /// Kemendagri code: `64`, `64.71` or `64.71.01`.
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub code: String,
    pub name: String,
    pub level: RegionLevel,
    /// The region directly above; `null` for a province.
    #[schema(required = true, pattern = r"^[0-9]{2}(\.[0-9]{2}){0,1}$")]
    pub parent_code: Option<String>,
}

impl Region {
    fn from_row(row: RegionRow) -> Result<Self, ApiError> {
        let level = row.level().map_err(ApiError::from)?;
        Ok(Region {
            code: row.code,
            name: row.name,
            level,
            parent_code: row.parent_code,
        })
    }
}

/// A region with the regions above it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "code": "64.71.01", "name": "Balikpapan Timur", "level": "district", "parent_code": "64.71",
    "ancestors": [
        {"code": "64", "name": "Kalimantan Timur", "level": "province", "parent_code": null},
        {"code": "64.71", "name": "Kota Balikpapan", "level": "regency", "parent_code": "64"}
    ]
}))]
pub struct RegionDetail {
    #[serde(flatten)]
    pub region: Region,
    /// The province, then the kabupaten/kota, above this region (empty for a province).
    pub ancestors: Vec<Region>,
}

/// One page of regions, ordered by code.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegionPage {
    pub items: Vec<Region>,
    /// Pass as `page_token` to get the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

/// Filters and paging for the region list.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegionQuery {
    /// Only the regions directly below this one (`64` lists the kabupaten/kota of Kalimantan Timur).
    #[param(value_type = Option<String>, pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$", example = "64")]
    pub parent: Option<RegionCode>,
    /// Only regions of this level.
    #[param(inline)]
    pub level: Option<RegionLevel>,
    /// Regions per page, 1 to 1000 (default 100).
    #[validate(range(min = 1, max = 1000))]
    #[param(minimum = 1, maximum = 1000, default = 100)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}

/// List regions.
#[utoipa::path(
    tag = "reference",
    operation_id = "listRegions",
    security(()),
    summary = "List regions",
    description = "Kemendagri regions, ordered by code, filtered by parent and level, with cursor \
pagination. Public reference data: needs no authentication. Data: idn-area-data by fityannugroho, ODbL.",
    params(RegionQuery),
    responses(
        (status = 200, description = "One page of regions.", body = RegionPage),
        (status = 400, description = "A query parameter is invalid.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/regions")]
pub async fn list_regions(
    state: web::Data<AppState>,
    query: ValidQuery<RegionQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.0;
    let page_size = query.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
    let filter = RegionFilter {
        parent: query.parent,
        level: query.level,
        after: query
            .page_token
            .as_deref()
            .map(paging::decode)
            .transpose()?,
        limit: page_size + 1,
    };
    let rows = state
        .db(move |conn| reference::list_regions(conn, &filter))
        .await?;
    let (rows, next_page_token) = paging::split(rows, page_size, |r| r.code.clone());
    let items = rows
        .into_iter()
        .map(Region::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(HttpResponse::Ok().json(RegionPage {
        items,
        next_page_token,
    }))
}

/// Get a region.
#[utoipa::path(
    tag = "reference",
    operation_id = "getRegion",
    security(()),
    summary = "Get a region",
    description = "One region with the regions above it. Public reference data: needs no authentication.",
    params(("code" = String, Path, description = "Kemendagri region code.", pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$", example = "64.71"), IfNoneMatch),
    responses(
        (status = 200, description = "The region.", body = RegionDetail, headers(("ETag" = String, description = "A digest of this representation."), ("Location" = String, description = "Its URL."))),
        (status = 304, response = ormas_openapi::responses::NotModified),
        (status = 404, description = "No region has this code.", body = ormas_openapi::Problem, content_type = "application/problem+json"),
        (status = 500, response = ormas_openapi::responses::ServerError),
        (status = 503, response = ormas_openapi::responses::Unavailable),
    )
)]
#[get("/v1/regions/{code}")]
pub async fn get_region(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let text = path.into_inner();
    let not_found = || {
        ApiError::not_found(Text::new(
            format!("Wilayah dengan kode {text} tidak ditemukan."),
            format!("No region has the code {text}."),
        ))
    };
    let code = RegionCode::parse(&text).map_err(|_| not_found())?;
    let mut lineage: Vec<String> = Vec::new();
    let mut cursor = Some(code.clone());
    while let Some(c) = cursor {
        cursor = c.parent();
        lineage.push(c.to_string());
    }
    let rows = state
        .db(move |conn| reference::find_regions(conn, &lineage))
        .await?;
    let mut regions = rows
        .into_iter()
        .map(Region::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    // Sorted by code, so the region itself, the longest code, comes last.
    match regions.pop() {
        Some(region) if region.code == code.as_str() => represent_view_get(
            &req,
            format!("/v1/regions/{}", region.code),
            &RegionDetail {
                region,
                ancestors: regions,
            },
        ),
        _ => Err(not_found()),
    }
}

/// Registers this module's handlers; their order is the order of their paths in the OpenAPI
/// document.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_regions).service(get_region);
}
