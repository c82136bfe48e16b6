"""The provider interface: local (default), an OpenAI-compatible LLM and Databricks Genie.

Every provider turns an :class:`AskContext` into an :class:`~revintel.ask.answer.Answer`. Providers
never run SQL of their own against the warehouse: the LLM provider hands back a *structured
request* (checked against the catalogue and executed by the local engine, scope applied) or SQL
that goes through the guard; Genie's answer comes from Databricks and is shown with its SQL.

Providers are registered like warehouse backends: built-ins with :func:`register`, third-party
ones through the ``revintel.ask_providers`` entry-point group.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar

from revintel.errors import ConfigError

if TYPE_CHECKING:
    from revintel.ask.answer import Answer
    from revintel.ask.governed import SqlResult
    from revintel.config import Settings
    from revintel.scope import Scope


@dataclass
class AskContext:
    """Everything a provider may use to answer one question.

    Attributes:
        question: the question as asked.
        scope: the caller's row scope (applied by the engine, never by the provider).
        settings: the runtime settings (endpoints, time boxes, ``llm_send_rows``).
        metrics: the catalogue as the tool schema shows it: id, label, unit, dimensions.
        dimensions: dimension ids a request may group or filter by.
        run_request: executes a structured request ({intent, metric, dimensions, filters, period,
            compare, limit}) through the local engine and returns its answer.
        run_sql: runs SQL through the guard in the caller's scope.
        local: what the local engine answered (an abstention when the provider is a fallback).
        history: earlier questions in the conversation, oldest first.
    """

    question: str
    scope: Scope
    settings: Settings
    metrics: list[dict[str, Any]] = field(default_factory=list)
    dimensions: list[str] = field(default_factory=list)
    run_request: Callable[[dict[str, Any]], Answer] | None = None
    run_sql: Callable[[str], SqlResult] | None = None
    local: Answer | None = None
    history: list[str] = field(default_factory=list)


class Provider(ABC):
    """One way of answering questions."""

    name: ClassVar[str]
    label: ClassVar[str]

    def __init__(self, settings: Settings):
        self.settings = settings

    @abstractmethod
    def configured(self) -> bool:
        """True when the settings this provider needs are present."""

    @abstractmethod
    def answer(self, ctx: AskContext) -> Answer:
        """Answer ``ctx.question``; raise :class:`~revintel.errors.ProviderError` on failure or timeout."""


_REGISTRY: dict[str, type[Provider]] = {}


def register(cls: type[Provider]) -> type[Provider]:
    """Register a provider class under its name (usable as a decorator)."""
    _REGISTRY[cls.name] = cls
    return cls


def _load() -> None:
    from revintel.ask.providers import genie, local, openai_compat  # noqa: F401

    for ep in entry_points(group="revintel.ask_providers"):
        if ep.name not in _REGISTRY:
            register(ep.load())


def provider_names() -> list[str]:
    _load()
    return sorted(_REGISTRY)


def get_provider(name: str, settings: Settings) -> Provider:
    """The provider called ``name`` (``local``, ``openai``, ``genie`` or a plugin)."""
    _load()
    try:
        return _REGISTRY[name](settings)
    except KeyError:
        raise ConfigError(
            f"unknown ask provider {name!r}", hint="known: " + ", ".join(sorted(_REGISTRY))
        ) from None
