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

/// Password checks for sign-in, run on a small fixed set of threads.
///
/// An argon2 check takes 19 MiB and tens of milliseconds of CPU. On tokio's blocking
/// pool a burst of sign-ins spreads them over as many threads as arrive at once, and
/// each thread's allocator arena keeps its block afterwards: 500 sign-ins left the
/// hub with half a gigabyte resident. A fixed set of workers bounds both the memory
/// and the CPU sign-ins can take; requests beyond it wait their turn.
#[derive(Clone)]
pub struct PasswordChecks {
    jobs: std::sync::mpsc::Sender<PasswordJob>,
}

struct PasswordJob {
    password: String,
    hash: Option<String>,
    reply: tokio::sync::oneshot::Sender<bool>,
}

impl PasswordChecks {
    /// Start `threads` workers (at least one). They stop when the last handle is
    /// dropped.
    pub fn start(threads: usize) -> Self {
        let (jobs, rx) = std::sync::mpsc::channel::<PasswordJob>();
        let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
        for n in 0..threads.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("password-check-{n}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(rx) => rx.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        let verified = match &job.hash {
                            Some(hash) => verify_password(&job.password, hash),
                            None => {
                                // The same work as a real check: a wrong email is no
                                // faster than a wrong password.
                                let _ = verify_password(&job.password, decoy_hash());
                                false
                            }
                        };
                        let _ = job.reply.send(verified);
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password-check thread");
            }
        }
        PasswordChecks { jobs }
    }

    /// Whether `password` matches the stored `hash`. Without a hash (no such
    /// account) the check runs against a decoy and fails, taking as long as a real
    /// one, so sign-in does not reveal which accounts exist.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job = PasswordJob {
            password,
            hash,
            reply,
        };
        if self.jobs.send(job).is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }
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

    #[tokio::test]
    async fn the_check_threads_verify_like_a_direct_check() {
        let hash = hash_password("correct horse").expect("hashing works");
        let checks = PasswordChecks::start(2);
        assert!(
            checks
                .verify("correct horse".into(), Some(hash.clone()))
                .await,
            "the right password verifies"
        );
        assert!(
            !checks.verify("wrong horse".into(), Some(hash)).await,
            "a wrong password does not"
        );
        assert!(
            !checks.verify("correct horse".into(), None).await,
            "no account never verifies"
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
