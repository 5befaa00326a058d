"""Outgoing mail: SMTP when configured, otherwise an outbox folder a developer can read."""

from __future__ import annotations

import asyncio
import smtplib
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Protocol

from ott.core.settings import Settings


class Mailer(Protocol):
    async def send(self, *, to: str, subject: str, text: str) -> None: ...


def _message(settings: Settings, to: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message.set_content(text)
    return message


class OutboxMailer:
    """Writes each mail as an .eml file in `<data_dir>/outbox`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = settings.data_dir / "outbox"

    async def send(self, *, to: str, subject: str, text: str) -> None:
        message = _message(self.settings, to, subject, text)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        await asyncio.to_thread(self._write, path, message.as_bytes())

    def _write(self, path: Path, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, *, to: str, subject: str, text: str) -> None:
        await asyncio.to_thread(self._send, _message(self.settings, to, subject, text))

    def _send(self, message: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=10) as smtp:
            if s.smtp_starttls:
                smtp.starttls()
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password or "")
            smtp.send_message(message)


def create_mailer(settings: Settings) -> Mailer:
    return SmtpMailer(settings) if settings.smtp_host else OutboxMailer(settings)
