"""Retrieval safety: text that tries to instruct a model is flagged and kept out of prompts.

A transcript is data, not instructions. A snippet (or a question) is flagged when it addresses
a model or an assistant with an order: ignore/disregard/forget previous instructions, reveal the
system prompt, act as another role, or send/email/export data to an address or URL. A flagged
snippet is still shown to the person (marked), but never placed in an LLM prompt.
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx, re.IGNORECASE))
    for name, rx in (
        (
            "override",
            r"\b(ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(previous|prior|above|earlier|all|"
            r"your|the)\b[^.!?\n]{0,20}\b(instructions?|prompts?|rules?|guidelines?|context)\b",
        ),
        ("system_prompt", r"\b(system prompt|developer message|hidden instructions?|jailbreak)\b"),
        ("role_play", r"\b(you are now|act as|pretend to be|from now on,? you)\b"),
        (
            "exfiltrate",
            r"\b(email|e-mail|send|forward|upload|post|export|leak|share)\b[^.!?\n]{0,60}\b(pipeline|data|"
            r"report|forecast|numbers|credentials?|passwords?|everything)\b[^.!?\n]{0,60}"
            r"(\b[\w.+-]+@[\w-]+\.[\w.-]+\b|https?://)",
        ),
        ("tool_call", r"(<\s*/?\s*(system|assistant|tool)\s*>|\[\s*(system|inst)\s*\])"),
    )
)


def flag_text(text: str) -> list[str]:
    """The names of the instruction patterns found in ``text`` (empty: nothing found)."""
    return [name for name, rx in _PATTERNS if rx.search(text or "")]


def is_flagged(text: str) -> bool:
    return bool(flag_text(text))
