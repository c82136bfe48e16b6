"""Email as ``.eml`` files or ``mbox`` mailboxes, read with the standard library.

Each message is one conversation (channel ``email``) keyed on its ``Message-ID``; its one turn is
the sender's plain-text body without quoted reply lines. An unknown charset or an undecodable body
rejects the file with the message's position.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import mailbox
import re
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from pathlib import Path

from revintel.conversations.formats import Party, RawCall, RawTurn
from revintel.errors import Problem
from revintel.warehouse.ingest.readers import Problems

_QUOTE = re.compile(r"^\s*>.*$|^On .{5,80} wrote:\s*$", re.MULTILINE)


def read_eml(path: Path, problems: Problems) -> list[RawCall]:
    with path.open("rb") as fh:
        msg = email.message_from_binary_file(fh, policy=email.policy.compat32)
    call = _message(msg, path, 1, problems)
    return [call] if call else []


def read_mbox(path: Path, problems: Problems) -> list[RawCall]:
    box = mailbox.mbox(str(path), create=False)
    try:
        calls = []
        for n, msg in enumerate(box, start=1):
            call = _message(msg, path, n, problems)
            if call:
                calls.append(call)
        return calls
    finally:
        box.close()


def _body(msg: Message, where: str, path: Path, problems: Problems) -> str | None:
    part = next(
        (p for p in msg.walk() if p.get_content_type() == "text/plain" and not p.is_multipart()), None
    )
    if part is None:
        part = next((p for p in msg.walk() if p.get_content_type() == "text/html"), None)
    if part is None:
        return ""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload.decode(charset)
    except LookupError:
        problems.add(
            Problem(
                f"{where}: unknown encoding",
                file=path.name,
                column="Content-Type charset",
                value=charset,
                expected="a known charset such as utf-8 or iso-8859-1",
            )
        )
        return None
    except UnicodeDecodeError:
        problems.add(
            Problem(
                f"{where}: body does not decode as its declared charset",
                file=path.name,
                column="Content-Type charset",
                value=charset,
                expected="a body in the declared charset",
            )
        )
        return None
    if part.get_content_type() == "text/html":
        text = re.sub(r"<[^>]+>", " ", text)
    return _QUOTE.sub("", text).strip()


def _message(msg: Message, path: Path, n: int, problems: Problems) -> RawCall | None:
    where = f"message {n}"
    mid = (msg.get("Message-ID") or "").strip().strip("<>")
    if not mid:
        problems.add(Problem(f"{where} has no Message-ID", file=path.name, column="Message-ID"))
        return None
    raw_date = msg.get("Date")
    try:
        when = parsedate_to_datetime(raw_date) if raw_date else None
    except (TypeError, ValueError):
        when = None
    if when is None:
        problems.add(
            Problem(
                f"{where}: malformed or missing Date header",
                file=path.name,
                column="Date",
                value=raw_date,
                expected="an RFC 5322 date, e.g. Mon, 03 Nov 2025 15:00:00 +0000",
            )
        )
        return None
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    body = _body(msg, where, path, problems)
    if body is None:
        return None
    sender_name, sender = parseaddr(msg.get("From") or "")
    others = getaddresses(msg.get_all("To", []) + msg.get_all("Cc", []))
    sender_party = Party(sender_name or None, sender.lower() or None)
    parties = [sender_party] + [Party(nm or None, addr.lower()) for nm, addr in others if addr]
    speaker = sender_name or sender or None
    return RawCall(
        mid,
        path.name,
        "email",
        "email",
        when,
        title=msg.get("Subject"),
        parties=parties,
        turns=[RawTurn(speaker, body, 0.0, 0.0, sender_party)] if body else [],
    )
