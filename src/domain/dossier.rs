//! A dossier's states, outcome and timeliness (DOMAIN.md, "Lifecycle" and
//! "Counting a deadline").

use chrono::{NaiveDate, NaiveDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Submitted,
    NotAccepted,
    Received,
    InProgress,
    AwaitingSupplement,
    AwaitingApproval,
    ResultReady,
    InTransit,
    Delivered,
    Withdrawn,
}

impl Status {
    pub const ALL: [Status; 10] = [
        Status::Submitted,
        Status::NotAccepted,
        Status::Received,
        Status::InProgress,
        Status::AwaitingSupplement,
        Status::AwaitingApproval,
        Status::ResultReady,
        Status::InTransit,
        Status::Delivered,
        Status::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::NotAccepted => "not_accepted",
            Status::Received => "received",
            Status::InProgress => "in_progress",
            Status::AwaitingSupplement => "awaiting_supplement",
            Status::AwaitingApproval => "awaiting_approval",
            Status::ResultReady => "result_ready",
            Status::InTransit => "in_transit",
            Status::Delivered => "delivered",
            Status::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Submitted => "Mới đăng ký, chờ tiếp nhận",
            Status::NotAccepted => "Không được tiếp nhận",
            Status::Received => "Đã tiếp nhận",
            Status::InProgress => "Đang xử lý",
            Status::AwaitingSupplement => "Chờ bổ sung hồ sơ",
            Status::AwaitingApproval => "Chờ phê duyệt",
            Status::ResultReady => "Đã có kết quả, chờ trả",
            Status::InTransit => "Đang chuyển phát qua bưu điện",
            Status::Delivered => "Đã trả kết quả",
            Status::Withdrawn => "Công dân rút hồ sơ",
        }
    }

    /// Still to be decided: the clock runs (or waits for a supplement).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::Received
                | Status::InProgress
                | Status::AwaitingSupplement
                | Status::AwaitingApproval
        )
    }

    /// The citizen's next step, in a sentence (status page, confirmation).
    pub fn next_step(self) -> &'static str {
        match self {
            Status::Submitted => "Hồ sơ đang chờ cán bộ tiếp nhận kiểm tra.",
            Status::NotAccepted => "Hồ sơ không được tiếp nhận; xem lý do trong thông báo đã gửi.",
            Status::Received | Status::InProgress | Status::AwaitingApproval => {
                "Hồ sơ đang được giải quyết; kết quả được trả theo ngày hẹn."
            }
            Status::AwaitingSupplement => {
                "Cần bổ sung hồ sơ theo phiếu yêu cầu; thời hạn tính lại từ khi nhận đủ."
            }
            Status::ResultReady => "Kết quả đã có; mời nhận tại Bộ phận tiếp nhận và trả kết quả.",
            Status::InTransit => "Kết quả đang được bưu điện chuyển đến địa chỉ đã đăng ký.",
            Status::Delivered => "Kết quả đã được trao.",
            Status::Withdrawn => "Hồ sơ đã được rút theo yêu cầu của người nộp.",
        }
    }
}

/// How a decided dossier stands against its due date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeliness {
    Early,
    OnTime,
    Late,
}

impl Timeliness {
    pub fn as_str(self) -> &'static str {
        match self {
            Timeliness::Early => "early",
            Timeliness::OnTime => "on_time",
            Timeliness::Late => "late",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Timeliness::Early => "Trước hạn",
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Late => "Quá hạn",
        }
    }
}

/// Decided on `decided_on` against `due_date`; extended dossiers and those
/// with a second supplement request are late whatever the date.
pub fn timeliness(decided_on: NaiveDate, due_date: NaiveDate, late_regardless: bool) -> Timeliness {
    if late_regardless || decided_on > due_date {
        Timeliness::Late
    } else if decided_on == due_date {
        Timeliness::OnTime
    } else {
        Timeliness::Early
    }
}

/// How a dossier decided at `decided_at` (UTC) stands, judged by dates in
/// Asia/Ho_Chi_Minh: the one function the dossier page, the API, the stored
/// `timeliness` column and so the reports use.
pub fn decided_timeliness(
    decided_at: NaiveDateTime,
    due_date: NaiveDate,
    extended: bool,
    supplement_requests: i32,
) -> Timeliness {
    timeliness(
        crate::domain::time::to_local(decided_at).date_naive(),
        due_date,
        extended || supplement_requests > 1,
    )
}

/// An open dossier is overdue when today is after its due date.
pub fn is_overdue(status: Status, due_date: Option<NaiveDate>, today: NaiveDate) -> bool {
    status.is_open() && due_date.is_some_and(|d| today > d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    #[test]
    fn statuses_round_trip_with_labels() {
        for st in Status::ALL {
            assert_eq!(Status::parse(st.as_str()), Some(st));
            assert!(!st.label().is_empty());
        }
        assert_eq!(Status::parse("done"), None);
        assert_eq!(Status::Received.label(), "Đã tiếp nhận");
    }

    #[test]
    fn timeliness_compares_dates() {
        let due = d("2026-12-01");
        assert_eq!(timeliness(d("2026-11-30"), due, false), Timeliness::Early);
        assert_eq!(timeliness(due, due, false), Timeliness::OnTime);
        assert_eq!(timeliness(d("2026-12-02"), due, false), Timeliness::Late);
        assert_eq!(timeliness(d("2026-11-30"), due, true), Timeliness::Late);
    }

    #[test]
    fn due_today_is_not_yet_overdue() {
        let due = Some(d("2026-12-01"));
        assert!(!is_overdue(Status::Received, due, d("2026-12-01")));
        assert!(is_overdue(Status::InProgress, due, d("2026-12-02")));
        assert!(!is_overdue(Status::Delivered, due, d("2026-12-02")));
        assert!(!is_overdue(
            Status::AwaitingSupplement,
            None,
            d("2026-12-02")
        ));
    }
}
