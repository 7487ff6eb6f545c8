//! Two-factor login (RFC 6238 TOTP, the codes of authenticator apps) for
//! administrators and leaders, and the one-time recovery codes that stand in
//! for a lost phone.

use rand::Rng;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

use super::Role;

/// Seconds a code lasts.
pub const STEP_SECONDS: u64 = 30;
/// How many recovery codes a user gets at once.
pub const RECOVERY_CODES: usize = 10;
/// The settings key for "administrators and leaders must use two-factor login".
pub const REQUIRED_SETTING: &str = "two_factor_required";
/// Minutes between the password and the code before the login starts over.
pub const PENDING_MINUTES: i64 = 5;

/// Roles that may (and, when required, must) use two-factor login.
pub fn applies_to(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Leader)
}

/// A new random secret (160 bits), in base32 as apps show and take it.
pub fn new_secret() -> String {
    Secret::generate_secret().to_encoded().to_string()
}

fn totp(secret_base32: &str, account: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret_base32.to_string()).to_bytes().ok()?;
    TOTP::new(
        Algorithm::SHA1,
        6,
        1,
        STEP_SECONDS,
        bytes,
        Some("Một Cửa".to_string()),
        account.to_string(),
    )
    .ok()
}

/// The `otpauth://` address a phone's app reads from the QR code.
pub fn setup_url(secret_base32: &str, account: &str) -> Option<String> {
    Some(totp(secret_base32, account)?.get_url())
}

/// The code for the step holding `unix_seconds` (for tests and the setup check).
pub fn code_at(secret_base32: &str, unix_seconds: u64) -> Option<String> {
    Some(totp(secret_base32, "x")?.generate(unix_seconds))
}

/// What a user typed at the second step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// Six digits from the app.
    Code(String),
    /// A recovery code, normalised (lowercase, no spaces or dashes).
    Recovery(String),
}

/// Reads a typed code: spaces and dashes are ignored; six digits are an app
/// code, ten letters and digits a recovery code; anything else is nothing.
pub fn read_typed(input: &str) -> Option<Typed> {
    let clean: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    if clean.len() == 6 && clean.chars().all(|c| c.is_ascii_digit()) {
        Some(Typed::Code(clean))
    } else if clean.len() == 10 && clean.chars().all(|c| c.is_ascii_alphanumeric()) {
        Some(Typed::Recovery(clean))
    } else {
        None
    }
}

/// The step a six-digit `code` belongs to, if it is right for the step of
/// `unix_seconds` or the one before or after (a phone's clock may be off by
/// a few seconds). The caller accepts a step only once.
pub fn matching_step(secret_base32: &str, code: &str, unix_seconds: u64) -> Option<u64> {
    let totp = totp(secret_base32, "x")?;
    let now = unix_seconds / STEP_SECONDS;
    [now, now.saturating_sub(1), now + 1]
        .into_iter()
        .find(|step| {
            let generated = totp.generate(step * STEP_SECONDS);
            constant_time_eq(generated.as_bytes(), code.as_bytes())
        })
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Letters and digits that cannot be confused on paper (no 0/o, 1/l/i).
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// Fresh recovery codes, shown as `xxxxx-xxxxx` (about 49 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::thread_rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let raw: String = (0..10)
                .map(|_| RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect();
            format!("{}-{}", &raw[..5], &raw[5..])
        })
        .collect()
}

/// How a recovery code is stored: SHA-256 of its normalised form (the codes
/// are random, so a fast hash is enough; the second step is throttled).
pub fn recovery_hash(code: &str) -> Option<String> {
    match read_typed(code)? {
        Typed::Recovery(clean) => Some(hex::encode(Sha256::digest(clean.as_bytes()))),
        Typed::Code(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_6238_vector_holds() {
        // RFC 6238 appendix B: secret "12345678901234567890", SHA-1, T = 59 s.
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59).unwrap(), "287082");
        assert_eq!(code_at(&secret, 1_111_111_109).unwrap(), "081804");
    }

    #[test]
    fn a_code_matches_its_step_and_the_neighbours_only() {
        let secret = new_secret();
        let t = 1_800_000_000;
        let code = code_at(&secret, t).unwrap();
        assert_eq!(matching_step(&secret, &code, t), Some(t / 30));
        assert_eq!(matching_step(&secret, &code, t + 30), Some(t / 30));
        assert_eq!(matching_step(&secret, &code, t - 30), Some(t / 30));
        assert_eq!(matching_step(&secret, &code, t + 90), None);
        assert_eq!(
            matching_step(&secret, "000000", t).is_some(),
            code == "000000"
        );
    }

    #[test]
    fn typed_codes_are_read_leniently() {
        assert_eq!(read_typed(" 123 456 "), Some(Typed::Code("123456".into())));
        assert_eq!(
            read_typed("ABCDE-23456"),
            Some(Typed::Recovery("abcde23456".into()))
        );
        assert_eq!(read_typed("12345"), None);
        assert_eq!(read_typed("abc"), None);
        assert_eq!(read_typed("ạbcde-23456"), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_hash_as_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        let c = &codes[0];
        assert_eq!(
            recovery_hash(c),
            recovery_hash(&c.to_uppercase().replace('-', " "))
        );
        assert_eq!(recovery_hash("123456"), None);
    }

    #[test]
    fn only_administrators_and_leaders_use_it() {
        assert!(applies_to(Role::Admin) && applies_to(Role::Leader));
        assert!(!applies_to(Role::Reception) && !applies_to(Role::Officer));
        assert!(!applies_to(Role::Supervisor));
    }
}
