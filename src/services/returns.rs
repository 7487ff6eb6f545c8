//! Returning results: the citizen's rating, postal intake records, handover
//! lists to the postal worker, and delivery outcomes imported from the
//! postal operator's CSV (all or nothing).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use crate::db::dossiers::Dossier;
use crate::db::postal::{PostalIntake, Shipment};
use crate::db::ratings::{NewRating, Rating};
use crate::db::{audit, is_unique_violation, sequences, write_tx, DbConnection};
use crate::domain::calendar::Calendar;
use crate::domain::dossier::Status;
use crate::domain::fields::FieldErrors;
use crate::domain::procedure::fold;
use crate::domain::reception::{long_text, text, NAME_MAX};
use crate::domain::time::to_local;
use crate::error::ActionError;
use crate::error::AppError;
use crate::services::processing::{act, ActError, ActionInput};
use crate::services::Actor;

/// The three answers of the satisfaction question.
pub const LEVELS: [(&str, &str); 3] = [
    ("very_satisfied", "Rất hài lòng"),
    ("satisfied", "Hài lòng"),
    ("dissatisfied", "Không hài lòng"),
];

pub fn level_label(level: &str) -> &'static str {
    LEVELS
        .iter()
        .find(|(v, _)| *v == level)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// Records the citizen's rating of a delivered dossier, once.
pub fn rate(
    conn: &mut DbConnection,
    actor: &Actor,
    dossier_id: i64,
    level: &str,
    comment: &str,
    now: NaiveDateTime,
) -> Result<(), ActionError> {
    if level_label(level).is_empty() {
        return Err(ActionError::field("level", "Chọn mức độ hài lòng."));
    }
    let comment = long_text(comment, None)
        .map_err(|e| ActionError::field("comment", e))?
        .unwrap_or_default();
    write_tx(conn, |conn| {
        let d = Dossier::find(conn, dossier_id)?;
        if Status::parse(&d.status) != Some(Status::Delivered) {
            return Err(ActionError::field(
                "level",
                "Chỉ đánh giá khi đã nhận kết quả.",
            ));
        }
        if Rating::of_dossier(conn, d.id)?.is_some() {
            return Err(ActionError::field("level", "Hồ sơ này đã được đánh giá."));
        }
        Rating::insert(
            conn,
            &NewRating {
                dossier_id: d.id,
                office_id: d.office_id,
                procedure_id: d.procedure_id,
                officer_id: d.assignee_id,
                level,
                comment: &comment,
                at: now,
                recorded_by: actor.user_id,
            },
        )?;
        Ok(())
    })
    .map_err(|e| match e {
        ActionError::Failed(e) if is_unique_violation(&e) => {
            ActionError::field("level", "Hồ sơ này đã được đánh giá.")
        }
        other => other,
    })
}

/// Records a handover record of dossiers received from the postal worker;
/// the dossiers are then received under it, at its signing time.
pub fn open_intake(
    conn: &mut DbConnection,
    actor: &Actor,
    record_number: &str,
    signed_at: Option<NaiveDateTime>,
    postal_worker: &str,
    now: NaiveDateTime,
) -> Result<PostalIntake, ActionError> {
    let mut e = FieldErrors::new();
    let number = e
        .check(
            "record_number",
            text(record_number, 50, Some("Nhập số biên bản giao nhận.")),
        )
        .flatten();
    let worker = e
        .check(
            "postal_worker",
            text(
                postal_worker,
                NAME_MAX,
                Some("Nhập họ tên nhân viên bưu chính."),
            ),
        )
        .flatten();
    let signed_at = match signed_at {
        None => {
            e.add(
                "signed_at",
                "Nhập thời điểm ký biên bản, ví dụ 25/11/2026 09:30.",
            );
            None
        }
        Some(t) if t > now + chrono::Duration::minutes(2) => {
            e.add("signed_at", "Thời điểm ký biên bản không thể ở tương lai.");
            None
        }
        Some(t) => Some(t),
    };
    let (Some(number), Some(worker), Some(signed_at)) = (number, worker, signed_at) else {
        return Err(ActionError::Invalid(e));
    };
    write_tx(conn, |conn| {
        if PostalIntake::find_by_number(conn, actor.office_id, &number)?.is_some() {
            return Err(ActionError::field(
                "record_number",
                format!("Biên bản số {number} đã được ghi nhận."),
            ));
        }
        let intake = PostalIntake::insert(
            conn,
            actor.office_id,
            &number,
            signed_at,
            &worker,
            actor.user_id,
            now,
        )?;
        audit::record(
            conn,
            now,
            &actor.username,
            "postal.intake",
            &number,
            &format!(
                "Biên bản giao nhận bưu chính số {number}, ký lúc {}, nhân viên bưu chính {worker}",
                crate::domain::time::format_datetime(signed_at)
            ),
        )?;
        Ok(intake)
    })
    .map_err(|e| match e {
        ActionError::Failed(e) if is_unique_violation(&e) => ActionError::field(
            "record_number",
            format!("Biên bản số {} đã được ghi nhận.", record_number.trim()),
        ),
        other => other,
    })
}

/// One result to hand to the postal worker.
#[derive(Debug, Clone)]
pub struct ShipLine {
    pub dossier_id: i64,
    pub version: i64,
    pub code: String,
    pub tracking_number: String,
    pub postage: Option<i64>,
}

/// Hands results to the postal worker on one handover list: every line is
/// shipped, or none is (one transaction).
pub fn ship(
    conn: &mut DbConnection,
    cal: &Calendar,
    actor: &Actor,
    postal_worker: &str,
    lines: &[ShipLine],
    now: NaiveDateTime,
) -> Result<Shipment, Vec<String>> {
    let worker = match text(
        postal_worker,
        NAME_MAX,
        Some("Nhập họ tên nhân viên bưu chính nhận kết quả."),
    ) {
        Ok(Some(w)) => w,
        Ok(None) => return Err(vec!["Nhập họ tên nhân viên bưu chính nhận kết quả.".into()]),
        Err(m) => return Err(vec![m]),
    };
    if lines.is_empty() {
        return Err(vec!["Đánh dấu ít nhất một kết quả để gửi.".into()]);
    }
    let mut seen = std::collections::HashSet::new();
    for l in lines {
        let t = l.tracking_number.trim();
        if !t.is_empty() && !seen.insert(t.to_string()) {
            return Err(vec![format!(
                "{}: số hiệu {t} đã ghi cho một kết quả khác trong danh sách.",
                l.code
            )]);
        }
    }
    let year = to_local(now).year_ce().1;
    let result = write_tx(conn, |conn| {
        let n = sequences::next(conn, &format!("shipment:{}:{year}", actor.office_id))?;
        let office = crate::db::offices::Office::find(conn, actor.office_id)?;
        let number = format!("{n}/{year}/BBGBC-{}", office.code);
        let shipment =
            Shipment::insert(conn, actor.office_id, &number, &worker, actor.user_id, now)?;
        audit::record(
            conn,
            now,
            &actor.username,
            "postal.shipment",
            &number,
            &format!(
                "Danh sách giao bưu chính số {number}: {} kết quả, nhân viên bưu chính {worker}",
                lines.len()
            ),
        )?;
        let mut errors = Vec::new();
        for line in lines {
            let input = ActionInput {
                action: "ship_by_post".into(),
                version: Some(line.version),
                tracking_number: line.tracking_number.clone(),
                postage: line.postage,
                shipment_id: Some(shipment.id),
                ..ActionInput::default()
            };
            if let Err(e) = act(conn, cal, actor, line.dossier_id, &input, now) {
                errors.push(format!("{}: {}", line.code, describe(e)?));
            }
        }
        if errors.is_empty() {
            Ok(Ok(shipment))
        } else {
            Err(Failed::Lines(errors))
        }
    });
    match result {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) | Err(Failed::Lines(e)) => Err(e),
        Err(Failed::App(e)) => Err(system_failure(e, "shipment")),
    }
}

/// The message for a batch the database refused: the cause is logged, never shown.
fn system_failure(e: AppError, what: &str) -> Vec<String> {
    tracing::error!(error = %e, what, "batch failed");
    vec![
        "Hệ thống chưa ghi được, chưa có dòng nào được lưu. Vui lòng thử lại; nếu vẫn lỗi, báo quản trị hệ thống."
            .into(),
    ]
}

use chrono::Datelike;

/// Why a batch failed: its lines' messages, or the database.
enum Failed {
    Lines(Vec<String>),
    App(AppError),
}

impl From<AppError> for Failed {
    fn from(e: AppError) -> Self {
        Failed::App(e)
    }
}

impl From<diesel::result::Error> for Failed {
    fn from(e: diesel::result::Error) -> Self {
        Failed::App(AppError::Db(e))
    }
}

fn describe(e: ActError) -> Result<String, AppError> {
    Ok(match e {
        ActError::Invalid(f) => f
            .iter()
            .map(|(_, m)| m.to_string())
            .collect::<Vec<_>>()
            .join(" "),
        ActError::Stale(m) | ActError::WrongState(m) | ActError::Forbidden(m) => m,
        ActError::Failed(e) => return Err(e),
    })
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub delivered: usize,
    pub returned: usize,
}

/// One line of the postal operator's file, checked.
struct Outcome {
    line: usize,
    tracking: String,
    delivered: bool,
    at: Option<NaiveDateTime>,
    note: String,
}

/// The most lines one delivery file may carry.
const MAX_LINES: usize = 5_000;
/// The most line errors reported at once.
const MAX_ERRORS: usize = 100;

fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| names.contains(&h.as_str()))
}

fn parse_when(raw: &str) -> Option<NaiveDateTime> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    for f in [
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Some(t).filter(in_bounds);
        }
    }
    for f in ["%d/%m/%Y", "%Y-%m-%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return Some(d.and_time(NaiveTime::from_hms_opt(12, 0, 0).expect("noon")))
                .filter(in_bounds);
        }
    }
    None
}

/// Dates of a delivery file lie within the years any date of the product does.
fn in_bounds(t: &NaiveDateTime) -> bool {
    (crate::domain::applicant::EARLIEST_RECEPTION_YEAR..=2200).contains(&t.year())
}

/// Reads the file: a header row, then one line per item. Columns (any
/// order, Vietnamese with or without accents): số hiệu; kết quả (đã phát /
/// chuyển hoàn); ngày; ghi chú (the reason of a failed delivery).
fn read_outcomes(bytes: &[u8]) -> Result<Vec<Outcome>, Vec<String>> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| vec!["Tệp không phải văn bản UTF-8 (lưu tệp CSV dạng UTF-8).".to_string()])?;
    let text = text.trim_start_matches('\u{feff}');
    let delimiter = if text
        .lines()
        .next()
        .is_some_and(|l| l.contains(';') && !l.contains(','))
    {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| vec![format!("Không đọc được dòng tiêu đề: {e}")])?
        .iter()
        .map(|h| fold(h.trim()).replace(['_', '-'], " "))
        .collect();
    let tracking = column(
        &headers,
        &[
            "so hieu",
            "so hieu buu gui",
            "ma buu gui",
            "tracking number",
        ],
    );
    let outcome = column(&headers, &["ket qua", "trang thai", "outcome"]);
    let date = column(&headers, &["ngay", "ngay phat", "thoi gian", "date", "at"]);
    let note = column(&headers, &["ghi chu", "ly do", "reason", "note"]);
    let (Some(tracking), Some(outcome)) = (tracking, outcome) else {
        return Err(vec![
            "Dòng tiêu đề phải có cột “Số hiệu” và cột “Kết quả” (đã phát / chuyển hoàn).".into(),
        ]);
    };
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i + 2;
        if i >= MAX_LINES || errors.len() >= MAX_ERRORS {
            errors.push(format!(
                "Dừng đọc ở dòng {line}: tệp có quá {MAX_LINES} dòng hoặc quá {MAX_ERRORS} lỗi; \
                 sửa các lỗi trên hoặc chia thành nhiều tệp nhỏ hơn."
            ));
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("Dòng {line}: không đọc được ({e})."));
                continue;
            }
        };
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if record
            .iter()
            .any(|c| c.chars().any(crate::domain::text::is_control))
        {
            errors.push(format!(
                "Dòng {line}: có ký tự điều khiển không hợp lệ (ví dụ ký tự NUL)."
            ));
            continue;
        }
        let get = |c: Option<usize>| {
            c.and_then(|c| record.get(c))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let number = get(Some(tracking));
        if number.is_empty() {
            errors.push(format!("Dòng {line}: thiếu số hiệu bưu gửi."));
            continue;
        }
        let delivered = match fold(&get(Some(outcome))).as_str() {
            "da phat" | "phat thanh cong" | "delivered" | "thanh cong" => true,
            "chuyen hoan"
            | "hoan"
            | "phat khong thanh cong"
            | "khong phat duoc"
            | "returned"
            | "undelivered" => false,
            other => {
                errors.push(format!(
                    "Dòng {line}: kết quả “{other}” không rõ; ghi “đã phát” hoặc “chuyển hoàn”."
                ));
                continue;
            }
        };
        let raw_date = get(date);
        let at = match parse_when(&raw_date) {
            Some(t) => Some(crate::domain::time::local_to_utc(t)),
            None if raw_date.is_empty() => None,
            None => {
                errors.push(format!(
                    "Dòng {line}: ngày “{raw_date}” không đúng dạng ngày/tháng/năm."
                ));
                continue;
            }
        };
        let note = get(note);
        if !delivered && note.is_empty() {
            errors.push(format!(
                "Dòng {line}: ghi lý do chuyển hoàn ở cột “Ghi chú”."
            ));
            continue;
        }
        out.push(Outcome {
            line,
            tracking: number,
            delivered,
            at,
            note,
        });
    }
    if out.is_empty() && errors.is_empty() {
        errors.push("Tệp không có dòng nào sau dòng tiêu đề.".into());
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Applies every outcome of the file, or none: any line that is wrong (an
/// unknown tracking number, a dossier not in transit...) is reported and
/// nothing is recorded.
pub fn import_outcomes(
    conn: &mut DbConnection,
    cal: &Calendar,
    actor: &Actor,
    visible: &[i64],
    bytes: &[u8],
    now: NaiveDateTime,
) -> Result<ImportReport, Vec<String>> {
    let outcomes = read_outcomes(bytes)?;
    let result = write_tx(conn, |conn| {
        let mut report = ImportReport::default();
        let mut errors = Vec::new();
        for o in &outcomes {
            let mut found = Dossier::in_transit_by_tracking(conn, &o.tracking, visible)?;
            if found.len() > 1 {
                errors.push(format!(
                    "Dòng {}: số hiệu {} trùng ở nhiều hồ sơ đang chuyển phát; nhập từng hồ sơ trên trang hồ sơ.",
                    o.line, o.tracking
                ));
                continue;
            }
            let Some(d) = found.pop() else {
                errors.push(format!(
                    "Dòng {}: không có kết quả đang chuyển phát với số hiệu {}.",
                    o.line, o.tracking
                ));
                continue;
            };
            let input = ActionInput {
                action: if o.delivered {
                    "postal_delivered"
                } else {
                    "postal_undelivered"
                }
                .into(),
                version: Some(i64::from(d.version)),
                at: o.at,
                reason: o.note.clone(),
                ..ActionInput::default()
            };
            match act(conn, cal, actor, d.id, &input, now) {
                Ok(_) if o.delivered => report.delivered += 1,
                Ok(_) => report.returned += 1,
                Err(e) => errors.push(format!(
                    "Dòng {} ({}): {}",
                    o.line,
                    o.tracking,
                    describe(e)?
                )),
            }
        }
        if errors.is_empty() {
            Ok(report)
        } else {
            Err(Failed::Lines(errors))
        }
    });
    match result {
        Ok(r) => Ok(r),
        Err(Failed::Lines(e)) => Err(e),
        Err(Failed::App(e)) => Err(system_failure(e, "postal import")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_read_in_vietnamese() {
        let file = "\u{feff}Số hiệu;Kết quả;Ngày phát;Ghi chú\nEB001VN;Đã phát;26/11/2026 10:15;\nEB002VN;Chuyển hoàn;27/11/2026;Không có người nhận\n";
        let o = read_outcomes(file.as_bytes()).expect("valid");
        assert_eq!(o.len(), 2);
        assert!(o[0].delivered && !o[1].delivered);
        assert_eq!(o[1].note, "Không có người nhận");
        assert!(o[0].at.is_some());
    }

    #[test]
    fn absurd_dates_and_control_characters_are_reported_not_crashed_on() {
        for file in [
            "Số hiệu;Kết quả;Ngày phát\nEB001VN;Đã phát;01/01/-262143\n",
            "Số hiệu;Kết quả;Ngày phát\nEB001VN;Đã phát;31/12/+262142 10:00\n",
            "Số hiệu;Kết quả;Ngày phát\nEB001VN;Đã phát;01/01/1800\n",
        ] {
            let e = read_outcomes(file.as_bytes()).err().expect("refused");
            assert!(e[0].contains("không đúng dạng"), "{e:?}");
        }
        let e = read_outcomes("Số hiệu;Kết quả;Ghi chú\nEB\u{0}1;Chuyển hoàn;x\n".as_bytes())
            .err()
            .expect("refused");
        assert!(e[0].contains("ký tự điều khiển"), "{e:?}");
    }

    #[test]
    fn every_bad_line_is_reported() {
        let file = "so_hieu,ket_qua,ngay,ghi_chu\n,da phat,,\nEB3,mat,,\nEB4,da phat,31/02/2026,\nEB5,chuyen hoan,,\n";
        let errors = match read_outcomes(file.as_bytes()) {
            Err(e) => e,
            Ok(_) => panic!("must be refused"),
        };
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("Dòng 2"));
        assert!(errors[3].contains("lý do chuyển hoàn"));
        assert!(
            read_outcomes(b"a,b\n1,2\n").is_err(),
            "columns are required"
        );
    }
}
