"""Email over SMTP: an HTML body (the brief), a plain-text part and the PDF attached."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from revintel.config import Settings, reveal
from revintel.delivery.base import Message, Target, failure
from revintel.errors import ConfigError
from revintel.export.html import render_html, render_text


def build_email(message: Message, sender: str, to: list[str]) -> EmailMessage:
    """The MIME message: multipart/mixed with text + HTML alternatives and the PDF attachment."""
    msg = EmailMessage()
    msg["Subject"] = message.subject
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="revintel")
    msg.set_content(render_text(message.document))
    msg.add_alternative(render_html(message.document), subtype="html")
    if message.pdf:
        msg.add_attachment(message.pdf, maintype="application", subtype="pdf", filename=message.pdf_name)
    return msg


class EmailChannel:
    """SMTP delivery configured by ``REVINTEL_SMTP_*``."""

    name = "email"

    def __init__(self, settings: Settings):
        self.settings = settings

    def describe(self, target: Target) -> str:
        return ", ".join(target.email_to) or "(no recipients)"

    def check(self, target: Target) -> None:
        if not self.settings.smtp_host:
            raise ConfigError(
                "email delivery needs an SMTP server", hint="set REVINTEL_SMTP_HOST (and _PORT)"
            )
        if not target.email_to:
            raise ConfigError(
                "email delivery needs at least one recipient", hint="add addresses to the schedule"
            )

    def send(self, message: Message, target: Target) -> None:
        s = self.settings
        self.check(target)
        msg = build_email(message, s.smtp_from, target.email_to)
        try:
            with smtplib.SMTP(s.smtp_host or "", s.smtp_port, timeout=s.smtp_timeout_seconds) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, reveal(s.smtp_password) or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise failure(
                "email", exc, hint=f"is the SMTP server at {s.smtp_host}:{s.smtp_port} reachable?"
            ) from exc
