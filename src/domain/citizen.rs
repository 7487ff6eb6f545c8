//! What a citizen sees and receives without an account: the lookup's
//! verifier and its limits, and the news sent when a dossier moves.

use chrono::{Duration, NaiveDate};

use super::time::format_date;

/// Lookups one address may make in a minute (API.md).
pub const LOOKUPS_PER_MINUTE: i64 = 30;
/// Wrong verifiers one code may take in an hour before it is locked (API.md).
pub const WRONG_VERIFIERS_PER_HOUR: i64 = 10;

/// What a citizen is told when the limits are reached.
pub const TOO_MANY_LOOKUPS: &str = "Ông/Bà đã tra cứu quá nhiều lần trong thời gian ngắn. \
     Xin thử lại sau (chậm nhất 1 giờ), hoặc quét mã QR trên giấy tiếp nhận để xem ngay.";

/// One message for an unknown code and a wrong verifier, so neither tells
/// which codes exist.
pub const NOT_FOUND: &str = "Không tìm thấy hồ sơ với mã và bốn chữ số đã nhập. \
     Kiểm tra lại mã hồ sơ trên giấy tiếp nhận và bốn chữ số cuối của số điện thoại \
     hoặc số CCCD đã khai khi nộp.";

/// The rule printed under the receipt's QR code and on the lookup form.
pub const VERIFIER_RULE: &str =
    "Nhập mã hồ sơ và 4 chữ số cuối của số điện thoại hoặc số CCCD đã khai khi nộp.";

/// What `parse_code` takes, as the API's contract states it.
pub const CODE_PATTERN: &str = "^[ \\t\\n\\r]*[A-Za-z0-9.-]{1,40}[ \\t\\n\\r]*$";
/// What `parse_verifier` takes: four digits, spaces and line breaks aside.
pub const VERIFIER_PATTERN: &str = "^[ \\t\\n\\r]*([0-9][ \\t\\n\\r]*){4}$";

/// A dossier or submission code as typed: trimmed, at most 40 characters of
/// letters, digits, dots and dashes (the lookup also tries it in upper case).
pub fn parse_code(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim().to_string();
    if s.is_empty() {
        return Err("Nhập mã hồ sơ in trên giấy tiếp nhận.");
    }
    if s.chars().count() > 40
        || !s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err("Mã hồ sơ gồm chữ, số, dấu chấm và gạch nối, ví dụ 000.00.00.H00-261201-0001.");
    }
    Ok(s)
}

/// The verifier as typed: exactly four digits (spaces ignored).
pub fn parse_verifier(raw: &str) -> Result<String, &'static str> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return Err("Nhập 4 chữ số cuối của số điện thoại hoặc số CCCD.");
    }
    if s.chars().count() != 4 || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err("Nhập đúng 4 chữ số, ví dụ 5678.");
    }
    Ok(s)
}

fn last_four_digits(s: &str) -> Option<String> {
    let digits: Vec<char> = s.chars().filter(|c| c.is_ascii_digit()).collect();
    (digits.len() >= 4).then(|| digits[digits.len() - 4..].iter().collect())
}

/// Whether `verifier` is the last four digits of the applicant's phone or ID
/// number. Both are compared, whatever matches first, in the same time.
pub fn verifier_matches(phone: &str, id_number: Option<&str>, verifier: &str) -> bool {
    let by_phone = last_four_digits(phone).is_some_and(|d| same(&d, verifier));
    let by_id = id_number
        .and_then(last_four_digits)
        .is_some_and(|d| same(&d, verifier));
    by_phone | by_id
}

/// The key an address is counted under: an IPv4 address as it is, an IPv6
/// address by its /64 network (one subscriber's whole block).
pub fn address_key(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map(|v4| v4.to_string())
            .unwrap_or_default(),
        _ => address.to_string(),
    }
}

/// Fills `{name}` placeholders of `template` in one pass: a value that
/// itself holds `{…}` is never filled again.
pub fn fill_template(template: &str, values: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(template.len() + 200);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}').and_then(|end| {
            let name = &after[..end];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (end, v))
        }) {
            Some((end, v)) => {
                out.push_str(v);
                rest = &after[end + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Compares without stopping at the first difference.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The moments an applicant hears about without asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum News {
    Accepted,
    SupplementRequested,
    Apologised,
    ResultReady,
    Shipped,
    ReturnedByPost,
    DateMoved,
    /// An online submission arrived (not yet accepted).
    Submitted,
    /// An online submission was not accepted, with the reason.
    NotAccepted,
}

impl News {
    pub const ALL: [News; 9] = [
        News::Accepted,
        News::SupplementRequested,
        News::Apologised,
        News::ResultReady,
        News::Shipped,
        News::ReturnedByPost,
        News::DateMoved,
        News::Submitted,
        News::NotAccepted,
    ];

    /// The news a recorded action brings, if any (`action` as in the history).
    pub fn of_action(action: &str) -> Option<News> {
        Some(match action {
            "receive" | "accept_online" => News::Accepted,
            "request_supplement" => News::SupplementRequested,
            "extend" => News::Apologised,
            "approve" | "refuse" => News::ResultReady,
            "ship_by_post" => News::Shipped,
            "postal_undelivered" => News::ReturnedByPost,
            "recompute" => News::DateMoved,
            "submit" => News::Submitted,
            "reject_online" => News::NotAccepted,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            News::Accepted => "accepted",
            News::SupplementRequested => "supplement_requested",
            News::Apologised => "apologised",
            News::ResultReady => "result_ready",
            News::Shipped => "shipped",
            News::ReturnedByPost => "returned_by_post",
            News::DateMoved => "date_moved",
            News::Submitted => "submitted",
            News::NotAccepted => "not_accepted",
        }
    }

    pub fn parse(s: &str) -> Option<News> {
        News::ALL.into_iter().find(|n| n.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            News::Accepted => "Tiếp nhận hồ sơ",
            News::SupplementRequested => "Yêu cầu bổ sung",
            News::Apologised => "Xin lỗi, hẹn lại ngày trả",
            News::ResultReady => "Có kết quả",
            News::Shipped => "Gửi kết quả qua bưu chính",
            News::ReturnedByPost => "Bưu chính trả kết quả về",
            News::DateMoved => "Đổi ngày hẹn do lịch nghỉ",
            News::Submitted => "Đã nhận hồ sơ trực tuyến",
            News::NotAccepted => "Không tiếp nhận hồ sơ trực tuyến",
        }
    }
}

/// What a message says about one dossier: no personal data beyond the code.
#[derive(Debug, Clone, Default)]
pub struct NewsFacts {
    pub code: String,
    pub procedure: String,
    pub office: String,
    /// The office's hotline, when it has one.
    pub office_phone: String,
    pub due_date: Option<NaiveDate>,
    /// The date before this change (an apology or a calendar correction).
    pub previous_due: Option<NaiveDate>,
    /// An apology's reason.
    pub reason: String,
    /// The documents asked for (Mẫu 02), as "name (form)".
    pub missing: Vec<String>,
    pub tracking_number: String,
    /// The result was a refusal (its reasons are in the written answer).
    pub refused: bool,
    /// The result goes back by post.
    pub by_post: bool,
    /// Filed online, not accepted yet: supplements are uploaded on the
    /// status page.
    pub online: bool,
}

/// An email: subject and body. `{link}` in the body is the status page's
/// address, filled in when the message is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

/// The placeholder for the status page's address in a stored message.
pub const LINK: &str = "{link}";

fn date_or_dash(d: Option<NaiveDate>) -> String {
    d.map(format_date).unwrap_or_else(|| "—".into())
}

/// The sentence each news carries (shared by the email and the SMS).
fn sentence(news: News, f: &NewsFacts) -> String {
    match news {
        News::Accepted => match f.due_date {
            Some(d) => format!(
                "Hồ sơ {} đã được tiếp nhận; hẹn trả kết quả ngày {}.",
                f.code,
                format_date(d)
            ),
            None => format!("Hồ sơ {} đã được tiếp nhận.", f.code),
        },
        News::SupplementRequested if f.online => format!(
            "Hồ sơ đăng ký trực tuyến {} cần bổ sung giấy tờ; mời tải lên bản quét tại trang tra cứu hồ sơ.",
            f.code
        ),
        News::SupplementRequested => format!(
            "Hồ sơ {} cần bổ sung, sửa đổi giấy tờ; thời hạn giải quyết được tính lại từ khi nhận đủ.",
            f.code
        ),
        News::Submitted => format!(
            "Đã nhận hồ sơ đăng ký trực tuyến mã {}; Bộ phận tiếp nhận sẽ kiểm tra và báo kết quả tiếp nhận.",
            f.code
        ),
        News::NotAccepted => format!(
            "Hồ sơ đăng ký trực tuyến {} không được tiếp nhận. Lý do: {}",
            f.code, f.reason
        ),
        News::Apologised => format!(
            "Hồ sơ {} chậm so với hẹn ngày {}. Cơ quan xin lỗi và hẹn lại ngày trả kết quả {}.",
            f.code,
            date_or_dash(f.previous_due),
            date_or_dash(f.due_date)
        ),
        News::ResultReady if f.by_post => format!(
            "Hồ sơ {} đã có kết quả; kết quả sẽ được gửi qua bưu chính.",
            f.code
        ),
        News::ResultReady => format!(
            "Hồ sơ {} đã có kết quả; mời nhận tại Bộ phận tiếp nhận và trả kết quả.",
            f.code
        ),
        News::Shipped => format!(
            "Kết quả hồ sơ {} đã được gửi qua bưu chính{}.",
            f.code,
            if f.tracking_number.is_empty() {
                String::new()
            } else {
                format!(", số hiệu bưu gửi {}", f.tracking_number)
            }
        ),
        News::ReturnedByPost => format!(
            "Bưu chính chưa phát được kết quả hồ sơ {}; kết quả đã về lại Bộ phận tiếp nhận và trả kết quả, mời liên hệ để nhận.",
            f.code
        ),
        News::DateMoved => format!(
            "Do điều chỉnh lịch nghỉ lễ, ngày hẹn trả kết quả hồ sơ {} chuyển từ {} sang {}.",
            f.code,
            date_or_dash(f.previous_due),
            date_or_dash(f.due_date)
        ),
    }
}

/// The email for `news`.
pub fn letter(news: News, f: &NewsFacts) -> Letter {
    let mut body = String::from("Kính gửi Ông/Bà,\n\n");
    body.push_str(&sentence(news, f));
    body.push('\n');
    body.push_str(&format!("\nThủ tục: {}\n", f.procedure));
    if let Some(d) = f.due_date {
        body.push_str(&format!("Ngày hẹn trả kết quả: {}\n", format_date(d)));
    }
    match news {
        News::SupplementRequested if !f.missing.is_empty() => {
            body.push_str("\nGiấy tờ cần bổ sung, sửa đổi:\n");
            for m in &f.missing {
                body.push_str(&format!("- {m}\n"));
            }
        }
        News::Apologised if !f.reason.is_empty() => {
            body.push_str(&format!("Lý do: {}\n", f.reason));
        }
        News::ResultReady if f.refused => {
            body.push_str("Văn bản trả lời nêu rõ lý do không giải quyết.\n");
        }
        _ => {}
    }
    body.push_str(&format!(
        "\nXem tình trạng hồ sơ: {LINK}\n(hoặc tra cứu bằng mã hồ sơ và 4 chữ số cuối của số điện thoại hoặc số CCCD đã khai).\n"
    ));
    body.push_str(&format!("\n{}", f.office));
    if !f.office_phone.is_empty() {
        body.push_str(&format!(" – Điện thoại: {}", f.office_phone));
    }
    body.push_str("\nThư này được gửi tự động, xin đừng trả lời.\n");
    Letter {
        subject: format!("[{}] {}", f.code, news.label()),
        body,
    }
}

/// The SMS for `news`: one sentence and the link.
pub fn sms(news: News, f: &NewsFacts) -> String {
    format!("{} Tra cứu: {LINK}", sentence(news, f))
}

/// How many times a message is tried before it is marked failed.
pub const MAX_ATTEMPTS: i32 = 8;

/// The wait before try number `attempts + 1`: `base`, doubled each time, at
/// most six hours.
pub fn backoff(attempts: i32, base_seconds: i64) -> Duration {
    let exp = attempts.clamp(1, 20) - 1;
    let secs = base_seconds.max(1).saturating_mul(1i64 << exp);
    Duration::seconds(secs.min(6 * 3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_is_the_last_four_digits_of_phone_or_id() {
        assert!(verifier_matches("0912345678", Some("079123456789"), "5678"));
        assert!(verifier_matches("0912345678", Some("079123456789"), "6789"));
        assert!(!verifier_matches(
            "0912345678",
            Some("079123456789"),
            "1234"
        ));
        assert!(!verifier_matches("0912345678", None, "6789"));
        assert!(!verifier_matches("", None, "0000"));
        assert!(!verifier_matches("12", None, "12"));
    }

    #[test]
    fn verifier_input_is_four_digits() {
        assert_eq!(parse_verifier(" 56 78 ").unwrap(), "5678");
        assert!(parse_verifier("567").is_err());
        assert!(parse_verifier("56789").is_err());
        assert!(parse_verifier("abcd").is_err());
        assert!(parse_verifier("").is_err());
    }

    #[test]
    fn codes_are_trimmed() {
        assert_eq!(
            parse_code(" 000.00.00.h00-261201-0001 ").unwrap(),
            "000.00.00.h00-261201-0001"
        );
        assert!(parse_code("").is_err());
        assert!(parse_code("a b").is_err());
        assert!(parse_code(&"1".repeat(41)).is_err());
    }

    #[test]
    fn actions_bring_their_news() {
        assert_eq!(News::of_action("receive"), Some(News::Accepted));
        assert_eq!(News::of_action("extend"), Some(News::Apologised));
        assert_eq!(News::of_action("approve"), Some(News::ResultReady));
        assert_eq!(
            News::of_action("postal_undelivered"),
            Some(News::ReturnedByPost)
        );
        assert_eq!(News::of_action("assign"), None);
        assert_eq!(News::of_action("deliver_at_counter"), None);
        for n in News::ALL {
            assert_eq!(News::parse(n.as_str()), Some(n));
        }
    }

    #[test]
    fn letters_name_the_code_dates_and_link_but_no_person() {
        let f = NewsFacts {
            code: "X-261201-0001".into(),
            procedure: "Yêu cầu thi hành án".into(),
            office: "Cục THADS".into(),
            office_phone: "0258 123 456".into(),
            due_date: NaiveDate::from_ymd_opt(2026, 12, 10),
            previous_due: NaiveDate::from_ymd_opt(2026, 12, 8),
            reason: "Cần xác minh thêm".into(),
            ..NewsFacts::default()
        };
        let l = letter(News::Apologised, &f);
        assert_eq!(l.subject, "[X-261201-0001] Xin lỗi, hẹn lại ngày trả");
        assert!(l.body.contains("08/12/2026"));
        assert!(l.body.contains("10/12/2026"));
        assert!(l.body.contains("Lý do: Cần xác minh thêm"));
        assert!(l.body.contains(LINK));
        let s = sms(News::DateMoved, &f);
        assert!(s.contains("chuyển từ 08/12/2026 sang 10/12/2026"));
        assert!(s.ends_with(LINK));
    }

    #[test]
    fn templates_are_filled_once() {
        let t = r#"{"to":"{phone}","msg":"{message}","k":"{key}","x":"{unknown}"}"#;
        let out = fill_template(
            t,
            &[
                ("phone", "0912".into()),
                ("message", "mã {key}".into()),
                ("key", "K".into()),
            ],
        );
        assert_eq!(
            out,
            r#"{"to":"0912","msg":"mã {key}","k":"K","x":"{unknown}"}"#
        );
    }

    #[test]
    fn ipv6_addresses_count_by_their_network() {
        assert_eq!(address_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2:ffff::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("127.0.0.1"), "127.0.0.1");
        assert_eq!(address_key("::ffff:10.0.0.1"), "10.0.0.1");
        assert_eq!(address_key("unknown"), "unknown");
    }

    #[test]
    fn backoff_doubles_up_to_six_hours() {
        assert_eq!(backoff(1, 30), Duration::seconds(30));
        assert_eq!(backoff(2, 30), Duration::seconds(60));
        assert_eq!(backoff(4, 30), Duration::seconds(240));
        assert_eq!(backoff(30, 30), Duration::hours(6));
        assert_eq!(backoff(0, 0), Duration::seconds(1));
    }
}
