"""``revintel users`` and ``revintel personas`` from the command line."""

from __future__ import annotations

import io
import json
import sys
from dataclasses import dataclass

import pytest

from revintel.cli import main
from revintel.cli.app import state
from revintel.scope import DEMO_PERSONAS


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(home, monkeypatch, capsys):
    """Run ``revintel ARGS`` in process against the test's home (as the console script would)."""

    def run(*args: str, stdin: str = "") -> Result:
        state.runtime = None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            state.runtime = None
        out = capsys.readouterr()
        return Result(code, out.out, out.err)

    return run


def test_personas_json_lists_every_demo_persona_with_scope(cli):
    out = json.loads(cli("personas", "--json").stdout)
    assert [p["id"] for p in out["personas"]] == [p.id for p in DEMO_PERSONAS]
    emea = next(p for p in out["personas"] if p["id"] == "emea_lead")
    assert emea["role"] == "regional_lead" and emea["scope"]["rows"] == {"region": ["EMEA"]}


def test_add_list_token_disable(cli):
    r = cli(
        "users",
        "add",
        "elena",
        "--role",
        "regional_lead",
        "--scope",
        "region=EMEA",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert r.returncode == 0, r.stderr
    listed = json.loads(cli("users", "list", "--json").stdout)["users"]
    assert listed[0]["name"] == "elena" and listed[0]["scope"]["rows"] == {"region": ["EMEA"]}
    assert "password" not in json.dumps(listed)
    token = json.loads(cli("users", "token", "elena", "--json").stdout)["token"]
    assert token.startswith("rvi_")
    assert cli("users", "disable", "elena").returncode == 0
    assert json.loads(cli("users", "list", "--json").stdout)["users"][0]["disabled"] is True


def test_bad_input_is_an_error_without_traceback(cli):
    r = cli("users", "add", "x", "--role", "regional_lead", "--password-stdin", stdin="a-long-password\n")
    assert r.returncode == 1 and "needs a region scope" in r.stderr and "Traceback" not in r.stderr
    r = cli("users", "disable", "ghost")
    assert r.returncode == 1 and "no user named" in r.stderr
    r = cli("users", "add", "y", "--role", "cfo", "--password-stdin", stdin="")
    assert r.returncode == 1 and "no password on stdin" in r.stderr
