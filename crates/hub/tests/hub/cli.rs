//! The command line: admin subcommands against a data dir, passwords from stdin,
//! clear errors with a non-zero exit.

use std::path::Path;
use std::process::Stdio;

use tokio::io::AsyncWriteExt;
use tokio::process::Command;

/// Run the hub binary with `args` (and `--data DIR`), feeding `stdin`.
pub(crate) async fn hub_cli(data: &Path, args: &[&str], stdin: &str) -> (bool, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard-hub"))
        .args(args)
        .arg("--data")
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hub binary runs");
    let mut input = child.stdin.take().expect("stdin is piped");
    input
        .write_all(stdin.as_bytes())
        .await
        .expect("stdin takes the input");
    drop(input);
    let out = child
        .wait_with_output()
        .await
        .expect("the command finishes");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn admins_manage_agents_departments_sites_and_rules_from_the_command_line() {
    let dir = tempfile::tempdir().expect("a data dir");
    let data = dir.path();

    let (ok, out, err) = hub_cli(
        data,
        &[
            "department",
            "add",
            "--name",
            "Billing",
            "--skills",
            "billing",
        ],
        "",
    )
    .await;
    assert!(ok, "department add works: {err}");
    assert!(out.contains("Billing"));
    let (ok, out, err) = hub_cli(
        data,
        &[
            "department",
            "set",
            "--name",
            "billing",
            "--backup",
            "next_available",
            "--offer-timeout",
            "30",
            "--inactivity-prompt",
            "120",
            "--inactivity-close",
            "240",
        ],
        "",
    )
    .await;
    assert!(ok, "department set works: {err}");
    assert!(
        out.contains("next_available") && out.contains("offer 30s"),
        "the settings show: {out}"
    );

    let (ok, out, err) = hub_cli(
        data,
        &[
            "agent",
            "add",
            "--email",
            "zoe@example.com",
            "--name",
            "Zoe",
            "--departments",
            "Billing",
            "--skills",
            "french,billing",
        ],
        "a long enough password\n",
    )
    .await;
    assert!(ok, "agent add works: {err}");
    assert!(out.contains("zoe@example.com"));
    let (ok, out, _) = hub_cli(data, &["agent", "list"], "").await;
    assert!(
        ok && out.contains("Zoe") && out.contains("Billing") && out.contains("french"),
        "{out}"
    );
    assert!(
        !out.contains("a long enough password"),
        "passwords are never printed"
    );

    let (ok, out, err) = hub_cli(
        data,
        &["agent", "disable", "--email", "zoe@example.com"],
        "",
    )
    .await;
    assert!(ok, "agent disable works: {err}");
    assert!(out.contains("DISABLED"));

    let (ok, out, err) = hub_cli(
        data,
        &[
            "site",
            "add",
            "--name",
            "Shop",
            "--origin",
            "https://Shop.Example.com/",
        ],
        "",
    )
    .await;
    assert!(ok, "site add works: {err}");
    assert!(
        out.contains("https://shop.example.com"),
        "origins are normalized: {out}"
    );
    let (ok, out, err) = hub_cli(
        data,
        &[
            "rule",
            "add",
            "--site",
            "Shop",
            "--department",
            "Billing",
            "--skill",
            "french",
        ],
        "",
    )
    .await;
    assert!(ok, "rule add works: {err}");
    assert!(out.contains("Shop + Billing -> skill french"), "{out}");
    let (ok, out, _) = hub_cli(data, &["rule", "list"], "").await;
    assert!(ok && out.contains("french"));

    // Errors are clear and exit non-zero.
    let (ok, _, err) = hub_cli(
        data,
        &["agent", "add", "--email", "x@example.com", "--name", "X"],
        "short\n",
    )
    .await;
    assert!(
        !ok && err.contains("at least 8 characters"),
        "a short password is refused: {err}"
    );
    let (ok, _, err) = hub_cli(
        data,
        &["agent", "add", "--email", "y@example.com", "--name", "Y"],
        "",
    )
    .await;
    assert!(!ok && err.contains("no password on stdin"), "{err}");
    let (ok, _, err) = hub_cli(
        data,
        &[
            "agent",
            "add",
            "--email",
            "zoe@example.com",
            "--name",
            "Zoe",
        ],
        "another good password\n",
    )
    .await;
    assert!(
        !ok && err.contains("exists"),
        "a duplicate email is refused: {err}"
    );
    let (ok, _, err) = hub_cli(
        data,
        &[
            "agent",
            "add",
            "--email",
            "q@example.com",
            "--name",
            "Q",
            "--departments",
            "Nowhere",
        ],
        "a fine password\n",
    )
    .await;
    assert!(
        !ok && err.contains("no department named `Nowhere`"),
        "{err}"
    );
    let (ok, _, err) = hub_cli(
        data,
        &[
            "department",
            "set",
            "--name",
            "Billing",
            "--backup",
            "random",
        ],
        "",
    )
    .await;
    assert!(!ok && err.contains("unknown backup mode"), "{err}");
    let (ok, _, err) = hub_cli(
        data,
        &["site", "add", "--name", "Bad", "--origin", "not a url"],
        "",
    )
    .await;
    assert!(!ok && err.contains("is not an origin"), "{err}");
    let (ok, _, err) = hub_cli(
        data,
        &["agent", "disable", "--email", "nobody@example.com"],
        "",
    )
    .await;
    assert!(!ok && err.contains("no agent with email"), "{err}");
}
