"""Brief schedules, the delivery log, stored briefs and export jobs.

- :class:`Schedule`: who gets which brief when (cron + IANA time zone) on which channels.
- :class:`Delivery`: one row per (schedule slot, channel) attempt series; its ``idempotency_key``
  is unique, so a restarted scheduler can never send the same slot on the same channel twice.
- :class:`BriefRecord`: a composed brief (document JSON) for the "past briefs" list.
- :class:`ExportJob`: a long export's progress, so any worker (or a page reload) can follow it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from revintel.appdb.base import Base, utcnow


class Schedule(Base):
    __tablename__ = "brief_schedules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(200), index=True)  # user id / persona id who created it
    persona: Mapped[str] = mapped_column(String(100))  # whose scope the brief is composed with
    cron: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(80), default="UTC")
    channels: Mapped[list] = mapped_column(JSON, default=list)  # ["email", "slack", "teams"]
    email_to: Mapped[list] = mapped_column(JSON, default=list)
    slack_webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    slack_channel: Mapped[str | None] = mapped_column(String(200), nullable=True)
    teams_webhook_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    #: the last cron slot (UTC, naive) the scheduler finished; slots after it are due
    last_slot: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class Delivery(Base):
    __tablename__ = "brief_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    schedule_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    slot: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    actor: Mapped[str] = mapped_column(String(200))  # who asked for it (schedule owner or user)
    persona: Mapped[str | None] = mapped_column(String(100), nullable=True)
    what: Mapped[str] = mapped_column(String(300))  # e.g. "Daily brief 2025-12-31"
    channel: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(500), nullable=True)  # addresses / redacted URL
    outcome: Mapped[str] = mapped_column(String(20), default="sending")  # sending|sent|failed|interrupted
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class BriefRecord(Base):
    __tablename__ = "brief_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    persona: Mapped[str] = mapped_column(String(100), index=True)
    brief_date: Mapped[dt.date] = mapped_column(Date, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    document: Mapped[dict] = mapped_column(JSON)


class ExportJob(Base):
    __tablename__ = "export_jobs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    actor: Mapped[str] = mapped_column(String(200), index=True)
    view: Mapped[str] = mapped_column(String(60))
    format: Mapped[str] = mapped_column(String(10))
    params: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|done|failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    step: Mapped[str] = mapped_column(String(200), default="queued")
    path: Mapped[str | None] = mapped_column(String(500), nullable=True)
    filename: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    #: the process running it (``host:pid:boot``) and its last sign of life, so a restart can tell
    #: a job it interrupted from one another worker is still running
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
