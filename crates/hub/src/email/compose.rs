//! Writing a reply email: its subject, its plain-text body (the agent's reply, a
//! signature, the visitor's words quoted with "> "), and the RFC 5322 message.
//!
//! Visitor text goes into the email only as plain text; header fields from it are cut
//! to one line without control characters, and lettre encodes them.

use chrono::{DateTime, Utc};
use lettre::Message;
use lettre::message::{Mailbox, SinglePart};

use super::EmailSettings;

/// The longest subject line, in characters, before it is shortened.
const MAX_SUBJECT_CHARS: usize = 78;

/// An email as the outbox keeps it: everything but the sender, which comes from the
/// hub's settings at send time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    /// `<...@...>`, fixed for the email's life.
    pub message_id: String,
    pub created_at: DateTime<Utc>,
}

/// What the reply is about, for its subject and body.
pub struct ReplyContext<'a> {
    pub visitor_name: &'a str,
    pub question: &'a str,
    pub department: &'a str,
    /// The website the chat came from.
    pub site: Option<&'a str>,
    pub agent_name: &'a str,
    /// Everything the visitor wrote, oldest first (the question first).
    pub visitor_messages: &'a [String],
    /// When the visitor wrote to us.
    pub asked_at: DateTime<Utc>,
}

/// One line of header text: no control characters, whitespace collapsed.
fn header_text(text: &str) -> String {
    text.split(|c: char| c.is_control() || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn shortened(text: String, max: usize) -> String {
    if text.chars().count() <= max {
        return text;
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut = cut.trim_end().to_owned();
    cut.push('…');
    cut
}

/// "Re: <first line of the question>", or, with no question, one naming the
/// department and site.
pub fn subject(ctx: &ReplyContext<'_>) -> String {
    let first_line = ctx
        .question
        .lines()
        .map(header_text)
        .find(|l| !l.is_empty());
    match first_line {
        Some(line) => shortened(format!("Re: {line}"), MAX_SUBJECT_CHARS),
        None => {
            let mut s = format!("Your message to {}", header_text(ctx.department));
            if let Some(site) = ctx.site {
                s.push_str(&format!(" at {}", header_text(site)));
            }
            shortened(s, MAX_SUBJECT_CHARS)
        }
    }
}

/// The plain-text body: the reply, a signature, and the visitor's messages quoted.
pub fn body(reply: &str, ctx: &ReplyContext<'_>) -> String {
    let mut out = String::new();
    out.push_str(reply.trim_end());
    out.push_str("\n\n-- \n");
    out.push_str(&header_text(ctx.agent_name));
    out.push('\n');
    out.push_str(&header_text(ctx.department));
    if let Some(site) = ctx.site {
        out.push_str(", ");
        out.push_str(&header_text(site));
    }
    out.push_str("\n\n");
    out.push_str(&format!(
        "On {}, {} wrote:\n",
        ctx.asked_at.format("%a, %-d %b %Y at %H:%M UTC"),
        header_text(ctx.visitor_name)
    ));
    let quoted: Vec<&str> = if ctx.visitor_messages.is_empty() {
        vec![ctx.question]
    } else {
        ctx.visitor_messages.iter().map(String::as_str).collect()
    };
    for (i, message) in quoted.iter().enumerate() {
        if i > 0 {
            out.push_str(">\n");
        }
        for line in message.trim_end().lines() {
            let line = line.trim_end();
            if line.is_empty() {
                out.push_str(">\n");
            } else {
                out.push_str("> ");
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Why an email could not be made into a message (a bad stored address, ...). Such
/// an email fails at once: trying again cannot help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ComposeError(pub String);

/// The RFC 5322 message for an outbox email. The same email always gives the same
/// message (its Date is when the reply was written), so a duplicate sent after a
/// crash is recognisable by its Message-ID.
pub fn message(settings: &EmailSettings, email: &OutgoingEmail) -> Result<Message, ComposeError> {
    let address = email
        .to_address
        .trim()
        .parse()
        .map_err(|_| ComposeError(format!("`{}` is not an email address", email.to_address)))?;
    let name = header_text(&email.to_name);
    let to = Mailbox::new((!name.is_empty()).then_some(name), address);
    let mut builder = Message::builder()
        .from(settings.from.clone())
        .to(to)
        .subject(header_text(&email.subject))
        .message_id(Some(email.message_id.clone()))
        .date(std::time::SystemTime::from(email.created_at))
        .user_agent(format!("Switchboard hub {}", env!("CARGO_PKG_VERSION")));
    if let Some(reply_to) = &settings.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    builder
        .singlepart(SinglePart::plain(email.body.clone()))
        .map_err(|e| ComposeError(format!("the message cannot be built: {e}")))
}

/// A Message-ID for outbox email `id`, unique to this hub's data (`nonce`) and in the
/// sender's domain.
pub fn message_id(id: i64, nonce: &str, settings: &EmailSettings) -> String {
    format!(
        "<switchboard.{id}.{nonce}@{}>",
        settings.from.email.domain()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(question: &'a str, messages: &'a [String]) -> ReplyContext<'a> {
        ReplyContext {
            visitor_name: "Olu Adeyemi",
            question,
            department: "Sales",
            site: Some("shop.acme.example"),
            agent_name: "Sam Rivera",
            visitor_messages: messages,
            asked_at: DateTime::parse_from_rfc3339("2025-06-02T21:40:13Z")
                .expect("a test time")
                .with_timezone(&Utc),
        }
    }

    #[test]
    fn the_subject_is_the_first_line_of_the_question() {
        assert_eq!(
            subject(&ctx(
                "Is there an education discount?\nWe are a school.",
                &[]
            )),
            "Re: Is there an education discount?"
        );
        let long = "a".repeat(200);
        let s = subject(&ctx(&long, &[]));
        assert_eq!(
            s.chars().count(),
            MAX_SUBJECT_CHARS,
            "long subjects are cut"
        );
        assert!(s.ends_with('…'));
        assert_eq!(
            subject(&ctx("  \n\t", &[])),
            "Your message to Sales at shop.acme.example",
            "without a question the subject names the department and site"
        );
        assert_eq!(
            subject(&ctx("Hi\r\nBcc: evil@example.com", &[])),
            "Re: Hi",
            "only the first line can reach the header"
        );
    }

    #[test]
    fn the_body_quotes_every_visitor_message() {
        let messages = vec![
            "Is there an education discount?\n\nWe are a school.".to_owned(),
            "30 teachers.".to_owned(),
        ];
        let b = body(
            "Yes: 40% off.",
            &ctx("Is there an education discount?", &messages),
        );
        assert_eq!(
            b,
            "Yes: 40% off.\n\n-- \nSam Rivera\nSales, shop.acme.example\n\n\
             On Mon, 2 Jun 2025 at 21:40 UTC, Olu Adeyemi wrote:\n\
             > Is there an education discount?\n>\n> We are a school.\n>\n> 30 teachers.\n"
        );
    }

    #[test]
    fn the_message_has_the_fixed_id_sender_and_recipient() {
        let settings = EmailSettings::default();
        let email = OutgoingEmail {
            to_name: "Olu \"the\" Adeyemi".into(),
            to_address: "olu@example.net".into(),
            subject: "Re: Discount".into(),
            body: "Yes.\n".into(),
            message_id: message_id(12, "abc", &settings),
            created_at: DateTime::parse_from_rfc3339("2025-06-03T09:31:10Z")
                .expect("a test time")
                .with_timezone(&Utc),
        };
        let text = String::from_utf8(message(&settings, &email).expect("builds").formatted())
            .expect("ASCII");
        assert!(text.contains("Message-ID: <switchboard.12.abc@switchboard.invalid>\r\n"));
        assert!(text.contains("From: Switchboard <noreply@switchboard.invalid>\r\n"));
        assert!(text.contains("olu@example.net>\r\n"), "{text}");
        assert!(text.contains("Subject: Re: Discount\r\n"));
        assert!(
            text.contains("Date: Tue, 03 Jun 2025 09:31:10 +0000\r\n"),
            "{text}"
        );
        let again = String::from_utf8(message(&settings, &email).expect("builds").formatted())
            .expect("ASCII");
        assert_eq!(text, again, "the same email gives the same message");
        let bad = OutgoingEmail {
            to_address: "nobody".into(),
            ..email
        };
        assert!(message(&settings, &bad).is_err());
    }
}
