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

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ContactBody {
    name: Option<String>,
    phone: Option<String>,
    email: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeedbackBody {
    topic: Option<String>,
    content: Option<String>,
    dossier_code: Option<String>,
    contact: Option<ContactBody>,
    publish_consent: Option<bool>,
}

#[derive(Serialize)]
struct Created {
    id: String,
    status: &'static str,
}

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

#[derive(Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
    per_page: Option<i64>,
}

#[derive(Serialize)]
struct Item {
    id: String,
    topic: String,
    content: String,
    answer: String,
    answered_at: Option<String>,
}

#[derive(Serialize)]
struct Page {
    items: Vec<Item>,
    page: i64,
    per_page: i64,
    total: i64,
}

pub async fn public(
    state: web::Data<AppState>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = query.page.unwrap_or(1).clamp(1, 1_000_000);
    let per_page = query.per_page.unwrap_or(20).clamp(1, 100);
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
