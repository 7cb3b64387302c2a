"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a port of its own.

pytest plugin (conftest.py: ``pytest_plugins``). The fixture ``smtp_sink`` starts a sink for one
test; point a worker at ``smtp_sink.url`` (EMAIL_URL) or the test process at it with
``smtp_sink.django_settings(settings)``. The sink can be told to

- answer the first attempt for each recipient with ``451`` (a temporary failure the sender
  must retry): ``smtp_sink.fail_first_attempt = True``;
- hold each message for a moment before answering, so that concurrent senders overlap:
  ``smtp_sink.answer_delay = 0.3``;
- run a hook while a message's DATA has been received but before the sink accepts it:
  ``smtp_sink.before_accept = hook``; a hook returning an SMTP reply (e.g. ``"451 ..."``)
  refuses the message instead of storing it.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


class _AnyPortController(Controller):
    """aiosmtpd's Controller bound to port 0: the kernel picks a free port, read back here."""

    def _trigger_server(self):
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpSink:
    """Stores every accepted message; thread-safe (the server runs in its own thread)."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._messages: list[ReceivedMail] = []
        self._attempts: Counter[str] = Counter()
        self.fail_first_attempt = False
        self.answer_delay = 0.0
        self.before_accept: Callable[[object], str | None] | None = None
        self._controller = _AnyPortController(self, hostname="127.0.0.1", port=0)

    # --- lifecycle ------------------------------------------------------------------------
    def start(self) -> SmtpSink:
        # aiosmtpd logs every line of every conversation at INFO ("mail.log"): 60,000 lines in
        # one bench run of the bulletin figure. The sink's conversations are its caller's to
        # inspect; its own warnings and errors still show.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return self._controller.port

    @property
    def url(self) -> str:
        """For EMAIL_URL (django-environ)."""
        return f"smtp://127.0.0.1:{self.port}"

    def django_settings(self, settings) -> None:
        """Point the test process's own mail at the sink (pytest-django's `settings` fixture)."""
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = self.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""

    # --- the aiosmtpd handler -------------------------------------------------------------
    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's hook name
        rcpts = tuple(envelope.rcpt_tos)
        with self._lock:
            first_try = any(self._attempts[r] == 0 for r in rcpts)
            self._attempts.update(rcpts)
        if self.answer_delay:
            await asyncio.sleep(self.answer_delay)
        hook = self.before_accept
        if hook is not None:
            reply = hook(envelope)
            if reply:
                return reply
        if self.fail_first_attempt and first_try:
            return "451 4.3.0 Temporary failure, try again later"
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        with self._lock:
            self._messages.append(ReceivedMail(envelope.mail_from, rcpts, message))
            self._lock.notify_all()
        return "250 2.0.0 Message accepted"

    # --- what arrived ---------------------------------------------------------------------
    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    def __len__(self) -> int:
        with self._lock:
            return len(self._messages)

    def per_recipient(self) -> Counter[str]:
        """Accepted messages per recipient address."""
        with self._lock:
            return Counter(r for m in self._messages for r in m.rcpt_tos)

    def attempts(self) -> Counter[str]:
        """DATA commands per recipient address, refused ones included."""
        with self._lock:
            return Counter(self._attempts)

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until at least `count` messages have been accepted."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self._messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
        return True


@pytest.fixture
def smtp_sink():
    """A running SMTP sink on 127.0.0.1, stopped after the test."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()
