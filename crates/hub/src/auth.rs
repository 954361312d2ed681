//! Secrets: argon2 password hashes, and random bearer tokens of which only a SHA-256
//! is stored (agent sessions, visitor chat tokens).

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Shortest password the hub accepts for an account.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Hash a password for storage. CPU-heavy: call from a blocking task.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Password(e.to_string()))
}

/// Check a password against a stored hash. CPU-heavy: call from a blocking task.
pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash to verify against when the account does not exist, so that a wrong email
/// takes as long as a wrong password and does not reveal which accounts exist.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that matches nothing").unwrap_or_default())
}

/// A new secret token: 32 random bytes, base64url without padding.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the store keeps of a token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Reject passwords that are too short to be worth hashing.
pub fn check_password_strength(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(Error::Invalid(format!(
            "a password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse").expect("hashing works");
        assert!(
            verify_password("correct horse", &hash),
            "the right password must verify"
        );
        assert!(
            !verify_password("wrong horse", &hash),
            "a wrong password must not verify"
        );
        assert!(
            !verify_password("correct horse", "not a hash"),
            "garbage never verifies"
        );
    }

    #[test]
    fn tokens_are_long_random_and_hashed() {
        let a = new_token();
        let b = new_token();
        assert_eq!(
            a.len(),
            43,
            "32 bytes in unpadded base64url are 43 characters"
        );
        assert_ne!(a, b, "two tokens must differ");
        assert_eq!(token_hash(&a).len(), 32, "SHA-256 is 32 bytes");
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
