"""One chat question, whatever the platform: map the asker, ask under their scope, audit, or say why not."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from revintel.chat.users import resolve
from revintel.errors import RevintelError
from revintel.runtime import Runtime
from revintel.services.audited import audited

log = logging.getLogger("revintel.chat")
INTERNAL = "The answer could not be computed because of an internal error; it was logged."


@dataclass
class Reply:
    """Either an ``answer`` (the Ask answer as a dict) or a plain ``text`` saying why there is none."""

    text: str
    answer: dict[str, Any] | None = None


def ask_from_chat(rt: Runtime, platform: str, chat_user: str, question: str, example: str) -> Reply:
    """Answer ``question`` from ``chat_user`` on ``platform`` through the governed Ask engine."""
    try:
        user = resolve(rt, platform, chat_user)
    except RevintelError as exc:
        actor = f"{platform}:{chat_user}"[:200]
        audited(rt.appdb, actor, "chat", platform, outcome="denied", detail={"reason": exc.message})
        return Reply(exc.message + (f" ({exc.hint})" if exc.hint else ""))
    if not question:
        return Reply(f"Ask a question, e.g. {example}")
    try:
        answer = rt.ask.ask(question, user.scope, actor=user.id).to_dict()
    except RevintelError as exc:
        return Reply(exc.message)
    except Exception:
        log.exception("%s question failed", platform)
        return Reply(INTERNAL)
    audited(
        rt.appdb, user, "chat", platform, detail={"question": question[:400], "intent": answer.get("intent")}
    )
    return Reply(str(answer.get("answer", "")), answer)
