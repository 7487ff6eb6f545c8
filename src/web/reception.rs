//! The reception counter: pick the procedure, fill the form, then accept
//! (receipt Mẫu 01), or issue a supplement request (Mẫu 02) or a refusal
//! (Mẫu 03) instead.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::layout::Layout;
use super::options::{form_options, FormOption};
use super::{form_status, html, see_other};
use crate::auth::csrf::CsrfForm;
use crate::auth::Staff;
use crate::db::notices::CounterNotice;
use crate::db::procedures::{Procedure, ProcedureFull};
use crate::domain::fields::FieldErrors;
use crate::domain::procedure::{
    describe_time, fold, split_codes, Channel, DocumentForm, ReturnMethod,
};
use crate::domain::reception::ApplicantInput;
use crate::domain::role::Receivers;
use crate::domain::time::{now_utc, today};
use crate::error::ActionError;
use crate::error::{urlencode, AppError};
use crate::services::reception::{self, DocumentInput, NoticeInput, NoticeKind, ReceptionInput};
use crate::services::Actor;
use crate::state::AppState;

pub struct ProcedureChoice {
    pub code: String,
    pub name: String,
    pub time: String,
    pub search: String,
}

/// A notice issued at the counter, for reprinting.
pub struct NoticeLine {
    pub id: i64,
    pub number: String,
    pub kind: &'static str,
    pub applicant: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "reception/start.html")]
struct StartPage {
    page: Layout,
    q: String,
    choices: Vec<ProcedureChoice>,
    notices: Vec<NoticeLine>,
    /// Receiving the dossiers of a postal intake record.
    lo: Option<i64>,
}

#[derive(Deserialize)]
pub struct StartQuery {
    q: Option<String>,
    lo: Option<i64>,
}

#[get("/tiep-nhan")]
pub async fn start(
    req: HttpRequest,
    staff: Staff<Receivers>,
    state: web::Data<AppState>,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.q.clone().unwrap_or_default().trim().to_string();
    let office = staff.user.office_id;
    let (all, issued) = state
        .db
        .run(move |conn| {
            let all = Procedure::all_full(conn, true)?;
            let from =
                crate::services::dossiers::day_start_utc(today() - chrono::Duration::days(6));
            let issued = CounterNotice::list(conn, &[office], from, now_utc(), 50)?;
            Ok((all, issued))
        })
        .await?;
    let notices = issued
        .into_iter()
        .map(|n| NoticeLine {
            id: n.id,
            number: n.number,
            kind: NoticeKind::parse(&n.kind)
                .map(NoticeKind::label)
                .unwrap_or(""),
            applicant: n.applicant_name,
            at: crate::domain::time::format_datetime(n.at),
        })
        .collect();
    let needle = fold(&q);
    let choices = all
        .iter()
        .map(|p| ProcedureChoice {
            code: p.procedure.code.clone(),
            name: p.procedure.name.clone(),
            time: p
                .working_days_on(today())
                .map(describe_time)
                .unwrap_or_else(|| "Chưa quy định thời hạn".into()),
            search: fold(&format!(
                "{} {} {}",
                p.procedure.code, p.procedure.name, p.procedure.field
            )),
        })
        .filter(|c| needle.is_empty() || c.search.contains(&needle))
        .collect();
    html(
        StatusCode::OK,
        &StartPage {
            page: Layout::new(&req, "Tiếp nhận hồ sơ", Some(&staff.user)),
            q,
            choices,
            notices,
            lo: query.lo,
        },
    )
}

/// A document of the procedure's list, as the form shows it.
pub struct DocRow {
    pub index: usize,
    pub name: String,
    pub form_label: &'static str,
    pub required: bool,
    pub checked: bool,
    pub count: String,
}

/// A free line (another document received, or one to fix).
pub struct FreeRow {
    pub index: usize,
    pub name: String,
    pub form: String,
    pub count: String,
}

/// The reception form as typed.
#[derive(Default)]
pub struct ReceptionForm {
    pub submission_id: String,
    pub channel: String,
    pub postal_record: String,
    pub postmarked_on: String,
    pub received_at: String,
    pub applicant_kind: String,
    pub full_name: String,
    pub representative: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub sets: String,
    pub return_method: String,
    pub postal_address: String,
    pub fee_amount: String,
    pub fee_receipt: String,
    pub note: String,
    pub reason: String,
    pub contact_phone: String,
    /// The postal intake record this dossier is received under, if any.
    pub intake: String,
    pub postal_slip: String,
}

const EXTRA_LINES: usize = 2;
const FIX_LINES: usize = 3;

#[derive(Template)]
#[template(path = "reception/form.html")]
struct FormPage {
    page: Layout,
    procedure: Procedure,
    time: String,
    has_fee: bool,
    channels: Vec<FormOption>,
    return_methods: Vec<FormOption>,
    forms: Vec<FormOption>,
    docs: Vec<DocRow>,
    extras: Vec<FreeRow>,
    fixes: Vec<FreeRow>,
    form: ReceptionForm,
    errors: FieldErrors,
    intake: Option<IntakeView>,
}

/// The postal intake record a dossier is received under.
pub struct IntakeView {
    pub id: i64,
    pub number: String,
    pub signed_at: String,
    pub worker: String,
}

impl FormPage {
    fn is_org(&self) -> bool {
        self.form.applicant_kind == "organisation"
    }
}

fn options(p: &ProcedureFull) -> (Vec<FormOption>, Vec<FormOption>) {
    let channels = split_codes(&p.procedure.channels)
        .into_iter()
        .filter_map(Channel::parse)
        .map(|c| FormOption {
            value: c.as_str(),
            label: c.label(),
        })
        .collect();
    let returns = split_codes(&p.procedure.return_methods)
        .into_iter()
        .filter_map(ReturnMethod::parse)
        .map(|m| FormOption {
            value: m.as_str(),
            label: m.label(),
        })
        .collect();
    (channels, returns)
}

/// Whether the procedure charges anything ("Không", "Không thu phí..." do not).
pub fn has_fee(fee: &str) -> bool {
    let f = fold(fee.trim());
    !(f.is_empty() || f.starts_with("khong"))
}

async fn intake_view(
    state: &AppState,
    office_id: i64,
    id: Option<i64>,
) -> Result<Option<IntakeView>, AppError> {
    let Some(id) = id else { return Ok(None) };
    let intake = state
        .db
        .run(move |conn| crate::db::postal::PostalIntake::find(conn, id))
        .await?
        .filter(|i| i.office_id == office_id)
        .ok_or(AppError::NotFound)?;
    Ok(Some(IntakeView {
        id: intake.id,
        number: intake.record_number,
        signed_at: crate::domain::time::format_datetime(intake.signed_at),
        worker: intake.postal_worker,
    }))
}

fn render_form(
    req: &HttpRequest,
    staff: &Staff<Receivers>,
    p: ProcedureFull,
    form: ReceptionForm,
    fields: &HashMap<String, String>,
    errors: FieldErrors,
    intake: Option<IntakeView>,
) -> Result<HttpResponse, AppError> {
    let (channels, return_methods) = options(&p);
    let fresh = fields.is_empty();
    let docs = p
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| DocRow {
            index: i,
            name: d.name.clone(),
            form_label: DocumentForm::parse(&d.form)
                .map(DocumentForm::label)
                .unwrap_or(""),
            required: d.required,
            checked: fields.get(&format!("doc_{i}")).is_some(),
            count: if fresh {
                d.count.to_string()
            } else {
                fields
                    .get(&format!("doc_{i}_count"))
                    .cloned()
                    .unwrap_or_default()
            },
        })
        .collect();
    let free = |prefix: &str, n: usize| -> Vec<FreeRow> {
        (0..n)
            .map(|i| FreeRow {
                index: i,
                name: fields
                    .get(&format!("{prefix}_{i}_name"))
                    .cloned()
                    .unwrap_or_default(),
                form: fields
                    .get(&format!("{prefix}_{i}_form"))
                    .cloned()
                    .unwrap_or_default(),
                count: fields
                    .get(&format!("{prefix}_{i}_count"))
                    .cloned()
                    .unwrap_or_default(),
            })
            .collect()
    };
    let time = p
        .working_days_on(today())
        .map(describe_time)
        .unwrap_or_else(|| "Chưa quy định".into());
    let status = form_status(&errors);
    html(
        status,
        &FormPage {
            page: Layout::new(req, "Tiếp nhận hồ sơ", Some(&staff.user)),
            has_fee: has_fee(&p.procedure.fee),
            time,
            channels,
            return_methods,
            forms: form_options(),
            docs,
            extras: free("extra", EXTRA_LINES),
            fixes: free("fix", FIX_LINES),
            procedure: p.procedure,
            form,
            errors,
            intake,
        },
    )
}

async fn load_procedure(state: &AppState, code: &str) -> Result<ProcedureFull, AppError> {
    let code = code.trim().to_string();
    state
        .db
        .run(move |conn| match Procedure::find_by_code(conn, &code)? {
            Some(p) if p.active => Ok(Procedure::full(conn, p)?),
            _ => Err(AppError::NotFound),
        })
        .await
}

#[derive(Deserialize)]
pub struct NewQuery {
    thu_tuc: Option<String>,
    lo: Option<i64>,
}

#[get("/tiep-nhan/moi")]
pub async fn new_form(
    req: HttpRequest,
    staff: Staff<Receivers>,
    state: web::Data<AppState>,
    query: web::Query<NewQuery>,
) -> Result<HttpResponse, AppError> {
    let Some(code) = query.thu_tuc.as_deref().filter(|c| !c.trim().is_empty()) else {
        return Ok(see_other("/tiep-nhan"));
    };
    let p = load_procedure(&state, code).await?;
    let intake = intake_view(&state, staff.user.office_id, query.lo).await?;
    let form = ReceptionForm {
        submission_id: uuid::Uuid::new_v4().to_string(),
        channel: if intake.is_some() {
            "postal"
        } else {
            "counter"
        }
        .into(),
        intake: intake
            .as_ref()
            .map(|i| i.id.to_string())
            .unwrap_or_default(),
        applicant_kind: "person".into(),
        return_method: "counter".into(),
        sets: "1".into(),
        ..ReceptionForm::default()
    };
    render_form(
        &req,
        &staff,
        p,
        form,
        &HashMap::new(),
        FieldErrors::new(),
        intake,
    )
}

fn field(fields: &HashMap<String, String>, name: &str) -> String {
    fields.get(name).cloned().unwrap_or_default()
}

/// `dd/mm/yyyy`, or `dd/mm/yyyy hh:mm` for times (local).
fn parse_local_time(raw: &str) -> Result<Option<NaiveDateTime>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    ["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %Hh%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .filter(|t| crate::domain::time::SANE_YEARS.contains(&chrono::Datelike::year(t)))
        .map(|t| Some(t - chrono::Duration::hours(7)))
        .ok_or("Ghi thời điểm dạng ngày/tháng/năm giờ:phút, ví dụ 25/11/2026 09:30.")
}

fn parse_local_date(raw: &str) -> Result<Option<NaiveDate>, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    crate::services::catalog::parse_date(s)
        .map(Some)
        .ok_or("Ghi ngày dạng ngày/tháng/năm, ví dụ 20/11/2026.")
}

#[post("/tiep-nhan/moi")]
pub async fn submit(
    req: HttpRequest,
    staff: Staff<Receivers>,
    state: web::Data<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<HttpResponse, AppError> {
    let fields: HashMap<String, String> = form.0.into_iter().collect();
    let p = load_procedure(&state, &field(&fields, "procedure_code")).await?;
    let typed = ReceptionForm {
        submission_id: field(&fields, "submission_id"),
        channel: field(&fields, "channel"),
        postal_record: field(&fields, "postal_record"),
        postmarked_on: field(&fields, "postmarked_on"),
        received_at: field(&fields, "received_at"),
        applicant_kind: field(&fields, "applicant_kind"),
        full_name: field(&fields, "full_name"),
        representative: field(&fields, "representative"),
        id_number: field(&fields, "id_number"),
        phone: field(&fields, "phone"),
        email: field(&fields, "email"),
        address: field(&fields, "address"),
        sets: field(&fields, "sets"),
        return_method: field(&fields, "return_method"),
        postal_address: field(&fields, "postal_address"),
        fee_amount: field(&fields, "fee_amount"),
        fee_receipt: field(&fields, "fee_receipt"),
        note: field(&fields, "note"),
        reason: field(&fields, "reason"),
        contact_phone: field(&fields, "contact_phone"),
        intake: field(&fields, "intake"),
        postal_slip: field(&fields, "postal_slip"),
    };
    let applicant = ApplicantInput {
        kind: typed.applicant_kind.clone(),
        full_name: typed.full_name.clone(),
        representative: typed.representative.clone(),
        id_number: typed.id_number.clone(),
        phone: typed.phone.clone(),
        email: typed.email.clone(),
        address: typed.address.clone(),
    };
    // Documents in the order the use case sees them, with the form field
    // each one's messages belong to.
    let mut documents = Vec::new();
    let mut anchors = Vec::new();
    let mut missing = Vec::new();
    for (i, d) in p.documents.iter().enumerate() {
        if fields.contains_key(&format!("doc_{i}")) {
            documents.push(DocumentInput {
                name: d.name.clone(),
                form: d.form.clone(),
                count: field(&fields, &format!("doc_{i}_count")),
            });
            anchors.push(format!("doc_{i}_count"));
        } else if d.required {
            missing.push(DocumentInput {
                name: d.name.clone(),
                form: d.form.clone(),
                count: d.count.to_string(),
            });
        }
    }
    for i in 0..EXTRA_LINES {
        documents.push(DocumentInput {
            name: field(&fields, &format!("extra_{i}_name")),
            form: field(&fields, &format!("extra_{i}_form")),
            count: field(&fields, &format!("extra_{i}_count")),
        });
        anchors.push(format!("extra_{i}_name"));
    }
    let outcome = field(&fields, "outcome");
    let actor = Actor::from(&staff.user);
    let mut errors = FieldErrors::new();
    match outcome.as_str() {
        "supplement" | "refusal" => {
            let kind = NoticeKind::parse(&outcome).unwrap_or(NoticeKind::Refusal);
            let mut fix_anchors = Vec::new();
            if kind == NoticeKind::Supplement {
                for _ in &missing {
                    fix_anchors.push("doc_0".to_string());
                }
                for i in 0..FIX_LINES {
                    missing.push(DocumentInput {
                        name: field(&fields, &format!("fix_{i}_name")),
                        form: field(&fields, &format!("fix_{i}_form")),
                        count: String::new(),
                    });
                    fix_anchors.push(format!("fix_{i}_name"));
                }
            }
            let input = NoticeInput {
                procedure_code: p.procedure.code.clone(),
                channel: typed.channel.clone(),
                applicant,
                missing,
                reason: typed.reason.clone(),
                contact_phone: typed.contact_phone.clone(),
            };
            let result = state
                .db
                .run(move |conn| {
                    Ok(reception::issue_notice(
                        conn,
                        &actor,
                        kind,
                        &input,
                        now_utc(),
                    ))
                })
                .await?;
            match result {
                Ok(notice) => return Ok(see_other(&format!("/phieu/{}", notice.id))),
                Err(ActionError::Failed(e)) => return Err(e),
                Err(ActionError::Invalid(e)) => {
                    for (f, m) in e.iter() {
                        let target = match f.strip_prefix("documents.") {
                            Some(i) => i
                                .parse::<usize>()
                                .ok()
                                .and_then(|i| fix_anchors.get(i).cloned())
                                .unwrap_or_else(|| "fix_0_name".into()),
                            None if f == "missing" => "fix_0_name".into(),
                            None => f.to_string(),
                        };
                        errors.add(&target, m);
                    }
                }
            }
        }
        _ => {
            let received_at = errors
                .check("received_at", parse_local_time(&typed.received_at))
                .flatten();
            let postmarked_on = errors
                .check("postmarked_on", parse_local_date(&typed.postmarked_on))
                .flatten();
            if errors.is_empty() {
                let input = ReceptionInput {
                    procedure_code: p.procedure.code.clone(),
                    channel: typed.channel.clone(),
                    applicant,
                    documents,
                    sets: typed.sets.clone(),
                    return_method: typed.return_method.clone(),
                    postal_address: typed.postal_address.clone(),
                    note: typed.note.clone(),
                    received_at,
                    postmarked_on,
                    postal_record: typed.postal_record.clone(),
                    fee_amount: typed.fee_amount.clone(),
                    fee_receipt: typed.fee_receipt.clone(),
                    require_postal_record: true,
                    intake_id: typed.intake.trim().parse().ok(),
                    postal_slip: typed.postal_slip.clone(),
                };
                let key = Some(typed.submission_id.trim().to_string())
                    .filter(|k| !k.is_empty() && k.len() <= 100);
                let cal = state.calendar().await?;
                let result = state
                    .db
                    .run(move |conn| {
                        Ok(reception::accept(
                            conn,
                            &cal,
                            &actor,
                            &input,
                            key.as_deref(),
                            now_utc(),
                        ))
                    })
                    .await?;
                match result {
                    Ok(r) => {
                        return Ok(see_other(&format!(
                            "/ho-so/{}/da-tiep-nhan",
                            urlencode(&r.dossier.code)
                        )))
                    }
                    Err(ActionError::Failed(e)) => return Err(e),
                    Err(ActionError::Invalid(e)) => {
                        for (f, m) in e.iter() {
                            let target = match f.strip_prefix("documents.") {
                                Some(i) => i
                                    .parse::<usize>()
                                    .ok()
                                    .and_then(|i| anchors.get(i).cloned())
                                    .unwrap_or_else(|| "doc_0".into()),
                                None if f == "documents" => "doc_0".into(),
                                None => f.to_string(),
                            };
                            errors.add(&target, m);
                        }
                    }
                }
            }
        }
    }
    // A record that is not this office's was already reported by the use case.
    let intake = intake_view(
        &state,
        staff.user.office_id,
        typed.intake.trim().parse().ok(),
    )
    .await
    .ok()
    .flatten();
    render_form(&req, &staff, p, typed, &fields, errors, intake)
}
