//! Processing use cases: every action of the transition table on a dossier,
//! each in one transaction with its history entry, an optimistic version
//! check, and the clock kept right (supplements stop and restart it,
//! extensions move it once).

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::db::dossiers::{Dossier, DossierChanges};
use crate::db::offices::Office;
use crate::db::supplements::Supplement;
use crate::db::users::User;
use crate::db::{write_tx, DbConnection};
use crate::domain::calendar::Calendar;
use crate::domain::deadline::compute;
use crate::domain::dossier::Status;
use crate::domain::fields::FieldErrors;
use crate::domain::reception::{long_text, text, DocumentLine, NAME_MAX};
use crate::domain::time::{format_date, to_local};
use crate::domain::workflow::{self, Action, Refusal};
use crate::domain::Role;
use crate::error::AppError;
use crate::services::reception::{deadline_columns, DocumentInput};
use crate::services::Actor;

/// An action as asked, fields as typed (dates already parsed by the caller,
/// which reports malformed ones itself).
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub action: String,
    pub version: Option<i64>,
    pub officer: String,
    pub missing: Vec<DocumentInput>,
    pub note: String,
    pub result_number: String,
    pub result_date: Option<NaiveDate>,
    pub result_signer: String,
    pub result_summary: String,
    pub reason: String,
    pub new_due_date: Option<NaiveDate>,
    pub tracking_number: String,
    pub recipient_name: String,
    pub recipient_id_number: String,
    /// UTC.
    pub at: Option<NaiveDateTime>,
    /// The authorisation the recipient showed, when not the applicant.
    pub authorisation: String,
    /// Postage the citizen paid, in đồng.
    pub postage: Option<i64>,
    /// The handover list to the postal worker (set by the shipment use case).
    pub shipment_id: Option<i64>,
}

/// Why an action was not taken.
#[derive(Debug)]
pub enum ActError {
    /// 422: a field is wrong.
    Invalid(FieldErrors),
    /// 409: someone changed the dossier since the version the user saw.
    Stale(String),
    /// 409: not possible in the dossier's state.
    WrongState(String),
    /// 403: this user may not.
    Forbidden(String),
    Failed(AppError),
}

impl From<AppError> for ActError {
    fn from(e: AppError) -> Self {
        ActError::Failed(e)
    }
}

impl From<diesel::result::Error> for ActError {
    fn from(e: diesel::result::Error) -> Self {
        ActError::Failed(AppError::Db(e))
    }
}

fn invalid(field: &str, message: impl Into<String>) -> ActError {
    let mut e = FieldErrors::new();
    e.add(field, message);
    ActError::Invalid(e)
}

/// The working day before `day`.
fn previous_working_day(cal: &Calendar, day: NaiveDate) -> NaiveDate {
    let mut d = day;
    for _ in 0..60 {
        d -= Duration::days(1);
        if cal.day_off_reason(d).is_none() {
            return d;
        }
    }
    d
}

/// What the action will write, checked before the transaction.
enum Plan {
    Assign {
        officer: String,
        note: String,
    },
    RequestSupplement {
        missing: Vec<DocumentLine>,
        note: String,
    },
    ReceiveSupplement {
        note: String,
    },
    Submit {
        number: String,
        date: NaiveDate,
        signer: String,
        summary: String,
    },
    SendBack {
        note: String,
    },
    Approve {
        note: String,
    },
    Refuse {
        reason: String,
    },
    Extend {
        new_due: NaiveDate,
        reason: String,
    },
    Withdraw {
        reason: String,
    },
    DeliverAtCounter {
        recipient: String,
        id_number: String,
        authorisation: String,
    },
    ShipByPost {
        tracking: String,
        postage: Option<i64>,
        shipment_id: Option<i64>,
    },
    PostalDelivered {
        at: Option<NaiveDateTime>,
    },
    PostalUndelivered {
        reason: String,
    },
    Online,
}

fn plan(action: Action, input: &ActionInput, today: NaiveDate) -> Result<Plan, ActError> {
    let mut e = FieldErrors::new();
    let note = e
        .check("note", long_text(&input.note, None))
        .flatten()
        .unwrap_or_default();
    let reason_required = |e: &mut FieldErrors, message: &str| {
        e.check("reason", long_text(&input.reason, Some(message)))
            .flatten()
            .unwrap_or_default()
    };
    let plan = match action {
        Action::Assign => {
            if input.officer.trim().is_empty() {
                e.add("officer", "Chọn cán bộ xử lý.");
            }
            Plan::Assign {
                officer: input.officer.trim().to_string(),
                note,
            }
        }
        Action::RequestSupplement
            if input.missing.len() > crate::domain::reception::MAX_DOCUMENT_LINES =>
        {
            e.add("missing", crate::domain::reception::too_many_documents());
            Plan::RequestSupplement {
                missing: Vec::new(),
                note,
            }
        }
        Action::RequestSupplement => {
            let missing: Vec<DocumentLine> = input
                .missing
                .iter()
                .enumerate()
                .filter(|(_, l)| !(l.name.trim().is_empty() && l.form.trim().is_empty()))
                .filter_map(|(i, l)| {
                    crate::domain::reception::check_document(
                        &l.name,
                        &l.form,
                        &l.count,
                        &format!("missing.{i}"),
                        &mut e,
                    )
                })
                .collect();
            if missing.is_empty() && e.is_empty() {
                e.add(
                    "missing",
                    "Liệt kê đầy đủ một lần các giấy tờ cần bổ sung, hoàn thiện.",
                );
            }
            Plan::RequestSupplement { missing, note }
        }
        Action::ReceiveSupplement => Plan::ReceiveSupplement { note },
        Action::SubmitForApproval => {
            let number = e
                .check(
                    "result.number",
                    text(
                        &input.result_number,
                        NAME_MAX,
                        Some("Nhập số văn bản kết quả."),
                    ),
                )
                .flatten()
                .unwrap_or_default();
            let signer = e
                .check(
                    "result.signer",
                    text(
                        &input.result_signer,
                        NAME_MAX,
                        Some("Nhập người ký văn bản kết quả."),
                    ),
                )
                .flatten()
                .unwrap_or_default();
            let summary = e
                .check("result.summary", long_text(&input.result_summary, None))
                .flatten()
                .unwrap_or_default();
            let date = match input.result_date {
                None => {
                    e.add("result.date", "Nhập ngày của văn bản kết quả.");
                    today
                }
                Some(d) if d > today => {
                    e.add("result.date", "Ngày văn bản kết quả không thể sau hôm nay.");
                    d
                }
                Some(d) => d,
            };
            Plan::Submit {
                number,
                date,
                signer,
                summary,
            }
        }
        Action::SendBack => {
            let note = e
                .check(
                    "note",
                    long_text(&input.note, Some("Ghi rõ nội dung cần xử lý lại.")),
                )
                .flatten()
                .unwrap_or_default();
            Plan::SendBack { note }
        }
        Action::Approve => Plan::Approve { note },
        Action::Refuse => Plan::Refuse {
            reason: reason_required(&mut e, "Nêu rõ lý do từ chối giải quyết."),
        },
        Action::Extend => {
            let reason = reason_required(&mut e, "Nêu lý do chậm trả kết quả.");
            let new_due = match input.new_due_date {
                Some(d) => d,
                None => {
                    e.add("new_due_date", "Chọn ngày hẹn trả mới.");
                    today
                }
            };
            Plan::Extend { new_due, reason }
        }
        Action::Withdraw => Plan::Withdraw {
            reason: reason_required(&mut e, "Ghi lý do người nộp rút hồ sơ."),
        },
        Action::DeliverAtCounter => {
            let recipient = e
                .check(
                    "recipient_name",
                    text(
                        &input.recipient_name,
                        NAME_MAX,
                        Some("Nhập họ tên người nhận kết quả."),
                    ),
                )
                .flatten()
                .unwrap_or_default();
            let id_number = e
                .check(
                    "recipient_id_number",
                    text(
                        &input.recipient_id_number,
                        50,
                        Some("Nhập số giấy tờ tùy thân của người nhận."),
                    ),
                )
                .flatten()
                .unwrap_or_default();
            let authorisation = e
                .check("authorisation", long_text(&input.authorisation, None))
                .flatten()
                .unwrap_or_default();
            Plan::DeliverAtCounter {
                recipient,
                id_number,
                authorisation,
            }
        }
        Action::ShipByPost => {
            if input
                .postage
                .is_some_and(|p| !(0..=100_000_000).contains(&p))
            {
                e.add("postage", "Cước phí là số đồng không âm.");
            }
            Plan::ShipByPost {
                tracking: e
                    .check(
                        "tracking_number",
                        text(&input.tracking_number, 50, Some("Nhập số hiệu bưu gửi.")),
                    )
                    .flatten()
                    .unwrap_or_default(),
                postage: input.postage,
                shipment_id: input.shipment_id,
            }
        }
        Action::PostalDelivered => Plan::PostalDelivered { at: input.at },
        Action::PostalUndelivered => Plan::PostalUndelivered {
            reason: reason_required(&mut e, "Ghi lý do bưu chính phát không thành công."),
        },
        Action::AcceptOnline | Action::RejectOnline => Plan::Online,
    };
    if e.is_empty() {
        Ok(plan)
    } else {
        Err(ActError::Invalid(e))
    }
}

fn state_message(status: Status, action: Action) -> String {
    format!(
        "Không thể “{}” khi hồ sơ đang ở trạng thái “{}”.",
        action.label(),
        status.label()
    )
}

/// Takes `input.action` on the dossier `dossier_id` (already known to be
/// visible to the actor) and gives back the dossier after it.
pub fn act(
    conn: &mut DbConnection,
    cal: &Calendar,
    actor: &Actor,
    dossier_id: i64,
    input: &ActionInput,
    now: NaiveDateTime,
) -> Result<Dossier, ActError> {
    let Some(action) = Action::parse(input.action.trim()) else {
        return Err(invalid(
            "action",
            "Thao tác không có trong bảng chuyển trạng thái (DOMAIN.md).",
        ));
    };
    let today = to_local(now).date_naive();
    // A role that could never take this action is told so before anything else.
    if !workflow::may(actor.role, true, action) {
        return Err(ActError::Forbidden(format!(
            "Vai trò của bạn không được “{}”.",
            action.label()
        )));
    }
    let Some(version) = input.version else {
        return Err(invalid(
            "version",
            "Thiếu số phiên bản (version) của hồ sơ.",
        ));
    };
    let plan = plan(action, input, today)?;
    write_tx(conn, |conn| {
        let d = Dossier::find(conn, dossier_id)?;
        let status = Status::parse(&d.status).unwrap_or(Status::Received);
        let is_assignee = d.assignee_id == Some(actor.user_id);
        if !workflow::may(actor.role, is_assignee, action) {
            return Err(ActError::Forbidden(
                match workflow::transition(action).who {
                    workflow::Who::Assignee
                    | workflow::Who::AssigneeOrLeader
                    | workflow::Who::ReceptionOrAssignee
                        if actor.role == Role::Officer =>
                    {
                        "Hồ sơ này không được phân công cho bạn.".to_string()
                    }
                    _ => format!("Vai trò của bạn không được “{}”.", action.label()),
                },
            ));
        }
        if i64::from(d.version) != version {
            return Err(ActError::Stale(format!(
                "Hồ sơ vừa được người khác cập nhật (hiện ở trạng thái “{}”). Xem lại hồ sơ rồi thao tác tiếp.",
                status.label()
            )));
        }
        if d.voided {
            return Err(ActError::WrongState("Hồ sơ đã bị hủy do nhập nhầm.".into()));
        }
        // Hold the row from here on: whatever this action writes, a second
        // one on the same version waits, then finds the version changed.
        if !Dossier::claim(conn, d.id, d.version, now)? {
            return Err(ActError::Stale(
                "Hồ sơ vừa được người khác cập nhật. Xem lại hồ sơ rồi thao tác tiếp.".into(),
            ));
        }
        let to = match workflow::next(status, action) {
            Ok(to) => to,
            Err(Refusal::WrongState) | Err(Refusal::NotAllowed) => {
                return Err(ActError::WrongState(state_message(status, action)))
            }
        };
        let mut changes = DossierChanges {
            status: Some(to.as_str().to_string()),
            ..DossierChanges::default()
        };
        let mut assignee_after = d.assignee_id;
        let note = match &plan {
            Plan::Assign { officer, note } => {
                // One answer for an unknown name, another office's user or
                // one who may not process: nothing about other users leaks.
                let user = match User::find_by_username(conn, officer)? {
                    Some(u)
                        if u.active
                            && u.role() == Some(Role::Officer)
                            && Office::subtree_ids(conn, u.office_id)?.contains(&d.office_id) =>
                    {
                        u
                    }
                    _ => {
                        return Err(invalid(
                            "officer",
                            "Không có chuyên viên xử lý đang hoạt động với tên đăng nhập này \
                             trong đơn vị giải quyết hồ sơ.",
                        ))
                    }
                };
                if d.assignee_id == Some(user.id) {
                    return Err(invalid(
                        "officer",
                        format!("Hồ sơ đã được phân công cho {}.", user.full_name),
                    ));
                }
                changes.assignee_id = Some(Some(user.id));
                assignee_after = Some(user.id);
                let verb = if d.assignee_id.is_some() {
                    "Phân công lại"
                } else {
                    "Phân công"
                };
                join(
                    format!("{verb} cho {} ({})", user.full_name, user.username),
                    note,
                )
            }
            Plan::RequestSupplement { missing, note } => {
                let number = d.supplement_requests + 1;
                // Due within 3 working days of the clock's start.
                let started = crate::services::reception::local_day(d.received_at);
                let limit = compute(cal, to_local(d.received_at).naive_local(), 3)
                    .map(|x| x.due_date)
                    .unwrap_or(started);
                let late = number == 1 && today > limit;
                changes.due_date = Some(None);
                changes.supplement_requests = Some(number);
                if late {
                    changes.late_supplement = Some(true);
                }
                let missing_json = serde_json::to_string(
                    &missing
                        .iter()
                        .map(|m| serde_json::json!({"name": m.name, "form": m.form.as_str(), "count": m.count}))
                        .collect::<Vec<_>>(),
                )
                .unwrap_or_else(|_| "[]".into());
                Supplement::insert(
                    conn,
                    d.id,
                    number,
                    now,
                    actor.user_id,
                    &missing_json,
                    note,
                    late,
                )?;
                let mut text = format!(
                    "Yêu cầu bổ sung lần {number}: {}",
                    missing
                        .iter()
                        .map(|m| m.name.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                );
                if late {
                    text.push_str(&format!(
                        " (yêu cầu muộn: quá 3 ngày làm việc kể từ khi tiếp nhận, hạn {})",
                        format_date(limit)
                    ));
                }
                if number > 1 {
                    text.push_str(" (yêu cầu bổ sung lần thứ hai trở lên: hồ sơ tính là trễ hạn)");
                }
                join(text, note)
            }
            Plan::ReceiveSupplement { note } => {
                let n = d.working_days.max(0) as u32;
                let deadline = compute(cal, to_local(now).naive_local(), n)
                    .map_err(|e| invalid("action", e.to_string()))?;
                changes.effective_day = Some(deadline.effective_receiving_day);
                // An apology's date already given to the citizen stands if later.
                let extended_to = if d.extended {
                    Dossier::deadlines(conn, d.id)?
                        .iter()
                        .rev()
                        .find(|r| r.cause == "extend")
                        .map(|r| r.due_date)
                } else {
                    None
                };
                let due = extended_to.map_or(deadline.due_date, |e| e.max(deadline.due_date));
                changes.due_date = Some(Some(due));
                if !d.extended {
                    changes.original_due_date = Some(Some(deadline.due_date));
                }
                Supplement::mark_received(conn, d.id, d.supplement_requests, now, actor.user_id)?;
                let (counted, skipped) = deadline_columns(&deadline);
                Dossier::add_deadline(
                    conn,
                    d.id,
                    now,
                    actor.user_id,
                    "supplement",
                    now,
                    n as i32,
                    deadline.effective_receiving_day,
                    deadline.due_date,
                    &counted,
                    &skipped,
                )?;
                join(
                    format!(
                        "Nhận đủ hồ sơ bổ sung; thời hạn {} ngày làm việc tính lại từ đầu, hẹn trả {}",
                        n,
                        format_date(due)
                    ),
                    note,
                )
            }
            Plan::Submit {
                number,
                date,
                signer,
                summary,
            } => {
                changes.result_number = Some(Some(number.clone()));
                changes.result_date = Some(Some(*date));
                changes.result_signer = Some(Some(signer.clone()));
                changes.result_summary = Some(Some(summary.clone()).filter(|s| !s.is_empty()));
                let mut t = format!(
                    "Kết quả: văn bản số {number} ngày {}, người ký {signer}",
                    format_date(*date)
                );
                if !summary.is_empty() {
                    t.push_str(&format!(". {summary}"));
                }
                t
            }
            Plan::SendBack { note } => format!("Trả lại: {note}"),
            Plan::Approve { note } => {
                changes.outcome = Some(Some("granted".into()));
                changes.decided_at = Some(Some(now));
                changes.timeliness = Some(decided(&d, now));
                join("Phê duyệt kết quả giải quyết".into(), note)
            }
            Plan::Refuse { reason } => {
                changes.outcome = Some(Some("refused".into()));
                changes.decided_at = Some(Some(now));
                changes.timeliness = Some(decided(&d, now));
                changes.closing_reason = Some(Some(reason.clone()));
                // The refusal letter is the result, not a drafted grant.
                changes.result_number = Some(None);
                changes.result_date = Some(None);
                changes.result_signer = Some(None);
                changes.result_summary = Some(Some(reason.clone()));
                format!("Từ chối giải quyết. Lý do: {reason}")
            }
            Plan::Extend { new_due, reason } => {
                if d.extended {
                    return Err(ActError::WrongState(
                        "Hồ sơ đã được hẹn lại một lần; chỉ được hẹn lại một lần.".into(),
                    ));
                }
                let Some(due) = d.due_date else {
                    return Err(ActError::WrongState(
                        "Hồ sơ đang chờ bổ sung nên chưa có hạn để hẹn lại.".into(),
                    ));
                };
                if *new_due <= due {
                    return Err(invalid(
                        "new_due_date",
                        format!("Ngày hẹn mới phải sau ngày hẹn cũ {}.", format_date(due)),
                    ));
                }
                if *new_due > due + Duration::days(366) {
                    return Err(invalid(
                        "new_due_date",
                        "Ngày hẹn mới không quá một năm sau ngày hẹn cũ.",
                    ));
                }
                if let Some(r) = cal.day_off_reason(*new_due) {
                    return Err(invalid(
                        "new_due_date",
                        format!("Ngày hẹn mới rơi vào ngày nghỉ: {r}. Chọn một ngày làm việc."),
                    ));
                }
                let last = previous_working_day(cal, due);
                if today > last {
                    return Err(invalid(
                        "new_due_date",
                        format!(
                            "Phiếu xin lỗi phải lập chậm nhất 01 ngày làm việc trước hạn ({}), tức là trước hết ngày {}.",
                            format_date(due),
                            format_date(last)
                        ),
                    ));
                }
                changes.due_date = Some(Some(*new_due));
                changes.extended = Some(true);
                changes.extension_reason = Some(Some(reason.clone()));
                changes.extended_at = Some(Some(now));
                Dossier::add_deadline(
                    conn,
                    d.id,
                    now,
                    actor.user_id,
                    "extend",
                    now,
                    d.working_days,
                    d.effective_day,
                    *new_due,
                    "",
                    "[]",
                )?;
                format!(
                    "Xin lỗi và hẹn lại ngày trả: từ {} sang {}. Lý do: {reason}",
                    format_date(due),
                    format_date(*new_due)
                )
            }
            Plan::Withdraw { reason } => {
                changes.closing_reason = Some(Some(reason.clone()));
                changes.withdrawn_at = Some(Some(now));
                format!("Người nộp rút hồ sơ; đã trả lại bản chính. Lý do: {reason}")
            }
            Plan::DeliverAtCounter {
                recipient,
                id_number,
                authorisation,
            } => {
                // Someone other than the applicant (or the organisation's
                // representative) needs an authorisation.
                let fold = crate::domain::procedure::fold;
                let same_name = fold(recipient) == fold(&d.applicant_name)
                    || d.representative
                        .as_deref()
                        .is_some_and(|r| fold(r) == fold(recipient));
                let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
                let same_id = d
                    .id_number
                    .as_deref()
                    .is_none_or(|known| digits(known) == digits(id_number));
                let is_applicant = same_name && same_id;
                if !is_applicant && authorisation.is_empty() {
                    return Err(invalid(
                        "authorisation",
                        "Người nhận không phải người nộp hồ sơ: ghi giấy ủy quyền (số, ngày, nơi chứng thực).",
                    ));
                }
                changes.delivered_at = Some(Some(now));
                changes.recipient_name = Some(Some(recipient.clone()));
                changes.recipient_id_number = Some(Some(id_number.clone()));
                changes.recipient_authorisation =
                    Some(Some(authorisation.clone()).filter(|a| !a.is_empty()));
                let mut t = format!(
                    "Trả kết quả tại bộ phận một cửa cho {recipient} (giấy tờ số {id_number})"
                );
                if !authorisation.is_empty() {
                    t.push_str(&format!(", theo ủy quyền: {authorisation}"));
                }
                t
            }
            Plan::ShipByPost {
                tracking,
                postage,
                shipment_id,
            } => {
                if d.postal_address.is_none() {
                    return Err(invalid(
                        "tracking_number",
                        "Hồ sơ chưa có địa chỉ nhận kết quả qua bưu chính.",
                    ));
                }
                if let Some(other) = Dossier::in_transit_by_tracking(conn, tracking, &[])?
                    .into_iter()
                    .find(|o| o.id != d.id)
                {
                    // Another office's dossier is not named.
                    let message = if other.office_id == d.office_id {
                        format!(
                            "Số hiệu {tracking} đang dùng cho hồ sơ {} đang chuyển phát.",
                            other.code
                        )
                    } else {
                        format!(
                            "Số hiệu {tracking} đang dùng cho một bưu gửi khác đang chuyển phát."
                        )
                    };
                    return Err(invalid("tracking_number", message));
                }
                changes.tracking_number = Some(Some(tracking.clone()));
                changes.postage = Some(*postage);
                changes.shipment_id = Some(*shipment_id);
                if let Some(s) = shipment_id {
                    crate::db::postal::ShipmentLine::insert(
                        conn,
                        *s,
                        d.id,
                        &d.code,
                        &d.applicant_name,
                        d.postal_address.as_deref().unwrap_or(""),
                        tracking,
                        *postage,
                    )?;
                }
                let mut t = format!(
                    "Gửi kết quả qua bưu chính đến {}, số hiệu {tracking}",
                    d.postal_address.clone().unwrap_or_default()
                );
                if let Some(p) = postage {
                    t.push_str(&format!(
                        ", cước {}",
                        crate::domain::reception::format_amount(*p)
                    ));
                }
                t
            }
            Plan::PostalDelivered { at } => {
                let when = at.unwrap_or(now);
                if when > now + Duration::minutes(2) {
                    return Err(invalid("at", "Thời điểm phát không thể ở tương lai."));
                }
                if when < d.decided_at.unwrap_or(d.received_at) {
                    return Err(invalid(
                        "at",
                        "Thời điểm phát không thể trước khi có kết quả giải quyết.",
                    ));
                }
                changes.delivered_at = Some(Some(when));
                format!(
                    "Bưu chính đã phát kết quả (số hiệu {}) lúc {}",
                    d.tracking_number.clone().unwrap_or_default(),
                    crate::domain::time::format_datetime(when)
                )
            }
            Plan::PostalUndelivered { reason } => {
                changes.postal_returns = Some(d.postal_returns + 1);
                changes.tracking_number = Some(None);
                changes.shipment_id = Some(None);
                format!(
                    "Bưu chính phát không thành công (số hiệu {}), kết quả về lại bộ phận một cửa chờ nhận. Lý do: {reason}",
                    d.tracking_number.clone().unwrap_or_default()
                )
            }
            Plan::Online => String::new(),
        };
        if !Dossier::apply(conn, d.id, d.version, &changes, now)? {
            return Err(ActError::Stale(
                "Hồ sơ vừa được người khác cập nhật. Xem lại hồ sơ rồi thao tác tiếp.".into(),
            ));
        }
        Dossier::add_event_with(
            conn,
            d.id,
            now,
            actor.user_id,
            action.as_str(),
            Some(status.as_str()),
            to.as_str(),
            &note,
            d.due_date,
            assignee_after,
        )?;
        super::notifications::enqueue(conn, d.id, action.as_str(), d.due_date, now)?;
        Ok(Dossier::find(conn, d.id)?)
    })
}

fn join(head: String, note: &str) -> String {
    if note.is_empty() {
        head
    } else {
        format!("{head}. {note}")
    }
}

/// Recomputes the due dates of open dossiers after a calendar correction:
/// a later date is applied and recorded; never an earlier one (DOMAIN.md).
pub fn recompute_open(
    conn: &mut DbConnection,
    cal: &Calendar,
    user_id: i64,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let mut changed = 0;
    for first in Dossier::open_with_due_date(conn)? {
        // An action racing on the same dossier: read it again and retry.
        for _ in 0..5 {
            let fresh = Dossier::find(conn, first.id)?;
            match recompute_one(conn, cal, user_id, now, fresh)? {
                Some(moved) => {
                    changed += usize::from(moved);
                    break;
                }
                None => continue,
            }
        }
    }
    Ok(changed)
}

/// `Some(moved)` when done, `None` when the dossier changed under us.
fn recompute_one(
    conn: &mut DbConnection,
    cal: &Calendar,
    user_id: i64,
    now: NaiveDateTime,
    d: Dossier,
) -> Result<Option<bool>, AppError> {
    {
        let open = Status::parse(&d.status).is_some_and(Status::is_open);
        if d.extended || d.voided || !open {
            return Ok(Some(false));
        }
        let Some(current) = d.due_date else {
            return Ok(Some(false));
        };
        let records = Dossier::deadlines(conn, d.id)?;
        let Some(last) = records
            .iter()
            .rev()
            .find(|r| r.cause != "extend" && r.cause != "calendar")
            .or(records.last())
        else {
            return Ok(Some(false));
        };
        let printed = records
            .iter()
            .rev()
            .find(|r| r.cause == "receive" || r.cause == "supplement")
            .map(|r| r.due_date)
            .unwrap_or(current);
        let clock = crate::domain::deadline::OpenClock {
            started_at: to_local(last.basis_at).naive_local(),
            working_days: d.working_days.max(0) as u32,
            current_due: current,
            printed_due: printed,
            extended: d.extended,
        };
        let Ok(Some(new_due)) = crate::domain::deadline::recompute(cal, &clock) else {
            return Ok(Some(false));
        };
        let deadline = compute(cal, clock.started_at, clock.working_days)
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let changes = DossierChanges {
            due_date: Some(Some(new_due)),
            ..DossierChanges::default()
        };
        if !Dossier::apply(conn, d.id, d.version, &changes, now)? {
            return Ok(None);
        }
        let (counted, skipped) = deadline_columns(&deadline);
        Dossier::add_deadline(
            conn,
            d.id,
            now,
            user_id,
            "calendar",
            last.basis_at,
            d.working_days,
            deadline.effective_receiving_day,
            new_due,
            &counted,
            &skipped,
        )?;
        Dossier::add_event_with(
            conn,
            d.id,
            now,
            user_id,
            "recompute",
            Some(&d.status),
            &d.status,
            &format!(
                "Lịch nghỉ được điều chỉnh: hạn trả chuyển từ {} sang {}",
                format_date(current),
                format_date(new_due)
            ),
            Some(current),
            d.assignee_id,
        )?;
        super::notifications::enqueue(conn, d.id, "recompute", Some(current), now)?;
        Ok(Some(true))
    }
}

/// The timeliness fixed when the result of `d` is decided at `now`.
fn decided(d: &Dossier, now: NaiveDateTime) -> Option<String> {
    d.due_date.map(|due| {
        crate::domain::dossier::decided_timeliness(now, due, d.extended, d.supplement_requests)
            .as_str()
            .to_string()
    })
}
