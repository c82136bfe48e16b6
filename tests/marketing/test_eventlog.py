"""Event logs become journeys (ages, milestones), and bad rows are rejected with their line."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from revintel.cli import app
from revintel.errors import ValidationFailed
from revintel.marketing.attribution import attribute
from revintel.marketing.eventlog import read_events

LOG = """customer_id,timestamp,channel,interaction,conversion,value
c1,2025-01-01,Email,click,0,
c1,2025-01-08,Webinar,lead_created,0,
c1,2025-01-15,Events,opportunity_created,0,
c1,2025-01-22,,purchase,1,1000
c2,2025-02-01,Paid Search,click,0,
c2,2025-02-03,Email,click,1,50
c2,2025-02-10,Social,click,0,
"""


def test_event_log_builds_converting_and_null_journeys(tmp_path):
    f = tmp_path / "events.csv"
    f.write_text(LOG)
    j = read_events(f)
    assert len(j) == 3
    assert list(j.conversions) == [1.0, 1.0, 0.0] and list(j.value) == [1000.0, 50.0, 0.0]
    assert [j.channels[c] for c in j.touches[:3]] == ["Email", "Webinar", "Events"]
    assert j.age_days[:3] == pytest.approx([21.0, 14.0, 7.0])
    assert list(j.lead_touch) == [1, -1, -1] and list(j.opp_touch) == [2, -1, -1]
    res = attribute(j, ("w_shaped", "time_decay"), half_life=7.0)
    webinar = j.channels.index("Webinar")
    assert res.conversions["w_shaped"][webinar] == pytest.approx(
        0.3 + 0.1 / 3
    )  # no other touches share the 10%
    assert res.value["time_decay"].sum() == pytest.approx(1050.0)


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("c3,2025-03-01,,purchase,1,10", "timestamp", "conversion comes before any touch"),
        ("c3,not a date,Email,click,0,", "timestamp", "not a timestamp"),
        ("c3,2025-03-01,Email,click,2,", "conversion", "not a conversion flag"),
        ("c3,2025-03-01,Email,click,1,-5", "value", "not a non-negative number"),
    ],
)
def test_bad_event_rows_are_rejected_with_line_and_reason(tmp_path, row, column, reason):
    f = tmp_path / "events.csv"
    f.write_text(LOG + row + "\n")
    with pytest.raises(ValidationFailed) as err:
        read_events(f)
    p = err.value.problems[0]
    assert (p.line, p.column) == (9, column) and reason in p.message


def test_conversion_dated_before_the_customers_touches_is_rejected(tmp_path):
    f = tmp_path / "events.csv"
    f.write_text(LOG + "c3,2025-03-05,Email,click,0,\nc3,2025-03-01,,purchase,1,10\n")
    with pytest.raises(ValidationFailed) as err:
        read_events(f)
    assert err.value.problems[0].line == 10


def test_cli_attribution_paths_prints_every_model_per_channel(tmp_path):
    f = tmp_path / "paths.csv"
    f.write_text("path;total_conversions;total_conversion_value;total_null\na > b;3;30;1\nb;1;5;4\n")
    result = CliRunner().invoke(app, ["attribution", "paths", str(f), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    rows = {r["channel"]: r for r in out["channels"]}
    assert rows["a"]["first_touch"]["conversions"] == 3.0 and rows["b"]["last_touch"]["conversions"] == 4.0
    assert {"markov_1", "markov_2", "markov_3", "shapley", "position_based"} <= set(out["models"])
    total = sum(r["markov_1"]["conversions"] for r in out["channels"])
    assert np.isclose(total, 4.0) and out["totals"]["value"] == 35.0


def test_cli_attribution_paths_bad_file_exits_with_the_line(tmp_path):
    f = tmp_path / "paths.csv"
    f.write_text("path;total_conversions;total_null\na > b;-3;1\n")
    from revintel.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["attribution", "paths", str(f), "--json"])
    assert exc.value.code == 1
