//! Administrators create and edit procedures. A changed time becomes a new
//! period; dossiers already received keep theirs.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::auth::csrf::CsrfForm;
use crate::auth::session::push_flash;
use crate::auth::Staff;
use crate::db::procedures::{Procedure, ProcedureFull};
use crate::domain::fields::FieldErrors;
use crate::domain::procedure::{describe_time, split_codes, Channel, DocumentForm, ReturnMethod};
use crate::domain::time::{now_utc, today};
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::catalog::{self, DocumentInput, ProcedureInput};
use crate::state::AppState;
use crate::web::layout::Layout;
use crate::web::{form_status, html, see_other};

/// Empty document rows offered below the existing ones.
const SPARE_ROWS: usize = 3;

pub struct Row {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub time: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "admin/procedures.html")]
struct ListPage {
    page: Layout,
    rows: Vec<Row>,
}

pub async fn list(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let all = state
        .db
        .run(|conn| Procedure::all_full(conn, false))
        .await?;
    let rows = all
        .iter()
        .map(|p| Row {
            id: p.procedure.id,
            code: p.procedure.code.clone(),
            name: p.procedure.name.clone(),
            time: p
                .working_days_on(today())
                .map(describe_time)
                .unwrap_or_default(),
            active: p.procedure.active,
        })
        .collect();
    html(
        StatusCode::OK,
        &ListPage {
            page: Layout::new(&req, "Thủ tục", Some(&staff.user)),
            rows,
        },
    )
}

pub struct TimeRow {
    pub time: String,
    pub from: String,
    pub until: String,
    pub note: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

#[derive(Template)]
#[template(path = "admin/procedure_form.html")]
struct FormPage {
    page: Layout,
    procedure: Option<Procedure>,
    input: ProcedureInput,
    times: Vec<TimeRow>,
    channels: Vec<Choice>,
    returns: Vec<Choice>,
    forms: Vec<Choice>,
    errors: FieldErrors,
}

impl FormPage {
    fn has_channel(&self, c: &str) -> bool {
        self.input.channels.iter().any(|x| x == c)
    }
    fn has_return(&self, c: &str) -> bool {
        self.input.return_methods.iter().any(|x| x == c)
    }
    fn doc_error(&self, what: &str, i: &usize) -> Option<&str> {
        self.errors.get(&format!("doc_{what}_{i}"))
    }
}

fn input_of(full: &ProcedureFull) -> ProcedureInput {
    let p = &full.procedure;
    let mut documents: Vec<DocumentInput> = full
        .documents
        .iter()
        .map(|d| DocumentInput {
            name: d.name.clone(),
            form: d.form.clone(),
            count: d.count.to_string(),
            required: d.required,
        })
        .collect();
    documents.extend((0..SPARE_ROWS).map(|_| DocumentInput {
        count: "1".into(),
        ..Default::default()
    }));
    ProcedureInput {
        code: p.code.clone(),
        name: p.name.clone(),
        field: p.field.clone(),
        result: p.result.clone(),
        fee: p.fee.clone(),
        source: p.source.clone(),
        channels: split_codes(&p.channels)
            .into_iter()
            .map(String::from)
            .collect(),
        return_methods: split_codes(&p.return_methods)
            .into_iter()
            .map(String::from)
            .collect(),
        active: p.active,
        working_days: full
            .working_days_on(today())
            .map(|n| n.to_string())
            .unwrap_or_default(),
        time_from: today().format("%d/%m/%Y").to_string(),
        documents,
    }
}

fn times_of(full: &ProcedureFull) -> Vec<TimeRow> {
    full.times
        .iter()
        .map(|t| TimeRow {
            time: describe_time(t.working_days.max(0) as u32),
            from: t
                .valid_from
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|| "—".into()),
            until: t
                .valid_until
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|| "nay".into()),
            note: t.note.clone(),
        })
        .collect()
}

async fn render(
    req: &HttpRequest,
    staff: &Staff,
    state: &AppState,
    id: Option<i64>,
    input: ProcedureInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let full = match id {
        Some(id) => Some(
            state
                .db
                .run(move |conn| Procedure::full_by_id(conn, id))
                .await?,
        ),
        None => None,
    };
    let title = if full.is_some() {
        "Sửa thủ tục"
    } else {
        "Thêm thủ tục"
    };
    html(
        form_status(&errors),
        &FormPage {
            page: Layout::new(req, title, Some(&staff.user)),
            times: full.as_ref().map(times_of).unwrap_or_default(),
            procedure: full.map(|f| f.procedure),
            input,
            channels: Channel::ALL
                .iter()
                .map(|c| Choice {
                    value: c.as_str(),
                    label: c.label(),
                })
                .collect(),
            returns: ReturnMethod::ALL
                .iter()
                .map(|c| Choice {
                    value: c.as_str(),
                    label: c.label(),
                })
                .collect(),
            forms: DocumentForm::ALL
                .iter()
                .map(|c| Choice {
                    value: c.as_str(),
                    label: c.label(),
                })
                .collect(),
            errors,
        },
    )
}

pub async fn new_form(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let input = ProcedureInput {
        channels: Channel::ALL
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        return_methods: ReturnMethod::ALL
            .iter()
            .map(|c| c.as_str().to_string())
            .collect(),
        active: true,
        documents: (0..SPARE_ROWS + 2)
            .map(|_| DocumentInput {
                count: "1".into(),
                required: true,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    };
    render(&req, &staff, &state, None, input, FieldErrors::new()).await
}

pub async fn edit_form(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let full = state
        .db
        .run(move |conn| Procedure::full_by_id(conn, id))
        .await?;
    render(
        &req,
        &staff,
        &state,
        Some(id),
        input_of(&full),
        FieldErrors::new(),
    )
    .await
}

/// Reads the posted form: repeated checkboxes and numbered document rows.
fn parse_form(fields: &[(String, String)]) -> ProcedureInput {
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| {
        fields
            .iter()
            .filter(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let rows = fields
        .iter()
        .filter_map(|(f, _)| {
            f.strip_prefix("doc_name_")
                .and_then(|i| i.parse::<usize>().ok())
        })
        .max()
        .map(|m| m + 1)
        .unwrap_or(0)
        .min(100);
    let documents = (0..rows)
        .map(|i| DocumentInput {
            name: get(&format!("doc_name_{i}")),
            form: get(&format!("doc_form_{i}")),
            count: get(&format!("doc_count_{i}")),
            required: !get(&format!("doc_required_{i}")).is_empty(),
        })
        .collect();
    ProcedureInput {
        code: get("code"),
        name: get("name"),
        field: get("field"),
        result: get("result"),
        fee: get("fee"),
        source: get("source"),
        channels: all("channels"),
        return_methods: all("return_methods"),
        active: !get("active").is_empty(),
        working_days: get("working_days"),
        time_from: get("time_from"),
        documents,
    }
}

async fn save(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    id: Option<i64>,
    fields: Vec<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let input = parse_form(&fields);
    let actor = crate::services::Actor::from(&staff.user);
    let to_save = input.clone();
    let result = state
        .db
        .run(move |conn| {
            Ok(catalog::save(
                conn,
                &actor,
                id,
                &to_save,
                today(),
                now_utc(),
            ))
        })
        .await?;
    match result {
        Ok(p) => {
            push_flash(&session, "success", &format!("Đã lưu thủ tục {}.", p.code));
            Ok(see_other("/admin/procedures"))
        }
        Err(ActionError::Invalid(errors)) => render(&req, &staff, &state, id, input, errors).await,
        Err(ActionError::Failed(e)) => Err(e),
    }
}

pub async fn create(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save(req, staff, state, session, None, fields).await
}

pub async fn update(
    req: HttpRequest,
    staff: Staff,
    state: web::Data<AppState>,
    session: Session,
    path: web::Path<i64>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    save(req, staff, state, session, Some(path.into_inner()), fields).await
}
