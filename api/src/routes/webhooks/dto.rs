//! The webhooks' request and response bodies.

use chrono::{DateTime, Utc};
use ormas_persistence::webhooks::{self as store, DeliveryRow, SubscriptionRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::clock::now_utc;
use crate::routes::Resource;
use crate::routes::changes::ChangeEventType;
use crate::routes::dto::{optional_i64, utc, validate_region_code};

/// A subscription to the changes feed.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0193b3c4-5d6e-7f80-9a1b-2c3d4e5f6a70", "url": "https://siormas.example.go.id/hooks/ormas",
    "description": "SIORMAS", "types": ["ormas.registered", "report.accepted"], "region_code": "64",
    "enabled": true, "disabled_reason": null, "disabled_at": null, "owner_role": "integrator",
    "previous_secret_valid_until": null, "created_at": "2026-12-04T03:04:05Z",
    "updated_at": "2026-12-04T03:04:05Z", "version": 1
}))]
pub struct Webhook {
    pub id: String,
    /// Where deliveries are `POST`ed.
    pub url: String,
    #[schema(required = true)]
    pub description: Option<String>,
    /// The event types delivered; empty: every type the creator may read.
    #[schema(value_type = Vec<ChangeEventType>)]
    pub types: Vec<String>,
    /// The region subtree delivered; `null`: the nation.
    #[schema(required = true)]
    pub region_code: Option<String>,
    /// `false` when paused, or disabled after a delivery was given up (`disabled_reason` says
    /// which and why).
    pub enabled: bool,
    #[schema(required = true)]
    pub disabled_reason: Option<String>,
    #[schema(required = true)]
    pub disabled_at: Option<DateTime<Utc>>,
    /// The role of the account or client that created it: deliveries carry what it may read.
    pub owner_role: String,
    /// After a rotation, until when the previous secret still signs too.
    #[schema(required = true)]
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl Webhook {
    pub fn build(row: &SubscriptionRow) -> Webhook {
        let now = now_utc();
        Webhook {
            id: row.id.clone(),
            url: row.url.clone(),
            description: row.description.clone(),
            types: row.types(),
            region_code: row.region_code.clone(),
            enabled: row.enabled,
            disabled_reason: row.disabled_reason.clone(),
            disabled_at: row.disabled_at.map(utc),
            owner_role: row.owner_role.clone(),
            previous_secret_valid_until: row
                .previous_secret_until
                .filter(|until| *until > now && row.previous_secret.is_some())
                .map(utc),
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
        }
    }
}

impl Resource for Webhook {
    fn location(&self) -> String {
        format!("/v1/webhooks/{}", self.id)
    }
    fn version(&self) -> Option<i32> {
        Some(self.version)
    }
}

/// A subscription with its signing secret: answered only when it is created or its secret
/// rotated. Keep the secret: it is never shown again.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The Standard Webhooks secret (`whsec_` and base64): verify `webhook-signature` with it.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

impl Resource for WebhookWithSecret {
    fn location(&self) -> String {
        self.webhook.location()
    }
    fn version(&self) -> Option<i32> {
        Some(self.webhook.version)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<Webhook>,
}

/// A new subscription.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://siormas.example.go.id/hooks/ormas",
    "types": ["ormas.registered"], "region": "64", "description": "SIORMAS"}))]
pub struct CreateWebhook {
    /// An absolute `https` URL (plain `http` only to an origin the deployment allow-lists) whose
    /// host resolves to public addresses only.
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    /// The event types to deliver (default: every type the caller may read).
    #[serde(default)]
    #[validate(length(max = 200))]
    #[schema(value_type = Vec<ChangeEventType>, max_items = 200)]
    pub types: Vec<String>,
    /// Only this region's subtree (within the caller's scope; default: the caller's region).
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub description: Option<String>,
}

/// Changes to a subscription; absent fields stay as they are.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct UpdateWebhook {
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: Option<String>,
    #[validate(length(max = 200))]
    #[schema(value_type = Option<Vec<ChangeEventType>>, max_items = 200)]
    pub types: Option<Vec<String>>,
    #[validate(custom(function = "validate_region_code"))]
    #[schema(pattern = r"^[0-9]{2}(\.[0-9]{2}){0,2}$")]
    pub region: Option<String>,
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub description: Option<String>,
    /// `false` pauses deliveries; `true` resumes them, also after the subscription was disabled
    /// (the given-up delivery stays `failed`: redeliver it if it is still wanted).
    pub enabled: Option<bool>,
}

/// How long the previous secret keeps signing after a rotation.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RotateSecret {
    /// Hours during which both secrets sign (0 to 168, default 24): time to deploy the new one.
    #[serde(deserialize_with = "optional_i64")]
    #[validate(range(min = 0, max = 168))]
    #[schema(minimum = 0, maximum = 168, default = 24)]
    pub overlap_hours: Option<i64>,
}

/// One event's delivery to a subscription.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: String,
    /// The `webhook-id` header: the event's id, the same on every attempt.
    pub message_id: String,
    /// The event's position in the feed (a ping: the position it was sent at).
    pub event_seq: i64,
    /// The event's type, or `webhook.ping`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// `pending` (waiting for its turn or its retry), `succeeded`, or `failed` (given up; the
    /// subscription was disabled).
    #[schema(value_type = DeliveryStatus)]
    pub status: String,
    pub attempts: i32,
    /// When it is tried next (pending only).
    #[schema(required = true)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's last status code (`null`: no answer).
    #[schema(required = true)]
    pub last_status_code: Option<i32>,
    /// What went wrong on the last attempt.
    #[schema(required = true)]
    pub last_error: Option<String>,
    #[schema(required = true)]
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The states of a delivery.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Pending,
    Succeeded,
    Failed,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => store::PENDING,
            DeliveryStatus::Succeeded => store::SUCCEEDED,
            DeliveryStatus::Failed => store::FAILED,
        }
    }
}

impl From<DeliveryRow> for Delivery {
    fn from(row: DeliveryRow) -> Self {
        let pending = row.status == store::PENDING;
        Delivery {
            id: row.id,
            message_id: row.message_id,
            event_seq: row.event_seq,
            event_type: row.event_type,
            status: row.status,
            attempts: row.attempts,
            next_attempt_at: pending.then(|| utc(row.next_attempt_at)),
            last_attempt_at: row.last_attempt_at.map(utc),
            last_status_code: row.last_status_code,
            last_error: row.last_error,
            delivered_at: row.delivered_at.map(utc),
            created_at: utc(row.created_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryPage {
    /// Newest first.
    pub items: Vec<Delivery>,
    /// The next page's token; `null` on the last page.
    #[schema(required = true)]
    pub next_page_token: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    #[param(value_type = Option<DeliveryStatus>)]
    pub status: Option<DeliveryStatus>,
    /// 1 to 200 (default 50).
    #[validate(range(min = 1, max = 200))]
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub page_size: Option<i64>,
    /// The `next_page_token` of the previous page.
    #[param(pattern = r"^(?:[2-6][0-9a-f]|7[0-9a-e]|1f){1,512}$")]
    pub page_token: Option<String>,
}
