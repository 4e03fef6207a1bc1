"""A tiny SMTP server for tests (the stdlib smtpd module is gone since Python 3.12).

It speaks just enough SMTP for Django's SMTP backend: greeting, EHLO/HELO, MAIL, RCPT, DATA,
RSET, NOOP, QUIT. `rcpt_reply` sets its answer to RCPT TO (e.g. "550 5.1.1 No such user").
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field
from types import TracebackType


@dataclass
class Received:
    sender: str
    recipients: list[str]
    data: bytes


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")

    def handle(self) -> None:
        self.reply("220 test.local ESMTP ready")
        sender, recipients = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250 test.local")
            elif verb == "MAIL":
                sender, recipients = line.split(":", 1)[1].strip(), []
                self.reply("250 OK")
            elif verb == "RCPT":
                answer = self.server.rcpt_reply
                if answer.startswith("250"):
                    recipients.append(line.split(":", 1)[1].strip())
                self.reply(answer)
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                chunks = []
                while True:
                    chunk = self.rfile.readline()
                    if chunk in (b".\r\n", b".\n", b""):
                        break
                    chunks.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                self.server.received.append(Received(sender, recipients, b"".join(chunks)))
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    rcpt_reply: str
    received: list[Received]


@dataclass
class SMTPServer:
    rcpt_reply: str = "250 OK"
    received: list[Received] = field(default_factory=list)

    def __enter__(self) -> SMTPServer:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.rcpt_reply = self.rcpt_reply
        self._server.received = self.received
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def mailers(self) -> dict[str, object]:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }
