"""Ask tables as people read them: every cell by its column's unit."""

from __future__ import annotations

from revintel.ask.answer import Answer


def test_answer_tables_carry_formatted_cells_beside_the_machine_values():
    a = Answer(
        question="fees by quarter",
        answer="...",
        intent="trend",
        unit="currency",
        columns=["quarter", "fees", "fees_py", "change", "share"],
        rows=[["2017-01-01", 2_346_847_186.73, 2_000_000_000.0, 346_847_186.73, 0.3089]],
        definitions=[{"id": "fees", "unit": "currency"}],
    )
    t = a.to_dict()["table"]
    assert t["rows"][0][1] == 2_346_847_186.73  # machine value kept for charts and CSV
    assert t["display"] == [["Q1 2017", "$2.35B", "$2.00B", "+$346.85M", "30.9%"]]


def test_a_rates_change_is_in_points_and_a_mixed_table_uses_each_rows_unit():
    rate = Answer(
        "q",
        "a",
        "comparison",
        unit="percent",
        columns=["region", "margin", "change"],
        rows=[["EMEA", 0.422, -0.006]],
        definitions=[{"id": "margin", "unit": "percent"}],
    )
    assert rate.to_dict()["table"]["display"] == [["EMEA", "42.2%", "-0.6 pp"]]
    mixed = Answer(
        "q",
        "a",
        "budget_vs_actual",
        columns=["metric", "actual", "budget", "variance", "unit"],
        rows=[["Net fees", 2.35e9, 2.55e9, -2.0e8, "currency"], ["Margin", 0.42, 0.43, -0.01, "percent"]],
    )
    assert mixed.to_dict()["table"]["display"] == [
        ["Net fees", "$2.35B", "$2.55B", "-$200.00M", "currency"],
        ["Margin", "42.0%", "43.0%", "-1.0 pp", "percent"],
    ]
