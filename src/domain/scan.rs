//! Files citizens and staff upload into a dossier: PDF, JPEG or PNG, known
//! by their content (never by their name), whole (a truncated or broken
//! file is refused), within the size limits.

/// One file at most (10 MiB).
pub const FILE_MAX_BYTES: usize = 10 * 1024 * 1024;
/// One submission's files together at most (50 MiB).
pub const SUBMISSION_MAX_BYTES: usize = 50 * 1024 * 1024;
/// The document lines of one submission at most.
pub const MAX_FILES: usize = 30;

pub const ACCEPTED_TYPES: &str = "PDF, JPEG hoặc PNG";

/// What an uploaded file turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanKind {
    pub content_type: &'static str,
    pub extension: &'static str,
    /// A PDF's page count; an image is one page.
    pub pages: i32,
}

/// Checks an uploaded file by its content: a PDF that parses and has pages,
/// or a whole JPEG or PNG image.
pub fn check_scan(bytes: &[u8]) -> Result<ScanKind, String> {
    if bytes.is_empty() {
        return Err("Tệp rỗng: hãy chọn lại tệp bản quét.".into());
    }
    if bytes.len() > FILE_MAX_BYTES {
        return Err(format!(
            "Tệp quá lớn: mỗi tệp tối đa {} MiB.",
            FILE_MAX_BYTES / (1024 * 1024)
        ));
    }
    if bytes.starts_with(b"%PDF-") {
        return pdf_pages(bytes).map(|pages| ScanKind {
            content_type: "application/pdf",
            extension: "pdf",
            pages,
        });
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        // A JPEG ends with its end-of-image marker (some writers pad after).
        let tail = &bytes[bytes.len().saturating_sub(64)..];
        if bytes.len() < 128 || !tail.windows(2).any(|w| w == [0xFF, 0xD9]) {
            return Err(broken("JPEG"));
        }
        return Ok(ScanKind {
            content_type: "image/jpeg",
            extension: "jpg",
            pages: 1,
        });
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        // A PNG starts with its header chunk and ends with IEND.
        if bytes.len() < 57
            || &bytes[12..16] != b"IHDR"
            || !bytes.ends_with(b"IEND\xAE\x42\x60\x82")
        {
            return Err(broken("PNG"));
        }
        return Ok(ScanKind {
            content_type: "image/png",
            extension: "png",
            pages: 1,
        });
    }
    Err(format!(
        "Tệp không phải {ACCEPTED_TYPES} (kiểm tra theo nội dung tệp, không theo tên)."
    ))
}

fn broken(kind: &str) -> String {
    format!("Tệp {kind} bị hỏng hoặc chưa tải lên hết; hãy quét hoặc chọn lại tệp.")
}

fn pdf_pages(bytes: &[u8]) -> Result<i32, String> {
    // A whole PDF ends with its end-of-file marker (some writers pad after):
    // a file cut short in the upload or the scanner does not.
    let tail = &bytes[bytes.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(broken("PDF"));
    }
    // lopdf may panic on some malformed input: treat that as broken too.
    let parsed = std::panic::catch_unwind(|| {
        lopdf::Document::load_mem(bytes).map(|doc| doc.get_pages().len())
    });
    match parsed {
        Ok(Ok(n)) if n > 0 => Ok(n.min(i32::MAX as usize) as i32),
        Ok(Ok(_)) => Err("Tệp PDF không có trang nào.".into()),
        _ => Err(broken("PDF")),
    }
}

/// A file name safe to offer in `Content-Disposition`: the typed name's
/// stem (letters, digits, spaces, dashes) with the real extension.
pub fn safe_file_name(typed: &str, extension: &str) -> String {
    let stem = typed.rsplit_once('.').map(|(s, _)| s).unwrap_or(typed);
    let clean: String = stem
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .take(80)
        .collect();
    let clean = clean.trim();
    if clean.is_empty() {
        format!("tep.{extension}")
    } else {
        format!("{clean}.{extension}")
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A one-page PDF with a correct cross-reference table.
    pub fn tiny_pdf() -> Vec<u8> {
        let objs = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objs.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes(),
        );
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objs.len() + 1
            )
            .as_bytes(),
        );
        out
    }

    #[test]
    fn a_whole_pdf_is_taken_with_its_pages() {
        let k = check_scan(&tiny_pdf()).unwrap();
        assert_eq!(k.content_type, "application/pdf");
        assert_eq!(k.pages, 1);
    }

    #[test]
    fn broken_and_disguised_files_are_refused() {
        let pdf = tiny_pdf();
        assert!(check_scan(&pdf[..pdf.len() / 2])
            .unwrap_err()
            .contains("hỏng"));
        assert!(check_scan(b"%PDF-1.4\nnot a pdf\n%%EOF\n")
            .unwrap_err()
            .contains("hỏng"));
        assert!(check_scan(b"MZ\x90\x00 an executable")
            .unwrap_err()
            .contains("không phải"));
        assert!(check_scan(b"").is_err());
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&[0; 40]);
        assert!(check_scan(&png).unwrap_err().contains("PNG"));
        png.extend_from_slice(b"\0\0\0\0IEND\xAE\x42\x60\x82");
        assert_eq!(check_scan(&png).unwrap().content_type, "image/png");
        let mut big = b"%PDF-1.4\n".to_vec();
        big.resize(FILE_MAX_BYTES + 1, b' ');
        assert!(check_scan(&big).unwrap_err().contains("10 MiB"));
    }

    #[test]
    fn offered_names_keep_only_safe_characters() {
        assert_eq!(
            safe_file_name("../../Bản án số 12.exe", "pdf"),
            "Bản án số 12.pdf"
        );
        assert_eq!(safe_file_name("\"';.png", "png"), "tep.png");
    }
}
