"""A real SMTP server on 127.0.0.1 for the mail tests (aiosmtpd, in a thread): it keeps
every message it accepts with the connection (SMTP session) that carried it."""
from __future__ import annotations

import socket
import threading
from contextlib import contextmanager
from email import message_from_bytes

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    def __init__(self):
        self.received = []  # (session, email.message.Message), in arrival order
        self.refused: set[str] = set()  # addresses answered "550" (no such mailbox)
        # Past this many messages, the next one is answered "421" (the server is going away,
        # and smtplib hangs up), once; `closing` is set then.
        self.closing_after: int | None = None
        self.closing = threading.Event()
        self._waits: list[tuple[int, threading.Event]] = []

    def reached(self, count: int) -> threading.Event:
        """An event set once `count` messages in all have been accepted."""
        event = threading.Event()
        self._waits.append((count, event))
        if len(self.received) >= count:
            event.set()
        return event

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.closing_after is not None and len(self.received) >= self.closing_after:
            self.closing_after = None
            self.closing.set()
            return "421 4.3.2 Service shutting down"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.received.append((session, message_from_bytes(envelope.original_content or envelope.content)))
        for count, event in self._waits:
            if len(self.received) >= count:
                event.set()
        return "250 Message accepted for delivery"

    @property
    def messages(self):
        return [message for _, message in self.received]

    @property
    def recipients(self) -> list[str]:
        return [message["To"] for message in self.messages]

    @property
    def connections(self) -> int:
        return len({id(session) for session, _ in self.received})


@contextmanager
def smtp_sink(app, port: int | None = None, start: bool = True):
    """A sink, and `app` configured to send to it. `start=False` leaves the port closed
    (a mail server that is down) until `controller.start()`."""
    port = port or free_port()
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    keys = ("MAIL_BACKEND", "MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME")
    saved = {key: app.config[key] for key in keys}
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                      MAIL_USERNAME=None)
    if start:
        controller.start()
    try:
        yield sink, controller
    finally:
        app.config.update(saved)
        if getattr(controller, "_thread", None) is not None:
            controller.stop()
