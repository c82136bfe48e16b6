"""The CLI is documented: every command has help text, docs/cli.md is current, and the README names it."""

from __future__ import annotations

from pathlib import Path

import pytest

from revintel.cli.reference import commands, reference_markdown

ROOT = Path(__file__).resolve().parents[2]
NAMES = [name for name, _ in commands()]


def test_cli_reference_page_is_current():
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == reference_markdown(), (
        "docs/cli.md is out of date: regenerate with "
        "python -c 'from revintel.cli.reference import reference_markdown as r; "
        'print(r(), end="")\' > docs/cli.md'
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_command_has_help_text(name):
    cmd = dict(commands())[name]
    assert (cmd.help or "").strip(), f"revintel {name} has no help text"
    for p in cmd.params:
        if p.name != "help" and p.param_type_name == "option":
            assert (p.help or "").strip(), f"revintel {name} {p.opts[0]} has no help text"


@pytest.mark.parametrize("name", [n for n in NAMES if " " not in n])
def test_readme_cli_reference_names_every_command(name):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## CLI reference", 1)[-1]
    assert f"revintel {name}" in section, f"README's CLI reference does not mention `revintel {name}`"
