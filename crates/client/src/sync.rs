//! Applies what the hub sends to the cache, and says what changed for the console.
//!
//! Each durable push is applied in one transaction that also advances the sync
//! cursor to its seq, so a crash between the two cannot skip a push or apply one
//! twice; a push at or below the cursor (a replay) changes nothing.

use std::sync::Arc;

use switchboard_protocol::agent::{AgentPush, Snapshot};
use switchboard_protocol::{ChatEvent, ChatId, OfferEnd, Seq};

use crate::cache::{self, Cache, keys};
use crate::clock::Clock;
use crate::connection::ConnectionState;
use crate::console::{ChatAlert, Console, ConsoleChange, OpenChat};
use crate::error::Result;
use crate::outbox;

/// The console changes an ephemeral push makes; nothing is stored.
pub(crate) fn ephemeral(push: &AgentPush) -> Vec<ConsoleChange> {
    match push {
        AgentPush::Typing(t) => vec![ConsoleChange::Typing {
            chat_id: t.chat_id,
            party: t.party,
            typing: t.typing,
            preview: t.preview.clone(),
        }],
        AgentPush::Alert(a) => vec![ConsoleChange::Alert {
            alert: ChatAlert {
                chat_id: a.chat_id,
                kind: a.kind,
                since: a.since,
                waited_secs: a.waited_secs,
            },
        }],
        AgentPush::QueueUpdated(q) => vec![ConsoleChange::Queue {
            department: q.department.clone(),
            entries: q.entries.clone(),
        }],
        AgentPush::Presence(p) => vec![ConsoleChange::Presence {
            agent: p.agent.clone(),
        }],
        _ => Vec::new(),
    }
}

/// Apply durable push `seq` (or an unknown push that only advances the cursor).
pub(crate) async fn apply_durable(
    cache: &Cache,
    seq: Seq,
    push: Option<&AgentPush>,
) -> Result<Vec<ConsoleChange>> {
    let mut tx = cache.begin().await?;
    let mut changes = Vec::new();
    match push {
        None => {}
        Some(AgentPush::OfferNew(o)) => {
            let offer = &o.offer;
            cache::upsert_chat(&mut tx, &offer.chat, None).await?;
            cache::insert_events(&mut tx, &offer.events).await?;
            cache::upsert_offer(&mut tx, offer).await?;
            changes.push(ConsoleChange::OfferAdded {
                offer: offer.clone(),
            });
        }
        Some(AgentPush::OfferClosed(c)) => {
            cache::delete_offers(&mut tx, Some(c.offer_id), None).await?;
            changes.push(ConsoleChange::OfferRemoved {
                offer_id: c.offer_id,
                chat_id: c.chat_id,
                reason: Some(c.reason),
            });
        }
        Some(AgentPush::ChatAssigned(a)) => {
            changes.extend(open_chat(&mut tx, &a.chat, &a.events).await?);
        }
        Some(AgentPush::ChatEvent(e)) => {
            let fresh = cache::insert_events(&mut tx, std::slice::from_ref(&e.event)).await?;
            if !fresh.is_empty() {
                changes.push(ConsoleChange::ChatEvents {
                    chat_id: e.event.chat_id,
                    events: fresh,
                });
            }
        }
        Some(AgentPush::ChatUpdated(u)) => {
            cache::upsert_chat(&mut tx, &u.chat, None).await?;
            changes.push(ConsoleChange::ChatUpdated {
                chat: u.chat.clone(),
            });
        }
        Some(AgentPush::ChatReleased(r)) => {
            cache::set_held(&mut tx, r.chat_id, false).await?;
            changes.push(ConsoleChange::ChatClosed {
                chat_id: r.chat_id,
                reason: r.reason,
            });
        }
        Some(AgentPush::TransferReturned(t)) => changes.push(ConsoleChange::TransferReturned {
            chat_id: t.chat_id,
            to: t.to.clone(),
            reason: t.reason,
        }),
        Some(AgentPush::MissedNew(m)) | Some(AgentPush::MissedUpdated(m)) => {
            cache::upsert_missed(&mut tx, &m.missed).await?;
            changes.push(ConsoleChange::Missed {
                missed: m.missed.clone(),
                is_new: matches!(push, Some(AgentPush::MissedNew(_))),
            });
        }
        Some(AgentPush::StatusChanged(s)) => {
            cache::put_meta(&mut tx, keys::STATUS, &s.status).await?;
            changes.push(ConsoleChange::Status {
                status: s.status,
                reason: (!s.reason.is_empty()).then(|| s.reason.clone()),
            });
        }
        Some(other) => changes.extend(ephemeral(other)),
    }
    cache::set_cursor(&mut tx, seq).await?;
    tx.commit().await?;
    Ok(changes)
}

/// A chat became the agent's: store it as held with its events, drop its offers.
pub(crate) async fn open_chat(
    tx: &mut cache::Tx,
    chat: &switchboard_protocol::ChatSummary,
    events: &[ChatEvent],
) -> Result<Vec<ConsoleChange>> {
    let mut changes = Vec::new();
    cache::upsert_chat(tx, chat, Some(true)).await?;
    cache::insert_events(tx, events).await?;
    for offer_id in cache::delete_offers(tx, None, Some(chat.id)).await? {
        changes.push(ConsoleChange::OfferRemoved {
            offer_id,
            chat_id: chat.id,
            reason: Some(OfferEnd::Accepted),
        });
    }
    let events = cache::events_in(tx, chat.id).await?;
    changes.push(ConsoleChange::ChatOpened {
        chat: OpenChat {
            chat: chat.clone(),
            events,
            visitor_typing: false,
            visitor_preview: None,
        },
    });
    Ok(changes)
}

/// Events fetched with `chat.events` (catch-up) or with a transcript.
pub(crate) async fn apply_events(
    cache: &Cache,
    chat_id: ChatId,
    events: &[ChatEvent],
) -> Result<Vec<ConsoleChange>> {
    let mut tx = cache.begin().await?;
    let fresh = cache::insert_events(&mut tx, events).await?;
    tx.commit().await?;
    Ok(if fresh.is_empty() {
        Vec::new()
    } else {
        vec![ConsoleChange::ChatEvents {
            chat_id,
            events: fresh,
        }]
    })
}

/// Replace the replica with a snapshot, and set the cursor to its seq, in one step.
pub(crate) async fn apply_snapshot(cache: &Cache, snapshot: &Snapshot) -> Result<()> {
    let mut tx = cache.begin().await?;
    cache::put_meta(&mut tx, keys::STATUS, &snapshot.status).await?;
    cache::put_meta(&mut tx, keys::DEPARTMENTS, &snapshot.departments).await?;
    cache::clear_offers(&mut tx).await?;
    for offer in &snapshot.offers {
        cache::upsert_chat(&mut tx, &offer.chat, None).await?;
        cache::insert_events(&mut tx, &offer.events).await?;
        cache::upsert_offer(&mut tx, offer).await?;
    }
    cache::clear_held(&mut tx).await?;
    for chat in &snapshot.chats {
        cache::upsert_chat(&mut tx, chat, Some(true)).await?;
    }
    cache::replace_missed(&mut tx, &snapshot.missed).await?;
    cache::set_cursor(&mut tx, snapshot.seq).await?;
    tx.commit().await?;
    Ok(())
}

/// Build the console from the cache: what the app shows at start-up, before (or
/// without) a connection, and after a snapshot.
pub(crate) async fn load_console(
    cache: &Cache,
    connection: ConnectionState,
    clock: &Arc<dyn Clock>,
) -> Result<Console> {
    let mut console = Console::new(connection);
    console.agent = cache.meta(keys::AGENT).await?;
    console.status = cache.meta(keys::STATUS).await?;
    console.departments = cache.meta(keys::DEPARTMENTS).await?.unwrap_or_default();
    let now = clock.now();
    console.offers = cache
        .offers()
        .await?
        .into_iter()
        .filter(|o| o.expires_at > now)
        .collect();
    for chat in cache.held_chats().await? {
        let events = cache.events(chat.id).await?;
        console.chats.push(OpenChat {
            chat,
            events,
            visitor_typing: false,
            visitor_preview: None,
        });
    }
    console.missed = cache.missed().await?;
    // An item whose message the hub already stored (its acknowledgement was lost to
    // a crash or a drop) is resent for its reply, but no longer shown as pending.
    let delivered: std::collections::HashSet<&switchboard_protocol::ClientId> = console
        .chats
        .iter()
        .flat_map(|c| c.events.iter())
        .filter_map(|e| match &e.body {
            switchboard_protocol::EventBody::Message { client_id, .. } => client_id.as_ref(),
            _ => None,
        })
        .collect();
    let outbox = outbox::load_all(cache).await?;
    console.outbox = outbox
        .into_iter()
        .filter(|i| !delivered.contains(&i.client_id))
        .collect();
    Ok(console)
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use switchboard_protocol::agent::{ChatAssigned, ChatEventPush, ChatReleased, ReleaseReason};
    use switchboard_protocol::{
        AgentId, AgentRef, Author, ChatState, ChatSummary, DepartmentId, DepartmentRef, EventBody,
        EventId, VisitorInfo,
    };

    use super::*;
    use crate::clock::SystemClock;

    fn chat(id: i64, visitor: &str) -> ChatSummary {
        ChatSummary {
            id: ChatId(id),
            department: DepartmentRef {
                id: DepartmentId(1),
                name: "Support".into(),
            },
            visitor: VisitorInfo {
                name: visitor.into(),
                email: Some(format!("{}@example.com", visitor.to_lowercase())),
                page_url: None,
                user_agent: None,
                site: None,
                previous_chats: 0,
            },
            question: "help".into(),
            state: ChatState::Active,
            agent: Some(AgentRef {
                id: AgentId(1),
                name: "Sam".into(),
            }),
            created_at: Utc::now(),
            accepted_at: None,
            ended_at: None,
            last_event_id: None,
            visitor_waiting_since: None,
            wrap_up: None,
        }
    }

    fn said(id: i64, chat: i64, who: &str, text: &str) -> ChatEvent {
        ChatEvent {
            id: EventId(id),
            chat_id: ChatId(chat),
            at: Utc::now(),
            body: EventBody::Message {
                author: Author::Visitor { name: who.into() },
                text: text.into(),
                client_id: None,
            },
        }
    }

    #[tokio::test]
    async fn pushes_advance_the_cursor_with_their_change_and_survive_a_reopen() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("cache.sqlite3");
        let cache = Cache::open(&path).await.expect("cache opens");
        let assigned = AgentPush::ChatAssigned(ChatAssigned {
            chat: chat(10, "Ada"),
            events: vec![said(100, 10, "Ada", "My parcel never arrived")],
        });
        let changes = apply_durable(&cache, Seq(1), Some(&assigned))
            .await
            .expect("applies");
        assert!(
            changes
                .iter()
                .any(|c| matches!(c, ConsoleChange::ChatOpened { .. })),
            "an assigned chat opens a tab"
        );
        let event = AgentPush::ChatEvent(ChatEventPush {
            event: said(101, 10, "Ada", "The tracking number is ZX-42"),
        });
        apply_durable(&cache, Seq(2), Some(&event))
            .await
            .expect("applies");
        let again = apply_durable(&cache, Seq(3), Some(&event))
            .await
            .expect("a replayed event is harmless");
        assert!(again.is_empty(), "an event already stored changes nothing");
        assert_eq!(cache.last_seq().await.expect("reads"), Seq(3));
        cache.close().await;

        let reopened = Cache::open(&path).await.expect("cache reopens");
        assert_eq!(
            reopened.last_seq().await.expect("reads"),
            Seq(3),
            "the cursor survives a restart"
        );
        let hits = reopened.search("tracking zx", 10).await.expect("searches");
        assert_eq!(hits.len(), 1, "both words must match one message");
        assert_eq!(hits[0].chat_id, ChatId(10));
        assert!(
            hits[0]
                .snippet
                .iter()
                .any(|p| p.hit && p.text == "tracking"),
            "the snippet marks the matched word: {:?}",
            hits[0].snippet
        );
        let console = load_console(
            &reopened,
            ConnectionState::Connecting,
            &(Arc::new(SystemClock) as Arc<dyn Clock>),
        )
        .await
        .expect("loads");
        assert_eq!(
            console.chats.len(),
            1,
            "the held chat is back after a restart"
        );
        assert_eq!(console.chats[0].events.len(), 2);

        let released = AgentPush::ChatReleased(ChatReleased {
            chat_id: ChatId(10),
            reason: ReleaseReason::WrappedUp,
        });
        apply_durable(&reopened, Seq(4), Some(&released))
            .await
            .expect("applies");
        assert!(reopened.held_chats().await.expect("reads").is_empty());
        let history = reopened.history(None, 10).await.expect("browses");
        assert_eq!(history.len(), 1, "a released chat stays in history");
        assert_eq!(history[0].messages, 2);
        assert_eq!(
            reopened
                .visitor_chats("ADA@example.com", ChatId(0))
                .await
                .expect("reads")
                .len(),
            1,
            "previous chats are found by email whatever its case"
        );
    }

    #[tokio::test]
    async fn history_pages_newest_first() {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join("c.sqlite3"))
            .await
            .expect("cache opens");
        let mut tx = cache.begin().await.expect("begins");
        for id in 1..=5 {
            cache::upsert_chat(&mut tx, &chat(id, "Bo"), None)
                .await
                .expect("stores");
        }
        tx.commit().await.expect("commits");
        let first = cache.history(None, 2).await.expect("pages");
        let ids: Vec<i64> = first.iter().map(|h| h.chat.id.0).collect();
        assert_eq!(ids, vec![5, 4]);
        let next = cache.history(Some(ChatId(4)), 2).await.expect("pages");
        let ids: Vec<i64> = next.iter().map(|h| h.chat.id.0).collect();
        assert_eq!(ids, vec![3, 2], "the next page starts below the last id");
    }
}
