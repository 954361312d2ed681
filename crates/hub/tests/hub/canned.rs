//! Canned responses: personal and department ones, their variables as the visitor
//! finally reads them, who may manage which, and the command line.

use switchboard_hub::{Clock, Settings};
use switchboard_protocol::agent;
use switchboard_protocol::{CannedId, CannedScope, DepartmentId, ErrorCode, fill_canned, limits};

use crate::cli::hub_cli;
use crate::support::*;

fn save(
    scope: CannedScope,
    department: Option<DepartmentId>,
    shortcut: &str,
    text: &str,
) -> agent::CannedSave {
    agent::CannedSave {
        client_id: new_client_id(),
        id: None,
        scope,
        department_id: department,
        shortcut: shortcut.into(),
        text: text.into(),
    }
}

#[tokio::test]
async fn a_canned_response_fills_in_its_variables_for_the_visitor() {
    let hub = spawn_hub().await;
    let mut ada = hub.online_agent(ADA).await;
    let request = save(
        CannedScope::Personal,
        None,
        "/thanks",
        "Thanks {visitor_name}, this is {agent_name} from {department}. {unknown} stays.",
    );
    let saved = ada.call(request.clone()).await.expect("Ada saves her own");
    assert_eq!(
        saved.response.shortcut, "thanks",
        "the leading slash is not part of it"
    );
    assert_eq!(saved.response.scope, CannedScope::Personal);
    let again = ada.call(request).await.expect("a retry is answered");
    assert_eq!(
        again.response.id, saved.response.id,
        "and creates nothing new"
    );

    let (mut vera, _started) = hub.visitor_chat("Vera", "Support").await;
    let accepted = ada.accept_next().await;
    let listed = ada.call(agent::CannedList {}).await.expect("canned.list");
    let thanks = listed
        .responses
        .iter()
        .find(|r| r.shortcut == "thanks")
        .expect("Ada's response is listed");
    let text = fill_canned(
        &thanks.text,
        &accepted.chat.visitor.name,
        "Ada Lovelace",
        &accepted.chat.department.name,
    );
    ada.say(accepted.chat.id, &text).await;
    vera.message("Thanks Vera, this is Ada Lovelace from Support. {unknown} stays.")
        .await;
}

#[tokio::test]
async fn agents_manage_their_own_and_only_admins_the_shared_ones() {
    let hub = spawn_hub().await;
    let boss = hub.add_admin("boss@switchboard.demo", "Bo Boss", &[]).await;
    let mut ada = hub.online_agent(ADA).await;
    let mut ben = hub.online_agent(BEN).await;
    let mut boss = hub.agent((boss.0.as_str(), boss.1.as_str())).await;
    let support = hub
        .sign_in(ADA)
        .await
        .agent
        .departments
        .into_iter()
        .find(|d| d.name == "Support")
        .expect("Ada is in Support")
        .id;

    let err = ada
        .call(save(
            CannedScope::Department,
            Some(support),
            "hello",
            "Hi {visitor_name}!",
        ))
        .await
        .expect_err("an agent may not save a department response");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let shared = boss
        .call(save(
            CannedScope::Department,
            Some(support),
            "hello",
            "Hi {visitor_name}, {agent_name} here.",
        ))
        .await
        .expect("an admin may")
        .response;
    assert_eq!(
        shared.department.as_ref().map(|d| d.name.as_str()),
        Some("Support")
    );
    let err = boss
        .call(save(CannedScope::Department, None, "bye", "Bye!"))
        .await
        .expect_err("a department response names its department");
    assert_eq!(err.code, ErrorCode::BadRequest);
    let err = boss
        .call(save(
            CannedScope::Department,
            Some(support),
            "HELLO",
            "Another",
        ))
        .await
        .expect_err("shortcuts are unique within a department, whatever the case");
    assert_eq!(err.code, ErrorCode::Conflict);

    let mine = ada
        .call(save(CannedScope::Personal, None, "hello", "Hello from Ada"))
        .await
        .expect("a personal shortcut may repeat a department one")
        .response;
    let err = ada
        .call(save(
            CannedScope::Personal,
            None,
            &"s".repeat(limits::MAX_SHORTCUT_CHARS + 1),
            "x",
        ))
        .await
        .expect_err("too long a shortcut");
    assert_eq!(err.code, ErrorCode::TooLarge);
    let err = ada
        .call(save(CannedScope::Personal, None, "two words", "x"))
        .await
        .expect_err("a shortcut is one word");
    assert_eq!(err.code, ErrorCode::BadRequest);
    let err = ada
        .call(save(
            CannedScope::Personal,
            None,
            "long",
            &"t".repeat(limits::MAX_MESSAGE_CHARS + 1),
        ))
        .await
        .expect_err("the text must fit in a message");
    assert_eq!(err.code, ErrorCode::TooLarge);

    let ada_list = ada.call(agent::CannedList {}).await.expect("list");
    let ids: Vec<CannedId> = ada_list.responses.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        vec![shared.id, mine.id],
        "Ada sees Support's shared response, then her own"
    );
    let ben_list = ben.call(agent::CannedList {}).await.expect("list");
    assert!(
        ben_list.responses.is_empty(),
        "Ben sees neither Support's responses nor Ada's own"
    );

    let err = ada
        .call(agent::CannedSave {
            id: Some(shared.id),
            ..save(
                CannedScope::Department,
                Some(support),
                "hello",
                "Changed by Ada",
            )
        })
        .await
        .expect_err("Ada may not change the shared one");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let err = ada
        .call(agent::CannedDelete { id: shared.id })
        .await
        .expect_err("nor delete it");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let err = ben
        .call(agent::CannedDelete { id: mine.id })
        .await
        .expect_err("Ben cannot even see Ada's own");
    assert_eq!(err.code, ErrorCode::NotFound);

    let changed = ada
        .call(agent::CannedSave {
            id: Some(mine.id),
            ..save(CannedScope::Personal, None, "hi", "Hi from Ada")
        })
        .await
        .expect("Ada changes her own")
        .response;
    assert_eq!((changed.id, changed.shortcut.as_str()), (mine.id, "hi"));
    ada.call(agent::CannedDelete { id: mine.id })
        .await
        .expect("and deletes it");
    let err = ada
        .call(agent::CannedDelete { id: mine.id })
        .await
        .expect_err("deleting twice");
    assert_eq!(err.code, ErrorCode::NotFound);
    boss.call(agent::CannedDelete { id: shared.id })
        .await
        .expect("the admin deletes the shared one");
    assert!(
        ada.call(agent::CannedList {})
            .await
            .expect("list")
            .responses
            .is_empty()
    );
}

#[tokio::test]
async fn admins_manage_canned_responses_from_the_command_line() {
    let dir = tempfile::tempdir().expect("a data dir");
    let data = dir.path();
    let (ok, _, err) = hub_cli(data, &["department", "add", "--name", "Support"], "").await;
    assert!(ok, "department add: {err}");
    let (ok, out, err) = hub_cli(
        data,
        &[
            "canned",
            "add",
            "--department",
            "support",
            "--shortcut",
            "hello",
            "--text",
            "Hi {visitor_name}, {agent_name} from {department} here.",
        ],
        "",
    )
    .await;
    assert!(ok, "canned add: {err}");
    assert!(out.contains("/hello") && out.contains("Support"), "{out}");
    let (ok, _, err) = hub_cli(
        data,
        &[
            "canned",
            "add",
            "--department",
            "Support",
            "--shortcut",
            "Hello",
            "--text",
            "again",
        ],
        "",
    )
    .await;
    assert!(!ok, "a duplicate shortcut is refused");
    assert!(err.contains("already"), "{err}");
    let (ok, _, err) = hub_cli(
        data,
        &[
            "canned",
            "add",
            "--department",
            "Nope",
            "--shortcut",
            "x",
            "--text",
            "y",
        ],
        "",
    )
    .await;
    assert!(!ok && err.contains("Nope"), "an unknown department: {err}");
    let (ok, _, _) = hub_cli(
        data,
        &["canned", "add", "--shortcut", "x", "--text", "y"],
        "",
    )
    .await;
    assert!(!ok, "a canned response needs an owner");

    // The hub, started on the same data, serves the CLI's response to Support agents.
    let mut settings = Settings::new("127.0.0.1:0".parse().expect("an address"), data);
    settings.demo = true;
    let hub = switchboard_hub::spawn(settings, Clock::system())
        .await
        .expect("the hub starts on the CLI's data");
    let signed = sign_in(&reqwest::Client::new(), hub.addr(), ADA).await;
    let mut ada = AgentPeer::connect(hub.addr(), &signed.token)
        .await
        .expect("Ada connects");
    ada.hello(None).await;
    let listed = ada.call(agent::CannedList {}).await.expect("list");
    let hello = listed
        .responses
        .iter()
        .find(|r| r.shortcut == "hello")
        .expect("the shared response made on the command line");
    assert_eq!(hello.scope, CannedScope::Department);
    let id = hello.id.0.to_string();

    let (ok, out, err) = hub_cli(data, &["canned", "list", "--department", "Support"], "").await;
    assert!(ok && out.contains("/hello"), "canned list: {out} {err}");
    let (ok, _, err) = hub_cli(data, &["canned", "remove", "--id", &id], "").await;
    assert!(ok, "canned remove: {err}");
    let (ok, out, _) = hub_cli(data, &["canned", "list"], "").await;
    assert!(ok && !out.contains("/hello"), "removed: {out}");
    let (ok, _, err) = hub_cli(data, &["canned", "remove", "--id", &id], "").await;
    assert!(!ok && err.contains("no canned response"), "{err}");
    assert!(
        ada.call(agent::CannedList {})
            .await
            .expect("list")
            .responses
            .is_empty()
    );
    hub.stop().await.expect("the hub stops");
}
