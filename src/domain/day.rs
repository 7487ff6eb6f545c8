//! A day of a holiday schedule: a day off, or a weekend day worked in exchange.

use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DayKind {
    /// A day off (listed even when it falls on a weekend).
    Holiday,
    /// A weekend day worked in exchange for a bridge day off.
    Workday,
}

impl DayKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn parse(s: &str) -> Option<DayKind> {
        match s {
            "holiday" => Some(DayKind::Holiday),
            "workday" => Some(DayKind::Workday),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DayKind::Holiday => "Ngày nghỉ",
            DayKind::Workday => "Ngày làm bù",
        }
    }
}

/// One day of a schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayEntry {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
}
