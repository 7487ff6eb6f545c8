//! Argon2id password hashes and random secrets.

use crate::config::HashCost;
use crate::error::AppError;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use rand::RngCore;

fn hasher(cost: HashCost) -> Argon2<'static> {
    let params = match cost {
        // 19 MiB, 2 passes, 1 lane (OWASP Password Storage Cheat Sheet).
        HashCost::Production => Params::new(19 * 1024, 2, 1, None),
        HashCost::Test => Params::new(8, 1, 1, None),
    }
    .unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The hash of a new password that follows the policy (command line, demo).
pub fn hash_new(cost: HashCost, password: &str) -> Result<Result<String, &'static str>, AppError> {
    match crate::domain::user::NewPassword::parse(password) {
        Ok(p) => hash(cost, p.expose())
            .map(Ok)
            .map_err(|e| AppError::Internal(format!("hash: {e}"))),
        Err(m) => Ok(Err(m)),
    }
}

pub fn hash(cost: HashCost, password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher(cost)
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Checks a password against a stored hash; the hash carries its own parameters.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the user does not exist, so that an unknown
/// username takes as long as a wrong password.
pub fn dummy_hash(cost: HashCost) -> String {
    hash(cost, "không-có-người-dùng-này").unwrap_or_default()
}

/// A URL-safe random string carrying `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A password to print once for a new administrator: 16 characters, easy to type.
pub fn generate() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut buf = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    let body: String = buf
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect();
    // Always a digit and a letter, so the generated password passes the policy.
    format!("{}-{}7", &body[..8], &body[8..15])
}

/// Password hashing and checking off the async workers and outside the
/// database pool, at most a few at once, so that a burst of logins (or of
/// password changes) cannot hold every connection or every core.
pub struct Hashing {
    slots: tokio::sync::Semaphore,
}

impl Hashing {
    pub fn new(concurrent: usize) -> Hashing {
        Hashing {
            slots: tokio::sync::Semaphore::new(concurrent.max(1)),
        }
    }

    /// The hash of a new password that follows the policy, or why it does not.
    pub async fn hash_new(
        &self,
        cost: HashCost,
        password: &str,
    ) -> Result<Result<String, &'static str>, AppError> {
        let parsed = match crate::domain::user::NewPassword::parse(password) {
            Ok(p) => p,
            Err(m) => return Ok(Err(m)),
        };
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| AppError::Internal(format!("hashing slots: {e}")))?;
        actix_web::web::block(move || hash(cost, parsed.expose()))
            .await
            .map_err(|e| AppError::Internal(format!("hashing failed: {e}")))?
            .map(Ok)
            .map_err(|e| AppError::Internal(format!("hash: {e}")))
    }

    /// Whether `password` matches `stored`.
    pub async fn verify(&self, password: &str, stored: &str) -> Result<bool, AppError> {
        let _slot = self
            .slots
            .acquire()
            .await
            .map_err(|e| AppError::Internal(format!("hashing slots: {e}")))?;
        let (password, stored) = (password.to_string(), stored.to_string());
        actix_web::web::block(move || verify(&password, &stored))
            .await
            .map_err(|e| AppError::Internal(format!("password check failed: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let h = hash(HashCost::Test, "mật khẩu đúng 1").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("mật khẩu đúng 1", &h));
        assert!(!verify("mật khẩu sai 1", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn production_hash_uses_owasp_parameters() {
        let h = hash(HashCost::Production, "abc").expect("hash");
        assert!(h.contains("m=19456,t=2,p=1"), "{h}");
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        for _ in 0..20 {
            let p = generate();
            assert!(crate::domain::user::NewPassword::parse(&p).is_ok(), "{p}");
        }
        assert_ne!(random_token(32), random_token(32));
    }
}
