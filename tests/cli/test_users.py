"""``revintel users`` and ``revintel personas`` from the command line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from revintel.scope import DEMO_PERSONAS


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from revintel.cli import main; main()", *args],
                          input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture
def cli(home):
    return run


def test_personas_json_lists_every_demo_persona_with_scope(cli):
    out = json.loads(cli("personas", "--json").stdout)
    assert [p["id"] for p in out["personas"]] == [p.id for p in DEMO_PERSONAS]
    emea = next(p for p in out["personas"] if p["id"] == "emea_lead")
    assert emea["role"] == "regional_lead" and emea["scope"]["rows"] == {"region": ["EMEA"]}


def test_add_list_token_disable(cli):
    r = cli("users", "add", "elena", "--role", "regional_lead", "--scope", "region=EMEA", "--password-stdin",
            stdin="a-long-password\n")
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
