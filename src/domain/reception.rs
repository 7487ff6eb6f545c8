//! The rules of reception (DOMAIN.md, "Lifecycle", step 1): who the applicant
//! is, which documents came, and whether the dossier can be accepted. Plain
//! Rust: the web form and the API both hand their input to these functions.

use chrono::NaiveDate;

use super::applicant::{parse_email, CitizenId, Phone};
use super::procedure::{fold, DocumentForm};
use crate::domain::fields::FieldErrors;

pub const NAME_MAX: usize = 200;
pub const ADDRESS_MAX: usize = 500;
pub const NOTE_MAX: usize = 2000;
/// No dossier has this many copies of one paper.
pub const COUNT_MAX: u32 = 99;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicantKind {
    Person,
    Organisation,
}

impl ApplicantKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ApplicantKind::Person => "person",
            ApplicantKind::Organisation => "organisation",
        }
    }

    pub fn parse(s: &str) -> Option<ApplicantKind> {
        match s.trim() {
            "" | "person" => Some(ApplicantKind::Person),
            "organisation" | "organization" => Some(ApplicantKind::Organisation),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ApplicantKind::Person => "Cá nhân",
            ApplicantKind::Organisation => "Tổ chức",
        }
    }
}

/// The applicant as typed.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ApplicantInput {
    pub kind: String,
    pub full_name: String,
    pub representative: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
}

/// The applicant once checked: a person, or an organisation and the person
/// who represents it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    pub kind: ApplicantKind,
    pub name: String,
    pub representative: Option<String>,
    pub id_number: Option<String>,
    pub phone: String,
    pub email: Option<String>,
    pub address: String,
}

impl Applicant {
    /// The name folded for accent-insensitive search (both names for an
    /// organisation).
    pub fn folded(&self) -> String {
        match &self.representative {
            Some(r) => format!("{} | {}", fold(&self.name), fold(r)),
            None => fold(&self.name),
        }
    }
}

/// Single-line text: spaces folded, bounded, required or not.
pub fn text(raw: &str, max: usize, missing: Option<&str>) -> Result<Option<String>, String> {
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return match missing {
            Some(m) => Err(m.to_string()),
            None => Ok(None),
        };
    }
    // Counted as sent, spaces included, as the API's contract states.
    if raw.chars().count() > max {
        return Err(format!("Tối đa {max} ký tự."));
    }
    Ok(Some(s))
}

/// Multi-line text (notes, reasons): kept as typed, trimmed and bounded.
pub fn long_text(raw: &str, missing: Option<&str>) -> Result<Option<String>, String> {
    let s = raw.trim().replace("\r\n", "\n");
    if s.is_empty() {
        return match missing {
            Some(m) => Err(m.to_string()),
            None => Ok(None),
        };
    }
    if raw.chars().count() > NOTE_MAX {
        return Err(format!("Tối đa {NOTE_MAX} ký tự."));
    }
    Ok(Some(s))
}

/// Checks the applicant; messages go under the field names of `input`.
pub fn check_applicant(input: &ApplicantInput, errors: &mut FieldErrors) -> Option<Applicant> {
    let kind = errors.check(
        "applicant_kind",
        ApplicantKind::parse(&input.kind).ok_or("Chọn cá nhân hoặc tổ chức."),
    );
    let kind = kind.unwrap_or(ApplicantKind::Person);
    let name_missing = match kind {
        ApplicantKind::Person => "Nhập họ và tên người nộp hồ sơ.",
        ApplicantKind::Organisation => "Nhập tên tổ chức nộp hồ sơ.",
    };
    let name = errors
        .check(
            "full_name",
            text(&input.full_name, NAME_MAX, Some(name_missing)),
        )
        .flatten();
    let representative = errors
        .check(
            "representative",
            text(
                &input.representative,
                NAME_MAX,
                (kind == ApplicantKind::Organisation)
                    .then_some("Nhập họ và tên người đại diện của tổ chức."),
            ),
        )
        .flatten();
    let id_number = if input.id_number.trim().is_empty() && kind == ApplicantKind::Organisation {
        Some(None)
    } else {
        errors.check(
            "id_number",
            CitizenId::parse(&input.id_number).map(|c| Some(c.as_str().to_string())),
        )
    };
    let phone = errors.check("phone", Phone::parse(&input.phone));
    let email = errors.check("email", parse_email(&input.email));
    let address = errors
        .check(
            "address",
            text(
                &input.address,
                ADDRESS_MAX,
                Some("Nhập địa chỉ của người nộp hồ sơ."),
            ),
        )
        .flatten();
    Some(Applicant {
        kind,
        name: name?,
        representative: if kind == ApplicantKind::Organisation {
            Some(representative?)
        } else {
            None
        },
        id_number: id_number?,
        phone: phone?.as_str().to_string(),
        email: email?,
        address: address?,
    })
}

/// A document of the procedure's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedDocument {
    pub name: String,
    pub form: DocumentForm,
    pub count: u32,
    pub required: bool,
}

/// A document handed in (or asked for), with its form and count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLine {
    pub name: String,
    pub form: DocumentForm,
    pub count: u32,
}

/// The same paper whatever the spacing or accents typed.
fn same_name(a: &str, b: &str) -> bool {
    let norm = |s: &str| fold(&s.split_whitespace().collect::<Vec<_>>().join(" "));
    norm(a) == norm(b)
}

/// The required documents of `listed` missing from `received`.
pub fn missing_required(listed: &[ListedDocument], received: &[DocumentLine]) -> Vec<DocumentLine> {
    listed
        .iter()
        .filter(|l| l.required)
        .filter(|l| {
            !received
                .iter()
                .any(|r| same_name(&r.name, &l.name) && r.count > 0)
        })
        .map(|l| DocumentLine {
            name: l.name.clone(),
            form: l.form,
            count: l.count,
        })
        .collect()
}

/// Checks a document line as typed; `field` names it in messages.
/// The most document lines one dossier or one supplement request may list.
pub const MAX_DOCUMENT_LINES: usize = 100;

/// The message when a list is longer than `MAX_DOCUMENT_LINES`.
pub fn too_many_documents() -> String {
    format!("Tối đa {MAX_DOCUMENT_LINES} dòng giấy tờ; gộp các giấy tờ cùng loại vào một dòng.")
}

pub fn check_document(
    name: &str,
    form: &str,
    count: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<DocumentLine> {
    let name = errors
        .check(field, text(name, NAME_MAX * 2, Some("Nhập tên giấy tờ.")))
        .flatten()?;
    let form = errors.check(
        field,
        DocumentForm::parse(form.trim())
            .ok_or("Chọn hình thức: bản chính, bản sao chứng thực hoặc bản sao."),
    )?;
    let count = errors.check(field, parse_count(count))?;
    Some(DocumentLine { name, form, count })
}

/// A count of copies, 1 to 99; empty means 1.
pub fn parse_count(raw: &str) -> Result<u32, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(1);
    }
    match s.parse::<u32>() {
        Ok(n) if (1..=COUNT_MAX).contains(&n) => Ok(n),
        _ => Err(format!("Số lượng là số nguyên từ 1 đến {COUNT_MAX}.")),
    }
}

/// An amount of money in đồng as typed: "1.250.000", "1250000", "1 250 000 đ".
pub fn parse_amount(raw: &str) -> Result<Option<i64>, &'static str> {
    let s: String = raw
        .trim()
        .trim_end_matches('đ')
        .trim_end_matches("VNĐ")
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' '))
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i64>() {
        Ok(n) if (0..=1_000_000_000_000).contains(&n) => Ok(Some(n)),
        _ => Err("Số tiền là số đồng, ví dụ 50.000."),
    }
}

/// `1250000` → `1.250.000 đ`.
pub fn format_amount(amount: i64) -> String {
    let digits = amount.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if amount < 0 {
        out.insert(0, '-');
    }
    format!("{out} đ")
}

/// A postmark cannot be later than the day the office signed for the post.
pub fn check_postmark(
    postmarked_on: NaiveDate,
    received_on: NaiveDate,
) -> Result<(), &'static str> {
    if postmarked_on > received_on {
        Err("Ngày dấu bưu điện không thể sau ngày tiếp nhận.")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> ApplicantInput {
        ApplicantInput {
            kind: "person".into(),
            full_name: "  Nguyễn   Văn An ".into(),
            id_number: "056 090 001 234".into(),
            phone: "0912.345.678".into(),
            address: "12 Trần Phú, Nha Trang".into(),
            ..ApplicantInput::default()
        }
    }

    #[test]
    fn a_person_needs_name_id_phone_and_address() {
        let mut errors = FieldErrors::new();
        let a = check_applicant(&person(), &mut errors).expect("valid");
        assert!(errors.is_empty());
        assert_eq!(a.name, "Nguyễn Văn An");
        assert_eq!(a.id_number.as_deref(), Some("056090001234"));
        assert_eq!(a.phone, "0912345678");
        assert_eq!(a.folded(), "nguyen van an");

        let mut errors = FieldErrors::new();
        let bad = ApplicantInput {
            id_number: "12345".into(),
            full_name: String::new(),
            email: "not-an-email".into(),
            ..person()
        };
        assert!(check_applicant(&bad, &mut errors).is_none());
        assert!(errors.get("full_name").is_some());
        assert!(errors.get("id_number").is_some());
        assert!(errors.get("email").is_some());
        assert!(errors.get("phone").is_none());
    }

    #[test]
    fn an_organisation_needs_its_representative() {
        let org = ApplicantInput {
            kind: "organisation".into(),
            full_name: "Công ty TNHH Hải Đăng".into(),
            id_number: String::new(),
            ..person()
        };
        let mut errors = FieldErrors::new();
        assert!(check_applicant(&org, &mut errors).is_none());
        assert!(errors.get("representative").is_some());
        let mut errors = FieldErrors::new();
        let ok = ApplicantInput {
            representative: "Trần Thị Bình".into(),
            ..org
        };
        let a = check_applicant(&ok, &mut errors).expect("valid");
        assert_eq!(a.id_number, None);
        assert!(a.folded().contains("tran thi binh"));
    }

    #[test]
    fn required_documents_are_matched_by_name() {
        let listed = vec![
            ListedDocument {
                name: "Đơn yêu cầu thi hành án".into(),
                form: DocumentForm::Original,
                count: 1,
                required: true,
            },
            ListedDocument {
                name: "Bản án, quyết định".into(),
                form: DocumentForm::CertifiedCopy,
                count: 1,
                required: true,
            },
            ListedDocument {
                name: "Giấy ủy quyền".into(),
                form: DocumentForm::Original,
                count: 1,
                required: false,
            },
        ];
        let received = vec![DocumentLine {
            name: "don yeu cau  thi hanh an".into(),
            form: DocumentForm::Original,
            count: 1,
        }];
        let missing = missing_required(&listed, &received);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].name, "Bản án, quyết định");
    }

    #[test]
    fn amounts_read_vietnamese_notation() {
        assert_eq!(parse_amount("1.250.000"), Ok(Some(1_250_000)));
        assert_eq!(parse_amount("50000 đ"), Ok(Some(50_000)));
        assert_eq!(parse_amount(""), Ok(None));
        assert!(parse_amount("năm mươi").is_err());
        assert_eq!(format_amount(1_250_000), "1.250.000 đ");
        assert_eq!(format_amount(0), "0 đ");
    }

    #[test]
    fn counts_and_texts_are_bounded() {
        assert_eq!(parse_count(""), Ok(1));
        assert!(parse_count("0").is_err());
        assert!(parse_count("100").is_err());
        assert!(text(&"a".repeat(201), NAME_MAX, None).is_err());
        assert_eq!(text("  ", NAME_MAX, None), Ok(None));
    }
}
