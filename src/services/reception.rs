//! Reception use cases shared by the counter pages, the API and the demo:
//! accept a dossier, issue a supplement request or a refusal instead,
//! correct the applicant, void a dossier. Each is one transaction.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use crate::db::dossiers::{Dossier, NewDossier};
use crate::db::notices::{CounterNotice, NewCounterNotice};
use crate::db::offices::Office;
use crate::db::procedures::{Procedure, ProcedureFull};
use crate::db::{idempotency, is_unique_violation, sequences, write_tx, DbConnection};
use crate::domain::applicant::{code_counter_key, DossierCode, EARLIEST_RECEPTION_YEAR};
use crate::domain::calendar::Calendar;
use crate::domain::deadline::{compute, Deadline};
use crate::domain::dossier::Status;
use crate::domain::fields::FieldErrors;
use crate::domain::office::OfficeCode;
use crate::domain::procedure::{split_codes, Channel, DocumentForm, ReturnMethod};
use crate::domain::reception::{
    check_applicant, check_document, check_postmark, long_text, missing_required, parse_amount,
    text, Applicant, ApplicantInput, DocumentLine, ListedDocument, ADDRESS_MAX, NAME_MAX,
};
use crate::domain::time::{format_datetime, to_local, vietnam};
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::passwords::random_token;
use crate::services::Actor;

/// A document line as typed.
#[derive(Debug, Clone, Default)]
pub struct DocumentInput {
    pub name: String,
    pub form: String,
    pub count: String,
}

/// A reception as typed at the counter or sent to the API.
#[derive(Debug, Clone, Default)]
pub struct ReceptionInput {
    pub procedure_code: String,
    pub channel: String,
    pub applicant: ApplicantInput,
    pub documents: Vec<DocumentInput>,
    pub sets: String,
    pub return_method: String,
    pub postal_address: String,
    pub note: String,
    /// UTC; `None` is now. A malformed time is reported by the caller.
    pub received_at: Option<NaiveDateTime>,
    pub postmarked_on: Option<NaiveDate>,
    pub postal_record: String,
    pub fee_amount: String,
    pub fee_receipt: String,
    /// The counter form asks for the postal handover record's number.
    pub require_postal_record: bool,
    /// Received under this postal intake record: its number and signing
    /// time are the dossier's.
    pub intake_id: Option<i64>,
    /// The postal slip (bưu gửi) number the dossier came with.
    pub postal_slip: String,
    /// The applicant agreed to news by email and SMS (the default).
    pub notify: bool,
    /// Accepting this online submission (its code): the history starts
    /// with `accept_online` from `submitted`.
    pub online_submission: Option<String>,
}

/// How far in the future a reception time may be (clocks differ a little).
const CLOCK_SKEW: i64 = 120;
/// A retried creation within this window answers with the first dossier.
pub const IDEMPOTENCY_HOURS: i64 = 24;

pub fn listed_documents(p: &ProcedureFull) -> Vec<ListedDocument> {
    p.documents
        .iter()
        .map(|d| ListedDocument {
            name: d.name.clone(),
            form: DocumentForm::parse(&d.form).unwrap_or(DocumentForm::Original),
            count: d.count.max(1) as u32,
            required: d.required,
        })
        .collect()
}

fn find_procedure(conn: &mut DbConnection, code: &str) -> Result<Option<ProcedureFull>, AppError> {
    let code = code.trim();
    if code.is_empty() {
        return Ok(None);
    }
    match Procedure::find_by_code(conn, code)? {
        Some(p) if p.active => Ok(Some(Procedure::full(conn, p)?)),
        _ => Ok(None),
    }
}

fn check_documents(lines: &[DocumentInput], errors: &mut FieldErrors) -> Vec<DocumentLine> {
    if lines.len() > crate::domain::reception::MAX_DOCUMENT_LINES {
        errors.add("documents", crate::domain::reception::too_many_documents());
        return Vec::new();
    }
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            !(l.name.trim().is_empty() && l.form.trim().is_empty() && l.count.trim().is_empty())
        })
        .filter_map(|(i, l)| {
            check_document(
                &l.name,
                &l.form,
                &l.count,
                &format!("documents.{i}"),
                errors,
            )
        })
        .collect()
}

/// A dossier accepted: the checked input and its computed due date.
pub struct Accepted {
    procedure: ProcedureFull,
    channel: Channel,
    applicant: Applicant,
    documents: Vec<DocumentLine>,
    sets: i32,
    return_method: ReturnMethod,
    postal_address: Option<String>,
    note: String,
    received_at: NaiveDateTime,
    postmarked_on: Option<NaiveDate>,
    postal_record: Option<String>,
    fee_amount: Option<i64>,
    fee_receipt: Option<String>,
    deadline: Deadline,
    intake_id: Option<i64>,
    notify: bool,
    postal_slip: Option<String>,
    online_submission: Option<String>,
    /// Worked out here, before the write lock: the status page's token, the
    /// folded name for search, and the deadline's days as stored.
    token: String,
    folded: String,
    counted: String,
    skipped: String,
}

pub fn check_reception(
    conn: &mut DbConnection,
    cal: &Calendar,
    office_id: i64,
    input: &ReceptionInput,
    now: NaiveDateTime,
) -> Result<Accepted, ActionError> {
    let mut errors = FieldErrors::new();
    let procedure = find_procedure(conn, &input.procedure_code)?;
    if procedure.is_none() {
        errors.add(
            "procedure_code",
            if input.procedure_code.trim().is_empty() {
                "Chọn thủ tục hành chính.".to_string()
            } else {
                format!(
                    "Không có thủ tục đang áp dụng mã {}.",
                    input.procedure_code.trim()
                )
            },
        );
    }
    let channel = errors.check(
        "channel",
        Channel::parse(input.channel.trim())
            .ok_or("Chọn hình thức nộp: trực tiếp, bưu chính hoặc trực tuyến."),
    );
    if let (Some(p), Some(c)) = (&procedure, channel) {
        if !split_codes(&p.procedure.channels).contains(&c.as_str()) {
            errors.add(
                "channel",
                format!("Thủ tục này không nhận hồ sơ {}.", c.label().to_lowercase()),
            );
        }
    }
    let applicant = check_applicant(&input.applicant, &mut errors);
    let documents = check_documents(&input.documents, &mut errors);
    let sets = errors.check("sets", crate::domain::reception::parse_count(&input.sets));
    let return_method = errors.check(
        "return_method",
        ReturnMethod::parse(input.return_method.trim())
            .ok_or("Chọn cách trả kết quả: tại bộ phận một cửa hoặc qua bưu chính."),
    );
    if let (Some(p), Some(m)) = (&procedure, return_method) {
        if !split_codes(&p.procedure.return_methods).contains(&m.as_str()) {
            errors.add(
                "return_method",
                format!(
                    "Thủ tục này không trả kết quả {}.",
                    m.label().to_lowercase()
                ),
            );
        }
    }
    let postal_address = errors
        .check(
            "postal_address",
            text(
                &input.postal_address,
                ADDRESS_MAX,
                (return_method == Some(ReturnMethod::Postal))
                    .then_some("Nhập địa chỉ nhận kết quả qua bưu chính."),
            ),
        )
        .flatten();
    let note = errors.check("note", long_text(&input.note, None)).flatten();
    let intake = match input.intake_id {
        None => None,
        Some(id) => match crate::db::postal::PostalIntake::find(conn, id)? {
            Some(i) if i.office_id == office_id => Some(i),
            _ => {
                errors.add("intake", "Không có biên bản giao nhận bưu chính này.");
                None
            }
        },
    };
    let received_at = intake
        .as_ref()
        .map(|i| i.signed_at)
        .or(input.received_at)
        .unwrap_or(now);
    let postal_slip = errors
        .check(
            "postal_slip",
            text(
                &input.postal_slip,
                50,
                intake
                    .is_some()
                    .then_some("Nhập số hiệu bưu gửi của hồ sơ trong biên bản."),
            ),
        )
        .flatten();
    if received_at > now + Duration::seconds(CLOCK_SKEW) {
        errors.add("received_at", "Thời điểm tiếp nhận không thể ở tương lai.");
    } else if to_local(received_at).year() < EARLIEST_RECEPTION_YEAR {
        errors.add(
            "received_at",
            "Thời điểm tiếp nhận phải từ 01/01/2000 trở đi; hãy kiểm tra lại năm.",
        );
    }
    let received_local = to_local(received_at).naive_local();
    let postal = channel == Some(Channel::Postal);
    if let Some(pm) = input.postmarked_on {
        if !postal {
            errors.add(
                "postmarked_on",
                "Chỉ ghi ngày dấu bưu điện cho hồ sơ nhận qua bưu chính.",
            );
        } else if let Err(e) = check_postmark(pm, received_local.date()) {
            errors.add("postmarked_on", e);
        }
    }
    if intake.is_some() && !postal {
        errors.add(
            "channel",
            "Hồ sơ trong biên bản giao nhận bưu chính là hồ sơ nộp qua bưu chính.",
        );
    }
    let postal_record = errors
        .check(
            "postal_record",
            text(
                &input.postal_record,
                NAME_MAX,
                (postal && input.require_postal_record && intake.is_none())
                    .then_some("Nhập số biên bản giao nhận với nhân viên bưu chính."),
            ),
        )
        .flatten()
        .filter(|_| postal);
    let fee_amount = errors
        .check("fee_amount", parse_amount(&input.fee_amount))
        .flatten();
    let fee_receipt = errors
        .check(
            "fee_receipt",
            text(
                &input.fee_receipt,
                NAME_MAX,
                fee_amount
                    .filter(|a| *a > 0)
                    .map(|_| "Nhập số biên lai thu phí, lệ phí."),
            ),
        )
        .flatten();
    let mut deadline = None;
    if let Some(p) = &procedure {
        let missing = missing_required(&listed_documents(p), &documents);
        if !missing.is_empty() && errors.get("documents").is_none() {
            let names: Vec<&str> = missing.iter().map(|d| d.name.as_str()).collect();
            errors.add(
                "documents",
                format!(
                    "Còn thiếu giấy tờ bắt buộc: {}. Hồ sơ chưa đủ thì lập phiếu yêu cầu bổ sung, không tiếp nhận.",
                    names.join("; ")
                ),
            );
        }
        match p.working_days_on(received_local.date()) {
            None => errors.add(
                "procedure_code",
                "Thủ tục chưa có thời hạn giải quyết áp dụng cho ngày tiếp nhận này.",
            ),
            Some(n) => match compute(cal, received_local, n) {
                Ok(d) => deadline = Some(d),
                Err(e) => errors.add("procedure_code", e.to_string()),
            },
        }
    }
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let (
        Some(procedure),
        Some(channel),
        Some(applicant),
        Some(sets),
        Some(return_method),
        Some(deadline),
    ) = (procedure, channel, applicant, sets, return_method, deadline)
    else {
        return Err(ActionError::Invalid(errors));
    };
    let (counted, skipped) = deadline_columns(&deadline);
    Ok(Accepted {
        token: random_token(18),
        folded: applicant.folded(),
        counted,
        skipped,
        procedure,
        channel,
        applicant,
        documents,
        sets: sets as i32,
        return_method,
        postal_address: postal_address.filter(|_| return_method == ReturnMethod::Postal),
        note: note.unwrap_or_default(),
        received_at,
        postmarked_on: input.postmarked_on,
        fee_amount,
        fee_receipt,
        deadline,
        postal_record: intake
            .as_ref()
            .map(|i| i.record_number.clone())
            .or(postal_record),
        intake_id: intake.as_ref().map(|i| i.id),
        notify: input.notify,
        postal_slip,
        online_submission: input.online_submission.clone(),
    })
}

/// `counted` and `skipped` of a deadline as stored.
pub fn deadline_columns(d: &Deadline) -> (String, String) {
    let counted = d
        .counted
        .iter()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .collect::<Vec<_>>()
        .join(",");
    let skipped = serde_json::to_string(
        &d.skipped
            .iter()
            .map(|s| serde_json::json!({"date": s.date.format("%Y-%m-%d").to_string(), "reason": s.reason}))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    (counted, skipped)
}

/// The result of an accepted reception: the dossier, and whether this call
/// created it (false: an earlier call with the same key did).
pub struct Reception {
    pub dossier: Dossier,
    pub created: bool,
}

/// Accepts a dossier: checks everything, then gives it its code and register
/// line and records it with its history and due date, in one transaction.
pub fn accept(
    conn: &mut DbConnection,
    cal: &Calendar,
    actor: &Actor,
    input: &ReceptionInput,
    idempotency_key: Option<&str>,
    now: NaiveDateTime,
) -> Result<Reception, ActionError> {
    let since = now - Duration::hours(IDEMPOTENCY_HOURS);
    // Checked before the key is looked up: a request refused on its own is
    // refused even under a key used before; `store` replays the first answer.
    let a = check_reception(conn, cal, actor.office_id, input, now)?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        match write_tx(conn, |conn| {
            store(conn, actor, &a, idempotency_key, since, now)
        }) {
            Err(ActionError::Failed(e)) if is_unique_violation(&e) && attempt < 5 => continue,
            other => return other,
        }
    }
}

fn store(
    conn: &mut DbConnection,
    actor: &Actor,
    a: &Accepted,
    idempotency_key: Option<&str>,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<Reception, ActionError> {
    if let Some(key) = idempotency_key {
        if let Some(id) = idempotency::find(conn, actor.user_id, key, since)? {
            return Ok(Reception {
                dossier: Dossier::find(conn, id)?,
                created: false,
            });
        }
    }
    let office = Office::find(conn, actor.office_id)?;
    let office_code = OfficeCode::parse(&office.code)
        .map_err(|e| AppError::Internal(format!("office code {}: {e}", office.code)))?;
    let local = to_local(a.received_at);
    let day = local.date_naive();
    let code = next_free_code(conn, office.id, &office_code, day)?;
    let year = day.year();
    let line = sequences::next(conn, &format!("register:{}:{year}", office.id))?;
    let status = Status::Received.as_str();
    let d = &a.deadline;
    let dossier = Dossier::insert(
        conn,
        &NewDossier {
            code: &code,
            office_id: office.id,
            procedure_id: a.procedure.procedure.id,
            working_days: d.working_days as i32,
            channel: a.channel.as_str(),
            status,
            voided: false,
            version: 1,
            applicant_kind: a.applicant.kind.as_str(),
            applicant_name: &a.applicant.name,
            applicant_folded: &a.folded,
            representative: a.applicant.representative.as_deref(),
            id_number: a.applicant.id_number.as_deref(),
            phone: &a.applicant.phone,
            email: a.applicant.email.as_deref(),
            address: &a.applicant.address,
            return_method: a.return_method.as_str(),
            postal_address: a.postal_address.as_deref(),
            note: &a.note,
            sets: a.sets,
            received_at: a.received_at,
            postmarked_on: a.postmarked_on,
            postal_record: a.postal_record.as_deref(),
            effective_day: d.effective_receiving_day,
            due_date: Some(d.due_date),
            original_due_date: Some(d.due_date),
            supplement_requests: 0,
            register_year: year,
            register_number: line as i32,
            lookup_token: &a.token,
            fee_amount: a.fee_amount,
            fee_receipt: a.fee_receipt.as_deref(),
            received_by: actor.user_id,
            created_at: now,
            updated_at: now,
            intake_id: a.intake_id,
            postal_slip: a.postal_slip.as_deref(),
            notify: a.notify,
        },
    )?;
    for (i, doc) in a.documents.iter().enumerate() {
        Dossier::add_document(
            conn,
            dossier.id,
            i as i32 + 1,
            &doc.name,
            doc.form.as_str(),
            doc.count as i32,
        )?;
    }
    let mut note = format!("Tiếp nhận hồ sơ {}", a.channel.label().to_lowercase());
    if let Some(c) = &a.online_submission {
        note.push_str(&format!("; mã đăng ký trực tuyến {c}"));
    }
    let (action, from) = match a.online_submission {
        Some(_) => ("accept_online", Some(Status::Submitted.as_str())),
        None => ("receive", None),
    };
    if let Some(r) = &a.postal_record {
        note.push_str(&format!("; biên bản giao nhận bưu chính số {r}"));
    }
    if let Some(pm) = a.postmarked_on {
        note.push_str(&format!("; ngày dấu bưu điện {}", pm.format("%d/%m/%Y")));
    }
    if now - a.received_at > Duration::minutes(30) {
        note.push_str(&format!(
            "; tiếp nhận lúc {}, nhập vào hệ thống lúc {} bởi {}",
            format_datetime(a.received_at),
            format_datetime(now),
            actor.full_name
        ));
    }
    Dossier::add_event_with(
        conn,
        dossier.id,
        now,
        actor.user_id,
        action,
        from,
        status,
        &note,
        Some(d.due_date),
        None,
    )?;
    super::notifications::enqueue_with(
        conn,
        &dossier,
        &a.procedure.procedure,
        &office,
        action,
        now,
    )?;
    Dossier::add_deadline(
        conn,
        dossier.id,
        now,
        actor.user_id,
        "receive",
        a.received_at,
        d.working_days as i32,
        d.effective_receiving_day,
        d.due_date,
        &a.counted,
        &a.skipped,
    )?;
    if let Some(key) = idempotency_key {
        idempotency::record(conn, actor.user_id, key, dossier.id, now, since)?;
    }
    Ok(Reception {
        dossier,
        created: true,
    })
}

/// Supplement request (Mẫu 02) or refusal (Mẫu 03) at reception.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    Supplement,
    Refusal,
}

impl NoticeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoticeKind::Supplement => "supplement",
            NoticeKind::Refusal => "refusal",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        match s {
            "supplement" => Some(NoticeKind::Supplement),
            "refusal" => Some(NoticeKind::Refusal),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::Supplement => "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            NoticeKind::Refusal => "Phiếu từ chối tiếp nhận, giải quyết hồ sơ",
        }
    }

    fn suffix(self) -> &'static str {
        match self {
            NoticeKind::Supplement => "PYCBS",
            NoticeKind::Refusal => "PTC",
        }
    }
}

/// What a notice needs, as typed.
#[derive(Debug, Clone, Default)]
pub struct NoticeInput {
    pub procedure_code: String,
    pub channel: String,
    pub applicant: ApplicantInput,
    /// What is missing or must be fixed (supplement requests).
    pub missing: Vec<DocumentInput>,
    pub reason: String,
    pub contact_phone: String,
}

/// Issues a supplement request or a refusal: no dossier is created, but the
/// notice is recorded (it counts as "not accepted") and printed from the record.
pub fn issue_notice(
    conn: &mut DbConnection,
    actor: &Actor,
    kind: NoticeKind,
    input: &NoticeInput,
    now: NaiveDateTime,
) -> Result<CounterNotice, ActionError> {
    let mut errors = FieldErrors::new();
    let procedure = find_procedure(conn, &input.procedure_code)?;
    if procedure.is_none() {
        errors.add("procedure_code", "Chọn thủ tục hành chính.");
    }
    let channel = errors.check(
        "channel",
        Channel::parse(input.channel.trim())
            .ok_or("Chọn hình thức nộp: trực tiếp, bưu chính hoặc trực tuyến."),
    );
    let a = &input.applicant;
    let name = errors
        .check(
            "full_name",
            text(
                &a.full_name,
                NAME_MAX,
                Some("Nhập họ và tên (hoặc tên tổ chức) người nộp hồ sơ."),
            ),
        )
        .flatten();
    let representative = errors
        .check("representative", text(&a.representative, NAME_MAX, None))
        .flatten();
    let id_number = if a.id_number.trim().is_empty() {
        None
    } else {
        errors
            .check(
                "id_number",
                crate::domain::applicant::CitizenId::parse(&a.id_number),
            )
            .map(|c| c.as_str().to_string())
    };
    let phone = if a.phone.trim().is_empty() {
        None
    } else {
        errors
            .check("phone", crate::domain::applicant::Phone::parse(&a.phone))
            .map(|p| p.as_str().to_string())
    };
    let email = errors
        .check("email", crate::domain::applicant::parse_email(&a.email))
        .flatten();
    let address = errors
        .check("address", text(&a.address, ADDRESS_MAX, None))
        .flatten();
    let mut missing = check_documents(&input.missing, &mut errors);
    if kind == NoticeKind::Supplement && missing.is_empty() && errors.get("documents").is_none() {
        // Unticked required documents are what is missing.
        errors.add(
            "missing",
            "Liệt kê đầy đủ một lần các giấy tờ cần bổ sung, hoàn thiện.",
        );
    }
    if kind == NoticeKind::Refusal {
        missing.clear();
    }
    let reason = errors
        .check(
            "reason",
            long_text(
                &input.reason,
                (kind == NoticeKind::Refusal).then_some("Nêu rõ lý do từ chối tiếp nhận."),
            ),
        )
        .flatten();
    let contact_phone = errors
        .check("contact_phone", text(&input.contact_phone, 50, None))
        .flatten();
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let (Some(procedure), Some(channel), Some(name)) = (procedure, channel, name) else {
        return Err(ActionError::Invalid(errors));
    };
    let missing_json = serde_json::to_string(
        &missing
            .iter()
            .map(|d| serde_json::json!({"name": d.name, "form": d.form.as_str(), "count": d.count}))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    let folded = crate::domain::procedure::fold(&name);
    let year = to_local(now).year();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let result = write_tx(conn, |conn| {
            let office = Office::find(conn, actor.office_id)?;
            let n = sequences::next(
                conn,
                &format!("notice:{}:{}:{year}", kind.as_str(), office.id),
            )?;
            let number = format!("{n}/{year}/{}-{}", kind.suffix(), office.code);
            Ok::<_, ActionError>(CounterNotice::insert(
                conn,
                &NewCounterNotice {
                    office_id: office.id,
                    procedure_id: procedure.procedure.id,
                    kind: kind.as_str(),
                    number: &number,
                    channel: channel.as_str(),
                    applicant_name: &name,
                    applicant_folded: &folded,
                    representative: representative.as_deref(),
                    id_number: id_number.as_deref(),
                    phone: phone.as_deref(),
                    email: email.as_deref(),
                    address: address.as_deref(),
                    missing: &missing_json,
                    reason: reason.as_deref().unwrap_or(""),
                    contact_phone: contact_phone.as_deref(),
                    user_id: actor.user_id,
                    at: now,
                },
            )?)
        });
        match result {
            Err(ActionError::Failed(e)) if is_unique_violation(&e) && attempt < 5 => continue,
            other => return other,
        }
    }
}

/// Corrects the applicant's details of a dossier; the reason and what
/// changed go into its history.
pub fn correct_applicant(
    conn: &mut DbConnection,
    actor: &Actor,
    dossier_id: i64,
    version: Option<i32>,
    input: &ApplicantInput,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Dossier, ActionError> {
    let mut errors = FieldErrors::new();
    let applicant = check_applicant(input, &mut errors);
    let reason = errors
        .check(
            "reason",
            long_text(reason, Some("Nêu lý do sửa thông tin người nộp.")),
        )
        .flatten();
    if !errors.is_empty() {
        return Err(ActionError::Invalid(errors));
    }
    let (Some(a), Some(reason)) = (applicant, reason) else {
        return Err(ActionError::Invalid(errors));
    };
    write_tx(conn, |conn| {
        let d = Dossier::find(conn, dossier_id)?;
        hold(conn, &d, version, now)?;
        let mut changes = Vec::new();
        let mut diff = |label: &str, old: Option<&str>, new: Option<&str>| {
            if old.unwrap_or("") != new.unwrap_or("") {
                changes.push(format!(
                    "{label}: «{}» → «{}»",
                    old.unwrap_or(""),
                    new.unwrap_or("")
                ));
            }
        };
        diff("Người nộp", Some(&d.applicant_name), Some(&a.name));
        diff(
            "Người đại diện",
            d.representative.as_deref(),
            a.representative.as_deref(),
        );
        diff(
            "Số định danh",
            d.id_number.as_deref(),
            a.id_number.as_deref(),
        );
        diff("Điện thoại", Some(&d.phone), Some(&a.phone));
        diff("Thư điện tử", d.email.as_deref(), a.email.as_deref());
        diff("Địa chỉ", Some(&d.address), Some(&a.address));
        if changes.is_empty() && d.applicant_kind == a.kind.as_str() {
            return Err(ActionError::field(
                "full_name",
                "Thông tin mới giống thông tin đã lưu: không có gì để sửa.",
            ));
        }
        Dossier::update_applicant(
            conn,
            d.id,
            a.kind.as_str(),
            &a.name,
            &a.folded(),
            a.representative.as_deref(),
            a.id_number.as_deref(),
            &a.phone,
            a.email.as_deref(),
            &a.address,
            now,
        )?;
        let note = format!(
            "Sửa thông tin người nộp. Lý do: {reason}. {}",
            changes.join("; ")
        );
        Dossier::add_event(
            conn,
            d.id,
            now,
            actor.user_id,
            "correct_applicant",
            Some(&d.status),
            &d.status,
            &note,
        )?;
        Ok(Dossier::find(conn, d.id)?)
    })
}

/// Refuses a voided dossier or one changed since `version` (409), and holds
/// its row for the rest of the transaction.
fn hold(
    conn: &mut DbConnection,
    d: &Dossier,
    version: Option<i32>,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    const STALE: &str = "Hồ sơ vừa được người khác cập nhật. Xem lại hồ sơ rồi thao tác tiếp.";
    if d.voided {
        return Err(AppError::Conflict("Hồ sơ đã bị hủy do nhập nhầm.".into()).into());
    }
    let version = version.unwrap_or(d.version);
    if version != d.version || !Dossier::claim(conn, d.id, version, now)? {
        return Err(AppError::Conflict(STALE.into()).into());
    }
    Ok(())
}

/// Voids a dossier entered by mistake: it stays, with its code, marked void.
pub fn void(
    conn: &mut DbConnection,
    actor: &Actor,
    dossier_id: i64,
    version: Option<i32>,
    reason: &str,
    now: NaiveDateTime,
) -> Result<Dossier, ActionError> {
    let reason = match long_text(reason, Some("Nêu lý do hủy hồ sơ nhập nhầm.")) {
        Ok(Some(r)) => r,
        Ok(None) => {
            return Err(ActionError::field(
                "reason",
                "Nêu lý do hủy hồ sơ nhập nhầm.",
            ))
        }
        Err(e) => return Err(ActionError::field("reason", e)),
    };
    write_tx(conn, |conn| {
        let d = Dossier::find(conn, dossier_id)?;
        hold(conn, &d, version, now)?;
        Dossier::void(conn, d.id, &reason, now)?;
        Dossier::add_event(
            conn,
            d.id,
            now,
            actor.user_id,
            "void",
            Some(&d.status),
            &d.status,
            &format!("Hủy hồ sơ nhập nhầm (giữ nguyên mã). Lý do: {reason}"),
        )?;
        Ok(Dossier::find(conn, d.id)?)
    })
}

/// The local calendar day of a UTC time.
pub fn local_day(utc: NaiveDateTime) -> NaiveDate {
    utc.and_utc().with_timezone(&vietnam()).date_naive()
}

/// The next code of `office` for `day`, from the day's gapless counter (keyed
/// by the day as the code prints it). A code already taken (a dossier of an
/// older version of the counter, or entered by hand) is skipped, never a
/// failed reception; a counter that never ran starts after the highest code
/// of that day already in the register.
fn next_free_code(
    conn: &mut DbConnection,
    office_id: i64,
    office_code: &OfficeCode,
    day: NaiveDate,
) -> Result<String, ActionError> {
    let key = code_counter_key(office_id, day);
    let mut seq = sequences::next(conn, &key)?;
    if seq == 1 {
        // The counter has just started: after the day's highest code.
        let prefix = format!("{office_code}-{}-", day.format("%y%m%d"));
        let highest = Dossier::highest_sequence_with_prefix(conn, &prefix)?;
        if highest > 0 {
            seq = highest + 1;
            sequences::set(conn, &key, seq)?;
        }
    }
    loop {
        let n = u32::try_from(seq)
            .map_err(|_| AppError::Internal(format!("counter {key} overflow")))?;
        let code = DossierCode::new(office_code.clone(), day, n)
            .map_err(|e| ActionError::field("received_at", e))?
            .to_string();
        if !Dossier::code_taken(conn, &code)? {
            return Ok(code);
        }
        tracing::warn!(counter = %key, "dossier code already taken, skipped");
        seq = sequences::next(conn, &key)?;
    }
}
