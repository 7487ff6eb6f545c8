//! Feedback and petitions (phản ánh, kiến nghị): what a citizen may send,
//! the states staff move it through, and the spam checks of the public form.

use crate::domain::applicant::{parse_email, Phone};
use crate::domain::citizen::parse_code;
use crate::domain::fields::FieldErrors;
use crate::domain::reception::{text, NAME_MAX};

/// Where feedback came from.
pub const WEB: &str = "web";
pub const API: &str = "api";
pub const HOTLINE: &str = "hotline";

pub fn channel_label(c: &str) -> &'static str {
    match c {
        WEB => "Trang thông tin",
        API => "Cổng dịch vụ công",
        HOTLINE => "Đường dây nóng",
        _ => "Khác",
    }
}

/// The states: received, assigned to an officer, answered, closed.
pub const RECEIVED: &str = "received";
pub const ASSIGNED: &str = "assigned";
pub const ANSWERED: &str = "answered";
pub const CLOSED: &str = "closed";
pub const STATUSES: [&str; 4] = [RECEIVED, ASSIGNED, ANSWERED, CLOSED];

pub fn status_label(s: &str) -> &'static str {
    match s {
        RECEIVED => "Mới tiếp nhận",
        ASSIGNED => "Đang xử lý",
        ANSWERED => "Đã trả lời",
        CLOSED => "Đã đóng",
        _ => "Không rõ",
    }
}

/// The topics the form offers (the API takes any topic text).
pub const TOPICS: [&str; 5] = [
    "Thủ tục hành chính",
    "Tiến độ giải quyết hồ sơ",
    "Thái độ, tác phong của cán bộ",
    "Đề nghị, kiến nghị",
    "Nội dung khác",
];

/// The longest content and answer.
pub const CONTENT_MAX: usize = 4000;
/// Feedback answered within this many working days is on time (766, 5.2).
pub const ANSWER_WORKING_DAYS: u32 = 15;
/// The public form: at most this many sendings an hour from one address.
pub const PER_HOUR: i64 = 5;
/// The public form: a person needs at least this long to fill it in.
pub const MIN_SECONDS: i64 = 3;
/// …and a form older than this has to be loaded again.
pub const MAX_SECONDS: i64 = 6 * 3600;

/// Feedback as typed.
#[derive(Debug, Clone, Default)]
pub struct FeedbackInput {
    pub topic: String,
    pub content: String,
    pub dossier_code: String,
    pub name: String,
    pub phone: String,
    pub email: String,
    pub publish_consent: bool,
}

/// Feedback once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFeedback {
    pub topic: String,
    pub content: String,
    pub dossier_code: Option<String>,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub publish_consent: bool,
}

/// Multi-line text up to `max` characters.
pub fn paragraph(raw: &str, max: usize, missing: &str) -> Result<String, String> {
    let s = raw.trim().replace("\r\n", "\n");
    if s.is_empty() {
        return Err(missing.to_string());
    }
    if raw.chars().count() > max {
        return Err(format!("Tối đa {max} ký tự."));
    }
    Ok(s)
}

/// Checks feedback; messages go under `topic`, `content`, `dossier_code`,
/// `contact.name`, `contact.phone`, `contact.email`.
pub fn check(input: &FeedbackInput) -> Result<CheckedFeedback, FieldErrors> {
    let mut errors = FieldErrors::new();
    let topic = errors
        .check(
            "topic",
            text(
                &input.topic,
                NAME_MAX,
                Some("Chọn hoặc nhập chủ đề phản ánh."),
            ),
        )
        .flatten();
    let content = errors.check(
        "content",
        paragraph(
            &input.content,
            CONTENT_MAX,
            "Nhập nội dung phản ánh, kiến nghị.",
        ),
    );
    let dossier_code = if input.dossier_code.trim().is_empty() {
        None
    } else {
        errors.check("dossier_code", parse_code(&input.dossier_code))
    };
    let name = errors
        .check("contact.name", text(&input.name, NAME_MAX, None))
        .flatten();
    let phone = if input.phone.trim().is_empty() {
        None
    } else {
        errors
            .check("contact.phone", Phone::parse(&input.phone))
            .map(|p| p.as_str().to_string())
    };
    let email = errors
        .check("contact.email", parse_email(&input.email))
        .flatten();
    match (topic, content, errors.is_empty()) {
        (Some(topic), Some(content), true) => Ok(CheckedFeedback {
            topic,
            content,
            dossier_code,
            name,
            phone,
            email,
            publish_consent: input.publish_consent,
        }),
        _ => Err(errors),
    }
}

/// Whether the public form's timing looks like a person's: filled in no
/// faster than `MIN_SECONDS` and no later than `MAX_SECONDS` after it was
/// shown.
pub fn human_timing(shown_at: i64, now: i64) -> bool {
    let took = now - shown_at;
    (MIN_SECONDS..=MAX_SECONDS).contains(&took)
}

/// The email answering feedback: subject and body.
pub fn answer_letter(office: &str, topic: &str, content: &str, answer: &str) -> (String, String) {
    let quoted: String = content
        .lines()
        .take(20)
        .map(|l| format!("> {l}\n"))
        .collect();
    (
        format!("Trả lời phản ánh, kiến nghị: {topic}"),
        format!(
            "Kính gửi Ông/Bà,\n\n{office} trả lời phản ánh, kiến nghị của Ông/Bà như sau:\n\n{answer}\n\nNội dung Ông/Bà đã gửi:\n{quoted}\nTrân trọng.\n{office}\nThư này được gửi tự động, xin đừng trả lời.\n"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> FeedbackInput {
        FeedbackInput {
            topic: "Tiến độ giải quyết hồ sơ".into(),
            content: "Hồ sơ của tôi quá hạn.".into(),
            ..Default::default()
        }
    }

    #[test]
    fn contact_is_optional_but_checked_when_given() {
        assert!(check(&input()).is_ok());
        let mut f = input();
        f.phone = "12345".into();
        f.email = "not-an-email".into();
        let e = check(&f).unwrap_err();
        assert!(e.get("contact.phone").is_some());
        assert!(e.get("contact.email").is_some());
        let mut f = input();
        f.phone = "0912 345 678".into();
        assert_eq!(check(&f).unwrap().phone.as_deref(), Some("0912345678"));
    }

    #[test]
    fn topic_and_content_are_required_and_bounded() {
        let e = check(&FeedbackInput::default()).unwrap_err();
        assert!(e.get("topic").is_some());
        assert!(e.get("content").is_some());
        let mut f = input();
        f.content = "x".repeat(CONTENT_MAX + 1);
        assert!(check(&f).unwrap_err().get("content").is_some());
    }

    #[test]
    fn too_fast_or_stale_forms_are_not_a_person() {
        assert!(!human_timing(100, 101));
        assert!(human_timing(100, 110));
        assert!(!human_timing(100, 100 + MAX_SECONDS + 1));
        assert!(!human_timing(100, 50));
    }
}
