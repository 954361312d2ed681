//! Opening hours: outside its weekly schedule (in its own time zone, on the hub's
//! clock) a department takes no chats; they are missed and the visitor is offered the
//! offline form.

use chrono::{DateTime, Utc};
use switchboard_hub::ManualClock;
use switchboard_hub::admin::DepartmentChanges;
use switchboard_protocol::visitor::{self, DepartmentStatus, VisitorChatState};
use switchboard_protocol::{MissedReason, PROTOCOL_VERSION};

use crate::missed::{missed_new, start_missed, survey};
use crate::support::*;

async fn departments(hub: &TestHub) -> Vec<DepartmentStatus> {
    let mut v = VisitorPeer::connect(hub.hub.addr(), &hub.hub.origin())
        .await
        .expect("connects");
    v.call(visitor::Hello {
        protocol: PROTOCOL_VERSION,
        token: None,
    })
    .await
    .expect("hello")
    .departments
}

fn status<'a>(list: &'a [DepartmentStatus], name: &str) -> &'a DepartmentStatus {
    list.iter()
        .find(|d| d.name == name)
        .expect("the department is listed")
}

fn hours(schedule: &str, zone: &str) -> DepartmentChanges {
    DepartmentChanges {
        opening_hours: Some(schedule.into()),
        time_zone: Some(zone.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn outside_its_opening_hours_a_department_misses_chats_in_its_own_time_zone() {
    // Friday 6 June 2025, 16:58 in Berlin (UTC+2), 15:58 in London (UTC+1).
    let start: DateTime<Utc> = "2025-06-06T14:58:00Z".parse().expect("a time");
    let dir = tempfile::tempdir().expect("a data dir");
    let hub = spawn_hub_in(dir, ManualClock::new(start), |_| {}).await;
    hub.set_department("Support", hours("mon-fri 09:00-17:00", "Europe/Berlin"))
        .await;
    hub.set_department("Sales", hours("mon-fri 09:00-17:00", "Europe/London"))
        .await;
    let mut ada = hub.online_agent(ADA).await;
    let _ben = hub.online_agent(BEN).await;

    let list = departments(&hub).await;
    assert!(status(&list, "Support").open && status(&list, "Support").available);
    assert!(status(&list, "Sales").open && status(&list, "Sales").available);
    let (_early, before_close) = hub.visitor_chat("Early", "Support").await;
    assert_eq!(
        before_close.state,
        VisitorChatState::Connecting,
        "16:58 in Berlin: Support takes the chat"
    );
    assert_eq!(ada.offer().await.chat.id, before_close.chat_id);

    hub.advance(120).await;
    let list = departments(&hub).await;
    assert!(
        !status(&list, "Support").open && !status(&list, "Support").available,
        "17:00 in Berlin: Support is closed, so the widget shows the offline form"
    );
    assert!(
        status(&list, "Sales").open && status(&list, "Sales").available,
        "16:00 in London: Sales is still open"
    );

    let (_late, missed_chat) = start_missed(
        &hub,
        survey(
            "Late",
            Some("late@visitor.example"),
            "Still open?",
            "Support",
        ),
    )
    .await;
    let missed = missed_new(&mut ada).await;
    assert_eq!(missed.chat_id, missed_chat.chat_id);
    assert_eq!(
        missed.reason,
        MissedReason::Closed,
        "missed because Support is closed, not for want of agents"
    );
    let (_sales, sales_chat) = hub.visitor_chat("Sal", "Sales").await;
    assert_eq!(sales_chat.state, VisitorChatState::Connecting);

    // Dropping the schedule opens Support around the clock.
    hub.set_department(
        "Support",
        DepartmentChanges {
            always_open: true,
            ..Default::default()
        },
    )
    .await;
    let list = departments(&hub).await;
    assert!(status(&list, "Support").open);
}

#[tokio::test]
async fn a_schedule_needs_a_valid_time_zone_and_days() {
    let hub = spawn_hub().await;
    let set = async |changes: &DepartmentChanges| {
        switchboard_hub::admin::department_set(hub.store(), "Support", changes).await
    };
    let err = set(&hours("mon-fri 09:00-17:00", "Moon/Base"))
        .await
        .expect_err("not a zone");
    assert!(err.to_string().contains("IANA"), "{err}");
    let err = set(&DepartmentChanges {
        opening_hours: Some("mon-fri 09:00-17:00".into()),
        ..Default::default()
    })
    .await
    .expect_err("hours without a zone");
    assert!(err.to_string().contains("time zone"), "{err}");
    let d = set(&hours(
        "Mon-Fri 9:00-17:30; sat 10:00-14:00",
        "Europe/Berlin",
    ))
    .await
    .expect("a valid schedule");
    let h = d.hours.expect("Support now has opening hours");
    assert_eq!(h.schedule(), "mon-fri 09:00-17:30, sat 10:00-14:00");
    let d = set(&DepartmentChanges {
        time_zone: Some("America/New_York".into()),
        ..Default::default()
    })
    .await
    .expect("the zone alone can change");
    assert_eq!(d.hours.expect("still scheduled").zone(), "America/New_York");
}
