"""Versioned loads: every load is kept as a snapshot; read commands answer from one with --snapshot."""

from __future__ import annotations

import json

import pytest


def _won(run_cli, *prefix):
    code, out, err = run_cli(*prefix, "query", "won_revenue", "--json")
    assert code == 0, err
    body = json.loads(out)
    return body["rows"][0][-1]


@pytest.mark.slow
def test_each_load_is_a_snapshot_and_an_old_one_still_answers(home, run_cli, monkeypatch):
    monkeypatch.setenv("REVINTEL_SNAPSHOT_RETENTION", "2")
    assert run_cli("demo", "seed", "--scale", "0.1", "--seed", "1")[0] == 0
    first_value = _won(run_cli)
    assert run_cli("demo", "seed", "--scale", "0.1", "--seed", "2")[0] == 0
    second_value = _won(run_cli)
    assert first_value != second_value
    code, out, _ = run_cli("snapshots", "list", "--json")
    snaps = json.loads(out)["snapshots"]
    assert code == 0 and len(snaps) == 2 and snaps[0]["tables"]["opportunities"] > 0
    older = snaps[1]["id"]
    assert _won(run_cli, "--snapshot", older) == pytest.approx(first_value), snaps  # the list, if it fails
    assert _won(run_cli) == pytest.approx(second_value)  # the live warehouse is untouched
    assert run_cli("demo", "seed", "--scale", "0.1", "--seed", "3")[0] == 0
    code, out, _ = run_cli("snapshots", "list", "--json")
    assert [s["id"] for s in json.loads(out)["snapshots"]][1] == snaps[0]["id"]  # retention keeps 2
    code, _, err = run_cli("--snapshot", older, "query", "won_revenue")
    assert code == 1 and "no snapshot" in err
    code, _, err = run_cli("--snapshot", snaps[0]["id"], "demo", "seed")
    assert code == 1 and "for reading" in err
