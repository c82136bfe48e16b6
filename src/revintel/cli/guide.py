"""``revintel ask guide --format md|pdf -o FILE``: the question guide for a persona."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from revintel.cli.app import console, emit
from revintel.scope import Persona


def write_guide(rt: Any, persona: Persona, fmt: str, output: Path | None, as_json: bool) -> None:
    """Write the guide (only the metrics the persona's domains allow) to ``output`` or stdout (md)."""
    from revintel.ask.guide import build_guide, check_format, render
    from revintel.errors import InvalidRequest

    check_format(fmt)
    if fmt == "pdf" and output is None:
        raise InvalidRequest("a PDF guide needs a file", hint="add -o guide.pdf")
    guide = build_guide(rt, persona.scope)
    content, _, _ = render(guide, fmt)
    if output is None:
        sys.stdout.write(content.decode("utf-8"))
        return
    output.write_bytes(content)
    out = {"file": str(output), "format": fmt, "metrics": len(guide.entries), "bytes": len(content)}
    emit(
        out,
        as_json,
        lambda o: console.print(f"wrote {o['file']}: {o['metrics']} metrics ({o['bytes']:,} bytes)"),
    )
