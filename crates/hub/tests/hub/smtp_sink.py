"""A real SMTP server for the hub's tests, on loopback (aiosmtpd; `pip install aiosmtpd`).

    smtp_sink.py serve --port PORT --dir DIR [--user NAME]
        Accept mail on 127.0.0.1:PORT and save each message as DIR/NNNN.eml with
        DIR/NNNN.json beside it (envelope, headers and the decoded plain-text body).
        With --user, AUTH PLAIN/LOGIN is required with that name and the password in
        the SMTP_SINK_PASSWORD environment variable. Prints "READY" once listening.

    smtp_sink.py parse FILE
        Print the same JSON for an .eml file.
"""

import argparse
import email
import email.policy
import json
import os
import signal
import sys
import threading
import warnings

# The sink runs on loopback only; AUTH without TLS is what the tests want.
warnings.filterwarnings("ignore")


def describe(raw: bytes) -> dict:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(preferencelist=("plain",))
    return {
        "from": str(msg.get("From", "")),
        "to": str(msg.get("To", "")),
        "reply_to": str(msg["Reply-To"]) if msg["Reply-To"] else None,
        "subject": str(msg.get("Subject", "")),
        "message_id": str(msg.get("Message-ID", "")),
        "date": str(msg.get("Date", "")),
        "content_type": msg.get_content_type(),
        "body": body.get_content().replace("\r\n", "\n") if body is not None else "",
    }


def write_atomically(path: str, data: bytes) -> None:
    partial = path + ".partial"
    with open(partial, "wb") as f:
        f.write(data)
    os.replace(partial, path)


class Sink:
    def __init__(self, folder: str):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        raw = envelope.original_content or envelope.content
        info = describe(raw)
        info["mail_from"] = envelope.mail_from
        info["rcpt_tos"] = list(envelope.rcpt_tos)
        info["login"] = session.auth_data if session.authenticated else None
        base = os.path.join(self.folder, f"{n:04d}")
        write_atomically(base + ".eml", raw)
        write_atomically(base + ".json", json.dumps(info).encode())
        return "250 Message accepted for delivery"


def serve(port: int, folder: str, user: str | None) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    kwargs = {}
    if user is not None:
        password = os.environ.get("SMTP_SINK_PASSWORD", "")

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == user
                and auth_data.password.decode() == password
            )
            return AuthResult(success=ok, auth_data=user if ok else None)

        kwargs = {
            "authenticator": authenticator,
            "auth_required": True,
            "auth_require_tls": False,
        }
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("READY", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


def main() -> int:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--dir", required=True)
    s.add_argument("--user")
    p = sub.add_parser("parse")
    p.add_argument("file")
    args = parser.parse_args()
    if args.command == "serve":
        serve(args.port, args.dir, args.user)
    else:
        with open(args.file, "rb") as f:
            print(json.dumps(describe(f.read())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
