"""The catalogue: required ids, complete definitions, and user files that cannot break it."""

from __future__ import annotations

from pathlib import Path

import pytest

from revintel.config import Settings
from revintel.errors import InvalidRequest, ValidationFailed
from revintel.semantic import check_metrics_file, load_catalogue

REQUIRED = """chargeable_hours rate_per_hour gross_fee_days unbilled_days chargeability delivery_margin wip
recoverability staff_attrition fees won_revenue won_deals lost_deals win_rate open_pipeline weighted_pipeline
avg_deal_size sales_cycle_days pipeline_coverage pipeline_velocity deal_count sales_forecast arr new_arr
expansion_arr churned_arr nrr grr logo_churn_rate leads mql_to_sql_rate marketing_sourced_pipeline""".split()
DIMS = """region capability client account tier sector rep manager team product product_series stage campaign
channel month quarter year fiscal_quarter fiscal_year""".split()


def test_every_issue_metric_and_dimension_exists_with_a_description() -> None:
    cat = load_catalogue()
    for mid in REQUIRED:
        m = cat.metric(mid)
        assert m.description and m.label and m.unit and m.direction in ("up", "down", "neutral")
    for did in DIMS:
        assert cat.dimension(did).description
    assert len(cat.headline) >= 8


def test_percent_metrics_are_fractions_and_directions_match_meaning() -> None:
    cat = load_catalogue()
    assert cat.metric("win_rate").unit == "percent"
    assert cat.metric("unbilled_days").direction == "down"
    assert cat.metric("staff_attrition").direction == "down"
    assert cat.metric("chargeable_hours").budget is not None


def test_synonyms_map_phrases_to_ids() -> None:
    syn = load_catalogue().synonyms()
    assert syn["billable hours"] == "chargeable_hours"
    assert syn["bookings"] == "won_revenue"
    assert syn["sales rep"] == "rep"


BROKEN = """\
metrics:
  good_one:
    label: Big deals won
    description: Won deals over 10k.
    domain: pipeline
    table: opportunities
    date: close_date
    formula: count(*)
    where: status = 'won' AND amount > 10000
    unit: count
  bad_column:
    label: Bad
    description: Uses a column that does not exist.
    domain: pipeline
    table: opportunities
    date: close_date
    formula: sum(amout)
    unit: currency
  bad_unit:
    label: Bad unit
    description: x
    domain: pipeline
    table: opportunities
    date: close_date
    formula: count(*)
    unit: dollars
"""


def test_a_broken_user_file_reports_lines_and_keeps_everything_else(tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text(BROKEN)
    cat = load_catalogue(Settings(home=tmp_path, metrics_file=f))
    assert cat.metric("good_one").source == str(f)
    assert cat.metric("win_rate")  # built-in survives
    with pytest.raises(InvalidRequest):
        cat.metric("bad_column")
    lines = {p.line for p in cat.problems}
    assert lines == {11, 19}
    assert any("amout" in str(p) and "amount" in str(p.expected) for p in cat.problems)
    with pytest.raises(ValidationFailed) as err:
        check_metrics_file(f)
    assert "mine.yaml:11" in str(err.value)


def test_unparseable_user_file_never_takes_down_the_builtin(tmp_path: Path) -> None:
    f = tmp_path / "mine.yaml"
    f.write_text("metrics:\n  x: [unclosed\n")
    cat = load_catalogue(Settings(home=tmp_path, metrics_file=f))
    assert cat.problems and cat.problems[0].line is not None
    assert cat.metric("chargeable_hours")
