"""The local, deterministic provider: the default, offline, no LLM."""

from __future__ import annotations

from revintel.ask.answer import Answer
from revintel.ask.providers.base import AskContext, Provider, register
from revintel.errors import ProviderError


@register
class LocalProvider(Provider):
    """The deterministic engine (parse -> intents -> semantic layer). Its answer is computed first."""

    name = "local"
    label = "Local engine"

    def configured(self) -> bool:
        return True

    def answer(self, ctx: AskContext) -> Answer:
        if ctx.local is None:
            raise ProviderError("the local engine has not answered yet")
        return ctx.local
