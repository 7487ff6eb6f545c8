//! A dossier as pages and printouts show it: every value formatted in
//! Vietnamese, dates dd/mm/yyyy, times in Asia/Ho_Chi_Minh.

use crate::error::AppError;
use crate::services::dossiers;
use crate::services::dossiers::lookup_url;
use crate::state::AppState;
use chrono::{NaiveDate, Timelike};

use crate::domain::dossier::Status;
use crate::domain::procedure::{describe_time, Channel, DocumentForm, ReturnMethod};
use crate::domain::reception::{format_amount, ApplicantKind};
use crate::domain::time::{format_date, format_datetime, to_local, today};
use crate::services::dossiers::DossierDetail;

pub struct DocumentLineView {
    pub name: String,
    pub form: &'static str,
    pub count: i32,
}

pub struct EventView {
    pub at: String,
    pub by: String,
    pub action: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub note: String,
}

pub struct SkippedView {
    pub date: String,
    pub reason: String,
}

pub struct DeadlineView {
    pub cause: &'static str,
    pub at: String,
    pub basis: String,
    pub working_days: i32,
    pub effective_day: String,
    pub due_date: String,
    pub counted: Vec<String>,
    pub skipped: Vec<SkippedView>,
}

/// One message to the applicant, as the dossier page lists it.
pub struct MessageView {
    pub at: String,
    pub event: &'static str,
    pub channel: &'static str,
    pub status: &'static str,
    pub error: String,
}

pub struct DossierView {
    pub code: String,
    pub status: &'static str,
    pub status_code: String,
    pub next_step: &'static str,
    pub voided: bool,
    pub void_reason: String,
    pub version: i32,
    pub procedure_code: String,
    pub procedure_name: String,
    pub working_days: i32,
    pub time_text: String,
    pub office_code: String,
    pub office_name: String,
    pub channel: &'static str,
    pub return_method: &'static str,
    pub postal_address: String,
    pub kind: &'static str,
    pub is_org: bool,
    pub applicant_name: String,
    pub representative: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub documents: Vec<DocumentLineView>,
    pub sets: i32,
    pub received_at: String,
    pub received_hour: String,
    pub received_minute: String,
    pub received_date: String,
    pub postmarked_on: String,
    pub postal_record: String,
    pub effective_day: String,
    pub due_date: String,
    pub original_due_date: String,
    pub overdue: bool,
    pub register_year: i32,
    pub register_number: i32,
    pub fee: String,
    pub fee_receipt: String,
    pub note: String,
    pub received_by: String,
    pub assignee: String,
    pub lookup_url: String,
    pub events: Vec<EventView>,
    pub deadlines: Vec<DeadlineView>,
    /// The news sent to the applicant, and whether the applicant declined it.
    pub messages: Vec<MessageView>,
    pub notify: bool,
    /// "Đồng ý (cấp kết quả)" or "Từ chối", once decided.
    pub outcome: String,
    pub decided_at: String,
    pub timeliness: String,
    pub result: String,
    pub closing_reason: String,
    pub extension_reason: String,
    pub late_supplement: bool,
    pub supplement_requests: i32,
    pub intake_id: Option<i64>,
    pub tracking_number: String,
    pub delivered_at: String,
    pub recipient: String,
}

pub fn action_label(action: &str) -> &'static str {
    match action {
        "receive" => "Tiếp nhận hồ sơ",
        "correct_applicant" => "Sửa thông tin người nộp",
        "void" => "Hủy hồ sơ nhập nhầm",
        "accept_online" => "Tiếp nhận hồ sơ trực tuyến",
        "reject_online" => "Không tiếp nhận hồ sơ trực tuyến",
        "assign" => "Phân công xử lý",
        "request_supplement" => "Yêu cầu bổ sung hồ sơ",
        "receive_supplement" => "Nhận hồ sơ bổ sung",
        "submit_for_approval" => "Trình phê duyệt",
        "send_back" => "Trả lại để xử lý tiếp",
        "approve" => "Phê duyệt kết quả",
        "refuse" => "Từ chối giải quyết",
        "extend" => "Gia hạn, hẹn lại ngày trả",
        "withdraw" => "Công dân rút hồ sơ",
        "deliver_at_counter" => "Trả kết quả tại bộ phận một cửa",
        "ship_by_post" => "Gửi kết quả qua bưu chính",
        "postal_delivered" => "Bưu chính đã phát kết quả",
        "postal_undelivered" => "Bưu chính phát không thành công",
        "recompute" => "Tính lại hạn do điều chỉnh lịch nghỉ",
        "citizen_supplement" => "Công dân gửi bổ sung trực tuyến",
        "attach_file" => "Đính kèm bản quét",
        _ => "Thao tác khác",
    }
}

fn status_label(s: Option<&str>) -> &'static str {
    s.and_then(Status::parse).map(Status::label).unwrap_or("")
}

fn cause_label(cause: &str) -> &'static str {
    match cause {
        "receive" => "Khi tiếp nhận",
        "supplement" => "Khi nhận đủ hồ sơ bổ sung",
        "extend" => "Gia hạn (phiếu xin lỗi, hẹn lại)",
        "calendar" => "Điều chỉnh lịch nghỉ",
        _ => "Tính lại",
    }
}

fn fmt_iso(day: &str) -> String {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .map(format_date)
        .unwrap_or_else(|_| day.to_string())
}

impl DossierView {
    pub fn of(d: &DossierDetail, lookup_url: String) -> DossierView {
        let x = &d.dossier;
        let local = to_local(x.received_at);
        let kind = if x.applicant_kind == "organisation" {
            ApplicantKind::Organisation
        } else {
            ApplicantKind::Person
        };
        let timeliness = match (x.decided_at, x.due_date) {
            (Some(at), Some(due)) => crate::domain::dossier::decided_timeliness(
                at,
                due,
                x.extended,
                x.supplement_requests,
            )
            .label()
            .to_string(),
            _ => String::new(),
        };
        DossierView {
            outcome: match x.outcome.as_deref() {
                Some("granted") => "Giải quyết (cấp kết quả)".into(),
                Some("refused") => "Từ chối giải quyết".into(),
                _ => String::new(),
            },
            decided_at: x.decided_at.map(format_datetime).unwrap_or_default(),
            timeliness,
            result: match &x.result_number {
                Some(n) => format!(
                    "Văn bản số {n}{}{}{}",
                    x.result_date
                        .map(|d| format!(" ngày {}", format_date(d)))
                        .unwrap_or_default(),
                    x.result_signer
                        .as_ref()
                        .map(|s| format!(", người ký {s}"))
                        .unwrap_or_default(),
                    x.result_summary
                        .as_ref()
                        .map(|s| format!(": {s}"))
                        .unwrap_or_default()
                ),
                None => String::new(),
            },
            closing_reason: x.closing_reason.clone().unwrap_or_default(),
            extension_reason: x.extension_reason.clone().unwrap_or_default(),
            late_supplement: x.late_supplement,
            supplement_requests: x.supplement_requests,
            intake_id: x.intake_id,
            tracking_number: x.tracking_number.clone().unwrap_or_default(),
            delivered_at: x.delivered_at.map(format_datetime).unwrap_or_default(),
            recipient: x.recipient_name.clone().unwrap_or_default(),
            code: x.code.clone(),
            status: d.status().label(),
            status_code: x.status.clone(),
            next_step: d.status().next_step(),
            voided: x.voided,
            void_reason: x.void_reason.clone().unwrap_or_default(),
            version: x.version,
            procedure_code: d.procedure.code.clone(),
            procedure_name: d.procedure.name.clone(),
            working_days: x.working_days,
            time_text: describe_time(x.working_days.max(0) as u32),
            office_code: d.office.code.clone(),
            office_name: d.office.name.clone(),
            channel: Channel::parse(&x.channel).map(Channel::label).unwrap_or(""),
            return_method: ReturnMethod::parse(&x.return_method)
                .map(ReturnMethod::label)
                .unwrap_or(""),
            postal_address: x.postal_address.clone().unwrap_or_default(),
            kind: kind.label(),
            is_org: kind == ApplicantKind::Organisation,
            applicant_name: x.applicant_name.clone(),
            representative: x.representative.clone().unwrap_or_default(),
            id_number: x.id_number.clone().unwrap_or_default(),
            phone: x.phone.clone(),
            email: x.email.clone().unwrap_or_default(),
            address: x.address.clone(),
            documents: d
                .documents
                .iter()
                .map(|doc| DocumentLineView {
                    name: doc.name.clone(),
                    form: DocumentForm::parse(&doc.form)
                        .map(DocumentForm::label)
                        .unwrap_or(""),
                    count: doc.count,
                })
                .collect(),
            sets: x.sets,
            received_at: format_datetime(x.received_at),
            received_hour: format!("{:02}", local.hour()),
            received_minute: format!("{:02}", local.minute()),
            received_date: format_date(local.date_naive()),
            postmarked_on: x.postmarked_on.map(format_date).unwrap_or_default(),
            postal_record: x.postal_record.clone().unwrap_or_default(),
            effective_day: format_date(x.effective_day),
            due_date: x.due_date.map(format_date).unwrap_or_default(),
            original_due_date: x.original_due_date.map(format_date).unwrap_or_default(),
            overdue: d.overdue(today()),
            register_year: x.register_year,
            register_number: x.register_number,
            fee: x.fee_amount.map(format_amount).unwrap_or_default(),
            fee_receipt: x.fee_receipt.clone().unwrap_or_default(),
            note: x.note.clone(),
            received_by: d.received_by.full_name.clone(),
            assignee: d.assignee_name.clone().unwrap_or_default(),
            lookup_url,
            messages: d
                .messages
                .iter()
                .map(|m| MessageView {
                    at: format_datetime(m.sent_at.unwrap_or(m.created_at)),
                    event: crate::domain::citizen::News::parse(&m.event)
                        .map(|n| n.label())
                        .unwrap_or(""),
                    channel: if m.channel == "email" {
                        "Thư điện tử"
                    } else {
                        "SMS"
                    },
                    status: super::admin::outbox::status_label(&m.status),
                    error: m.last_error.clone().unwrap_or_default(),
                })
                .collect(),
            notify: x.notify,
            events: d
                .events
                .iter()
                .map(|e| EventView {
                    at: format_datetime(e.at),
                    by: format!("{} ({})", e.full_name, e.username),
                    action: action_label(&e.action),
                    from: status_label(e.from_status.as_deref()),
                    to: status_label(Some(&e.to_status)),
                    note: e.note.clone(),
                })
                .collect(),
            deadlines: d
                .deadlines
                .iter()
                .map(|r| DeadlineView {
                    cause: cause_label(&r.cause),
                    at: format_datetime(r.at),
                    basis: format_datetime(r.basis_at),
                    working_days: r.working_days,
                    effective_day: format_date(r.effective_day),
                    due_date: format_date(r.due_date),
                    counted: r
                        .counted
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(fmt_iso)
                        .collect(),
                    skipped: serde_json::from_str::<Vec<serde_json::Value>>(&r.skipped)
                        .unwrap_or_default()
                        .iter()
                        .map(|v| SkippedView {
                            date: fmt_iso(v["date"].as_str().unwrap_or("")),
                            reason: v["reason"].as_str().unwrap_or("").to_string(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

pub async fn load(
    state: &AppState,
    office_id: i64,
    code: String,
) -> Result<DossierDetail, AppError> {
    state
        .db
        .run(move |conn| {
            let visible = dossiers::visible_offices(conn, office_id)?;
            dossiers::load_by_code(conn, &code, &visible)?.ok_or(AppError::NotFound)
        })
        .await
}

pub fn view(state: &AppState, d: &DossierDetail) -> DossierView {
    DossierView::of(
        d,
        lookup_url(&state.config.public_url, &d.dossier.lookup_token),
    )
}
