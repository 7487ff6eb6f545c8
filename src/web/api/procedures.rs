//! `GET /api/v1/procedures` (public): the catalog with the time in force today.

use actix_web::{web, HttpResponse};
use serde::Serialize;

use super::ApiError;
use crate::db::procedures::{Procedure, ProcedureFull};
use crate::domain::procedure::{describe_time, split_codes};
use crate::domain::time::today;
use crate::state::AppState;

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ProcedureDocument)]
pub struct DocumentJson {
    name: String,
    form: String,
    count: i32,
    required: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Procedure)]
pub struct ProcedureJson {
    code: String,
    name: String,
    field: String,
    working_days: u32,
    working_days_label: String,
    fee: String,
    result: String,
    documents: Vec<DocumentJson>,
    channels: Vec<String>,
    return_methods: Vec<String>,
    source: String,
}

impl ProcedureJson {
    /// `None` when no processing time is in force today (not yet receivable).
    pub fn from_full(p: &ProcedureFull) -> Option<ProcedureJson> {
        let wd = p.working_days_on(today())?;
        Some(ProcedureJson {
            code: p.procedure.code.clone(),
            name: p.procedure.name.clone(),
            field: p.procedure.field.clone(),
            working_days: wd,
            working_days_label: describe_time(wd),
            fee: p.procedure.fee.clone(),
            result: p.procedure.result.clone(),
            documents: p
                .documents
                .iter()
                .map(|d| DocumentJson {
                    name: d.name.clone(),
                    form: d.form.clone(),
                    count: d.count,
                    required: d.required,
                })
                .collect(),
            channels: split_codes(&p.procedure.channels)
                .into_iter()
                .map(String::from)
                .collect(),
            return_methods: split_codes(&p.procedure.return_methods)
                .into_iter()
                .map(String::from)
                .collect(),
            source: p.procedure.source.clone(),
        })
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Procedures)]
struct List {
    items: Vec<ProcedureJson>,
}

/// The procedures in force, with their documents, channels and time.
#[utoipa::path(get, path = "/procedures",
    responses((status = 200, description = "Các thủ tục đang áp dụng", body = List)))]
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let all = state.db.run(|conn| Procedure::all_full(conn, true)).await?;
    Ok(HttpResponse::Ok().json(List {
        items: all.iter().filter_map(ProcedureJson::from_full).collect(),
    }))
}
