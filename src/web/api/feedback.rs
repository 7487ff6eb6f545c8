//! Feedback through the API (API.md "Feedback"): `POST /api/v1/feedback`
//! (public, rate-limited) and `GET /api/v1/feedback/public`, the answered
//! feedback whose author consented, without name, phone or email.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

use super::ApiError;
use crate::db::feedback::Feedback;
use crate::domain::feedback::{FeedbackInput, API};
use crate::domain::time::{now_utc, rfc3339};
use crate::services::feedback::{self, Refusal, TOO_MANY};
use crate::state::AppState;
use crate::web::client_address;

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = FeedbackContact)]
#[serde(deny_unknown_fields)]
pub struct ContactBody {
    #[schema(schema_with = super::doc::optional_name)]
    name: Option<String>,
    #[schema(schema_with = super::doc::optional_phone)]
    phone: Option<String>,
    #[schema(schema_with = super::doc::optional_email)]
    email: Option<String>,
}

#[derive(Deserialize, serde::Serialize, Default, utoipa::ToSchema)]
#[serde(default)]
#[schema(as = FeedbackRequest)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    #[schema(schema_with = super::doc::name, required)]
    topic: Option<String>,
    #[schema(schema_with = super::doc::feedback_content, required)]
    content: Option<String>,
    #[schema(schema_with = super::doc::optional_code)]
    dossier_code: Option<String>,
    #[serde(deserialize_with = "crate::web::api::doc::object::option", default)]
    contact: Option<ContactBody>,
    publish_consent: Option<bool>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = FeedbackCreated)]
struct Created {
    id: String,
    #[schema(value_type = String)]
    status: &'static str,
}

/// Feedback or a petition from a citizen (public, rate-limited).
#[utoipa::path(post, path = "/feedback", request_body = FeedbackBody,
    responses(
        (status = 201, description = "Đã nhận", body = Created),
        (status = 413, response = super::doc::PayloadTooLarge),
        (status = 429, response = super::doc::TooManyRequests),
    ))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<FeedbackBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let contact = body.contact.unwrap_or_default();
    let input = FeedbackInput {
        topic: body.topic.unwrap_or_default(),
        content: body.content.unwrap_or_default(),
        dossier_code: body.dossier_code.unwrap_or_default(),
        name: contact.name.unwrap_or_default(),
        phone: contact.phone.unwrap_or_default(),
        email: contact.email.unwrap_or_default(),
        publish_consent: body.publish_consent.unwrap_or(false),
    };
    let address = client_address(&req, &state);
    let result = state
        .db
        .run(move |conn| Ok(feedback::send(conn, &input, API, &address, now_utc())))
        .await?;
    match result {
        Ok(f) => Ok(HttpResponse::Created().json(Created {
            id: f.public_id,
            status: "received",
        })),
        Err(Refusal::Invalid(e)) => Err(ApiError::validation(&e)),
        Err(Refusal::TooMany) => Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            TOO_MANY,
        )),
        Err(Refusal::Failed(e)) => Err(e.into()),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Trang, từ 1
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// Số dòng mỗi trang (mặc định 20)
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PublicFeedback)]
struct Item {
    id: String,
    topic: String,
    content: String,
    answer: String,
    answered_at: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = PublicFeedbackPage)]
struct Page {
    items: Vec<Item>,
    page: i64,
    per_page: i64,
    total: i64,
}

/// Answered feedback whose authors agreed to publish it, without their details.
#[utoipa::path(get, path = "/feedback/public", params(PageQuery),
    responses((status = 200, description = "Một trang", body = Page)))]
pub async fn public(
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = crate::domain::fields::FieldErrors::new();
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(20);
    if !(1..=1_000_000).contains(&page) {
        errors.add("page", "Số nguyên từ 1 đến 1000000.");
    }
    if !(1..=100).contains(&per_page) {
        errors.add("per_page", "Số nguyên từ 1 đến 100.");
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(&errors));
    }
    let (items, total) = state
        .db
        .run(move |conn| Feedback::published(conn, (page - 1) * per_page, per_page))
        .await?;
    Ok(HttpResponse::Ok().json(Page {
        items: items
            .into_iter()
            .map(|f| Item {
                id: f.public_id,
                topic: f.topic,
                content: f.content,
                answer: f.answer.unwrap_or_default(),
                answered_at: f.answered_at.map(rfc3339),
            })
            .collect(),
        page,
        per_page,
        total,
    }))
}
