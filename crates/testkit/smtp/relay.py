"""A real SMTP relay for the tests: aiosmtpd (PyPI) with TLS and AUTH, certificates from trustme.

Started by `crates/testkit/src/aiosmtpd.rs` with, in the environment:
  CERT_DIR   where the throwaway CA (ca.pem) and the server's certificate (server.pem, for
             localhost and 127.0.0.1) are; made on first use and reused after, so that a relay
             restarted on the same port presents a certificate the client already trusts.
  MODE       starttls (STARTTLS required before AUTH and mail), implicit (TLS from the first
             byte), or certs (make the certificates, print {"ready": true} and exit).
  PORT       the port to listen on, on 127.0.0.1.
  SMTP_USER, SMTP_PASSWORD   the only accepted login (AUTH PLAIN or LOGIN), required for mail.

Prints one JSON object per line on stdout: {"listening": port} once ready; {"auth": mechanism,
"ok": bool} per login; {"from", "to", "data"} per accepted message.
"""

import asyncio
import json
import os
import ssl
from pathlib import Path

import trustme
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

CERT_DIR = Path(os.environ["CERT_DIR"])
MODE = os.environ["MODE"]
USER = os.environ.get("SMTP_USER", "").encode()
PASSWORD = os.environ.get("SMTP_PASSWORD", "").encode()


def say(value):
    print(json.dumps(value), flush=True)


def tls_context():
    ca_file = CERT_DIR / "ca.pem"
    server_file = CERT_DIR / "server.pem"
    if not ca_file.exists():
        ca = trustme.CA()
        server = ca.issue_cert("localhost", "127.0.0.1")
        server.private_key_and_cert_chain_pem.write_to_path(str(server_file))
        ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(server_file))
    return context


class Handler:
    async def handle_DATA(self, server, session, envelope):
        data = envelope.content.decode("utf-8", "replace").replace("\r\n", "\n")
        say({"from": envelope.mail_from, "to": envelope.rcpt_tos, "data": data})
        return "250 OK: queued"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER
        and auth_data.password == PASSWORD
    )
    say({"auth": mechanism, "ok": ok})
    # handled=False: aiosmtpd answers 535 itself; handled=True without an answer hangs the
    # client.
    return AuthResult(success=True) if ok else AuthResult(success=False, handled=False)


async def main():
    context = tls_context()
    if MODE == "certs":
        say({"ready": True})
        return
    implicit = MODE == "implicit"

    def protocol():
        return SMTP(
            Handler(),
            hostname="localhost",
            tls_context=None if implicit else context,
            require_starttls=not implicit,
            auth_required=True,
            # With implicit TLS aiosmtpd does not know the connection is encrypted.
            auth_require_tls=not implicit,
            authenticator=authenticator,
        )

    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        protocol,
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        ssl=context if implicit else None,
    )
    say({"listening": server.sockets[0].getsockname()[1]})
    await server.serve_forever()


asyncio.run(main())
