"""``revintel ingest customers PATH --mapping FILE``: a customer table through a YAML column mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from revintel.errors import ValidationFailed
from revintel.warehouse.ingest import customers

HEADER = "id,name,churned,arr,start,renewal,plan,pay\n"
GOOD = [
    "C1,Acme,No,12000,2023-01-01,2026-01-01,Annual,Card\n",
    "C2,Bolt,Yes,6000,2024-03-01,2025-03-01,Monthly,Invoice\n",
]
MAPPING = """
dataset: crm-customers
file: "*.csv"
as_of: 2025-12-31
columns: {account_id: id, name: name, churn: churned, arr: arr, start_date: start, renewal_date: renewal,
          term: plan, payment_method: pay}
terms: {Annual: 12, Monthly: 1}
"""


def _files(tmp_path: Path, rows: list[str], mapping: str = MAPPING) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "customers.csv").write_text(HEADER + "".join(rows))
    m = tmp_path / "mapping.yaml"
    m.write_text(mapping)
    return data, m


def test_a_mapped_customer_table_becomes_accounts_and_subscription_lines(tmp_path) -> None:
    data, m = _files(tmp_path, GOOD)
    plan = customers.validate(data, m)
    subs = plan.tables["subscriptions"].to_pylist()
    assert plan.source == "crm-customers" and plan.meta == {"undated": ""}
    assert [
        (s["account_id"], s["status"], s["arr"], s["term_months"], s["payment_method"]) for s in subs
    ] == [
        ("C1", "active", 12000.0, 12, "Card"),
        ("C2", "churned", 6000.0, 1, "Invoice"),
    ]
    assert [a["name"] for a in plan.tables["accounts"].to_pylist()] == ["Acme", "Bolt"]


@pytest.mark.parametrize(
    ("rows", "mapping", "line", "column", "value"),
    [
        (
            GOOD,
            MAPPING.replace("pay}", "payment}"),
            1,
            "payment",
            "payment",
        ),  # mapping names a missing column
        (
            [GOOD[0], "C2,Bolt,maybe,6000,2024-03-01,2025-03-01,Monthly,Card\n"],
            MAPPING,
            3,
            "churned",
            "maybe",
        ),
        ([GOOD[0], "C2,Bolt,No,-50,2024-03-01,2025-03-01,Monthly,Card\n"], MAPPING, 3, "arr", "-50"),
        (["C1,Acme,No,100,2024-05-01,2024-01-01,Annual,Card\n"], MAPPING, 2, "renewal", "2024-01-01"),
    ],
)
def test_bad_input_is_rejected_with_file_line_column_and_value_and_nothing_is_stored(
    tmp_path, rt, rows, mapping, line, column, value
) -> None:
    from revintel.cli import app
    from revintel.cli.app import state

    data, m = _files(tmp_path, rows, mapping)
    with pytest.raises(ValidationFailed) as e:
        customers.validate(data, m)
    p = e.value.problems[0]
    assert (p.file, p.line, p.column, str(p.value)) == ("customers.csv", line, column, value)
    before = rt.warehouse.row_counts()
    state.runtime = rt
    try:
        res = CliRunner().invoke(app, ["ingest", "customers", str(data), "--mapping", str(m), "--json"])
    finally:
        state.runtime = None
    assert res.exit_code == 1
    out = json.loads(res.output)
    assert out["problems"][0]["line"] == line and out["problems"][0]["column"] == column
    assert rt.warehouse.row_counts() == before


def test_an_unknown_mapping_name_lists_the_built_in_ones(tmp_path) -> None:
    from revintel.errors import NotFound

    with pytest.raises(NotFound) as e:
        customers.validate(tmp_path, "telcoo")
    assert "telco" in (e.value.hint or "")


@pytest.mark.external
@pytest.mark.slow
def test_telco_loads_in_one_command_and_cross_validates_above_the_published_auc(shared_data, rt) -> None:
    from revintel.customers import churn
    from revintel.customers.data import load_frames
    from revintel.scope import Scope
    from revintel.warehouse.ingest import load

    plan = customers.validate(shared_data / "telco-churn", "telco")
    load(plan, rt.warehouse)
    assert rt.warehouse.row_counts()["accounts"] == 7043
    frames = load_frames(rt, Scope.everything())
    assert not frames.dated
    card = churn.train(frames).card
    assert card["protocol"].startswith("stratified 5-fold")
    assert card["windows"] == {"rows": 7043, "churn_events": 1869}
    assert card["test"]["auc"] >= 0.85  # the published logistic regression is about 0.84
    assert card["test"]["ece"] < 0.03 and card["test"]["brier"] < card["test"]["base_rate_brier"]
    assert card["baselines"]["logistic"]["auc"] > 0.8
