//! Sizes and rates that both sides enforce. The hub rejects what exceeds them with a
//! typed error (`too_large`, `rate_limited`); clients check before sending so that an
//! agent learns at once, not after a round trip.

/// Largest text frame the hub reads from an agent connection.
pub const MAX_AGENT_FRAME_BYTES: usize = 64 * 1024;
/// Largest text frame the hub reads from a visitor connection.
pub const MAX_VISITOR_FRAME_BYTES: usize = 16 * 1024;
/// Longest chat message, in characters (Unicode scalar values).
pub const MAX_MESSAGE_CHARS: usize = 4000;
/// Longest typing preview the hub relays, in characters.
pub const MAX_PREVIEW_CHARS: usize = 500;
/// Longest visitor name.
pub const MAX_NAME_CHARS: usize = 100;
/// Longest email address.
pub const MAX_EMAIL_CHARS: usize = 254;
/// Longest pre-chat question or offline message.
pub const MAX_QUESTION_CHARS: usize = 4000;
/// Longest page URL or user agent kept with a chat.
pub const MAX_URL_CHARS: usize = 2048;
/// Longest transfer note, wrap-up note or email reply.
pub const MAX_NOTE_CHARS: usize = 10_000;
/// Most tags on one wrap-up, and the longest tag.
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG_CHARS: usize = 40;
/// Longest canned-response shortcut.
pub const MAX_SHORTCUT_CHARS: usize = 32;

/// Messages a visitor may send per second, sustained, and the burst allowed above it.
pub const VISITOR_MESSAGES_PER_SEC: u32 = 2;
pub const VISITOR_MESSAGE_BURST: u32 = 10;
/// Typing updates a visitor may send per second (previews are throttled by the widget
/// to about four a second; the hub drops the excess silently, they are ephemeral).
pub const VISITOR_TYPING_PER_SEC: u32 = 8;
/// New visitor connections per minute from one address.
pub const VISITOR_CONNECTIONS_PER_MIN: u32 = 30;
/// Chats one address may start per hour.
pub const VISITOR_CHATS_PER_HOUR: u32 = 20;
/// Bad frames (malformed, oversized, unknown action) a connection may send per minute
/// before the hub closes it with reason `protocol`.
pub const BAD_FRAMES_PER_MIN: u32 = 30;

/// The client sends `ping` this often when nothing else was sent.
pub const HEARTBEAT_SECS: u64 = 15;
/// A side that has received nothing for this long treats the link as dead.
pub const IDLE_TIMEOUT_SECS: u64 = 30;

/// Count characters as the hub does (Unicode scalar values).
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}
