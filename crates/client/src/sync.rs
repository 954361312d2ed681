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
