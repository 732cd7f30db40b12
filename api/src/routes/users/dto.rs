//! Contract types of account administration.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use ormas_domain::Role;

use crate::routes::dto::{User, double_option, validate_region_code, validate_username};

/// A new account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "officer.6471", "password": "correct horse battery", "display_name": "Petugas Balikpapan", "email": "petugas@balikpapan.go.id", "role": "officer", "region_code": "64.71"}))]
pub struct CreateUser {
    #[validate(custom(function = "validate_username"))]
    #[schema(
        min_length = 3,
        max_length = 64,
        pattern = r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"
    )]
    pub username: String,
    #[validate(length(min = 10, max = 128))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub password: String,
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub display_name: String,
    #[validate(email, length(max = 254))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    pub role: Role,
    /// The account's region; omit (or `null`) for the whole nation, which only `super_admin` and
    /// `integrator` may have. Defaults to nothing: it must be given for every other role.
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region_code: Option<String>,
}

/// Changes to an account; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateUser {
    #[validate(length(min = 1, max = 120))]
    #[schema(min_length = 1, max_length = 120)]
    pub display_name: Option<String>,
    /// `null` removes the address.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(email, length(max = 254))]
    #[schema(value_type = Option<String>, format = Email, max_length = 254)]
    pub email: Option<Option<String>>,
    /// A new password; ends the account's sessions.
    #[validate(length(min = 10, max = 128))]
    #[schema(min_length = 10, max_length = 128, format = Password)]
    pub password: Option<String>,
    /// A new role; ends the account's sessions.
    pub role: Option<Role>,
    /// A new region (`null`: the whole nation); ends the account's sessions.
    #[serde(default, deserialize_with = "double_option")]
    #[validate(custom(function = "validate_region_code"))]
    #[schema(value_type = Option<String>, pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region_code: Option<Option<String>>,
    /// `false` deactivates the account (accounts are never deleted); ends its sessions.
    pub active: Option<bool>,
}

/// A page of accounts, ordered by username.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<User>,
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// Only accounts in this region's subtree (within the caller's scope).
    #[validate(custom(function = "validate_region_code"))]
    #[param(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    #[param(inline)]
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Part of the username or display name, case-insensitive.
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub q: Option<String>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = "^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
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
