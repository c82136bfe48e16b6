"""Ask conversations: their turns (question, answer, resolved context) and feedback.

A conversation belongs to one user (``owner``); every read and write checks the owner, so one
user can never open, rename or delete another's conversation (a missing and a foreign
conversation look the same: :class:`~revintel.errors.NotFound`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from revintel.appdb.base import AppDB, Base, utcnow
from revintel.errors import InvalidRequest, NotFound

TITLE_LENGTH = 80


class Conversation(Base):
    __tablename__ = "ask_conversations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: uuid.uuid4().hex)
    owner: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    turns: Mapped[list[Turn]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Turn.id"
    )


class Turn(Base):
    __tablename__ = "ask_turns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("ask_conversations.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[dict[str, Any]] = mapped_column(JSON)
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    provider: Mapped[str] = mapped_column(String(80), default="local")
    feedback: Mapped[int | None] = mapped_column(Integer, nullable=True)  # +1 thumbs up, -1 thumbs down
    feedback_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    conversation: Mapped[Conversation] = relationship(back_populates="turns")


def _title(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= TITLE_LENGTH else text[: TITLE_LENGTH - 1].rstrip() + "…"


def _owned(s: Any, owner: str, conversation_id: str) -> Conversation:
    conv = s.get(Conversation, conversation_id)
    if conv is None or conv.owner != owner:
        raise NotFound(
            f"no conversation {conversation_id!r}", hint="list yours with GET /api/ask/conversations"
        )
    return conv


def _summary(c: Conversation) -> dict[str, Any]:
    return {
        "id": c.id,
        "title": c.title,
        "created_at": c.created_at.isoformat(),
        "updated_at": c.updated_at.isoformat(),
    }


def _turn(t: Turn) -> dict[str, Any]:
    return {
        "id": t.id,
        "at": t.at.isoformat(),
        "question": t.question,
        "answer": t.answer,
        "context": t.context,
        "provider": t.provider,
        "feedback": t.feedback,
        "feedback_comment": t.feedback_comment,
    }


def create(db: AppDB, owner: str, first_question: str) -> str:
    """Start a conversation titled after its first question; return its id."""
    with db.session() as s:
        conv = Conversation(owner=owner, title=_title(first_question) or "New conversation")
        s.add(conv)
        s.flush()
        return conv.id


def add_turn(
    db: AppDB,
    owner: str,
    conversation_id: str,
    question: str,
    answer: dict[str, Any],
    context: dict[str, Any] | None,
    provider: str,
) -> int:
    """Append one question and its answer (and the resolved context follow-ups build on)."""
    with db.session() as s:
        conv = _owned(s, owner, conversation_id)
        turn = Turn(
            conversation_id=conv.id, question=question, answer=answer, context=context, provider=provider
        )
        s.add(turn)
        conv.updated_at = utcnow()
        s.flush()
        return turn.id


def last_context(db: AppDB, owner: str, conversation_id: str) -> dict[str, Any] | None:
    """The resolved context of the newest answered turn (what "and in EMEA?" refines)."""
    with db.session() as s:
        _owned(s, owner, conversation_id)
        q = (
            select(Turn)
            .where(Turn.conversation_id == conversation_id, Turn.context.is_not(None))
            .order_by(Turn.id.desc())
            .limit(1)
        )
        turn = s.scalars(q).first()
        return dict(turn.context) if turn and turn.context else None


def history(db: AppDB, owner: str, conversation_id: str) -> list[str]:
    with db.session() as s:
        return [t.question for t in _owned(s, owner, conversation_id).turns]


def list_for(db: AppDB, owner: str, limit: int = 50) -> list[dict[str, Any]]:
    """The owner's conversations, most recently active first."""
    with db.session() as s:
        q = (
            select(Conversation)
            .where(Conversation.owner == owner)
            .order_by(Conversation.updated_at.desc())
            .limit(limit)
        )
        return [_summary(c) for c in s.scalars(q)]


def get(db: AppDB, owner: str, conversation_id: str) -> dict[str, Any]:
    """One conversation with every turn."""
    with db.session() as s:
        conv = _owned(s, owner, conversation_id)
        return {**_summary(conv), "turns": [_turn(t) for t in conv.turns]}


def rename(db: AppDB, owner: str, conversation_id: str, title: str) -> dict[str, Any]:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidRequest("a conversation title cannot be empty")
    with db.session() as s:
        conv = _owned(s, owner, conversation_id)
        conv.title = title[:200]
        return _summary(conv)


def delete(db: AppDB, owner: str, conversation_id: str) -> None:
    with db.session() as s:
        s.delete(_owned(s, owner, conversation_id))


def feedback(db: AppDB, owner: str, turn_id: int, rating: int, comment: str | None = None) -> dict[str, Any]:
    """Thumbs up (+1) or down (-1) on one answer, with an optional comment (the latest one wins)."""
    if rating not in (1, -1):
        raise InvalidRequest("feedback is +1 (thumbs up) or -1 (thumbs down)", details={"value": rating})
    with db.session() as s:
        turn = s.get(Turn, turn_id)
        if turn is None or turn.conversation.owner != owner:
            raise NotFound(f"no answer {turn_id}")
        turn.feedback = rating
        turn.feedback_comment = (comment or "").strip() or None
        return _turn(turn)
