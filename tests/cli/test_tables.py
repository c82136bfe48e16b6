"""Terminal tables never cut a number: labels wrap instead."""

from __future__ import annotations

import pytest
from rich.table import Table

from revintel.cli.tables import CliConsole, sparkline


def _render(width: int) -> str:
    t = Table("deal", "account", "region", "amount", "risk", "exp. loss")
    for i in range(3):
        t.add_row(
            f"OPP-{i:05d}",
            "Northwind Global Holdings International",
            "EMEA",
            "$1,876,432",
            "72.4",
            "$1,358,536",
        )
    console = CliConsole(width=width, record=True, color_system=None)
    console.print(t)
    return console.export_text()


def test_figures_keep_every_digit_in_a_narrow_terminal() -> None:
    for width in (60, 80, 100):
        out = _render(width)
        assert out.count("$1,876,432") == 3 and out.count("$1,358,536") == 3, out
        assert "…" not in out


def test_labels_fold_onto_more_lines_rather_than_end_in_an_ellipsis() -> None:
    out = _render(60)
    assert "…" not in out and out.count("Northw") == 3
    assert len(out.splitlines()[3]) <= 60


def _kpi_table() -> Table:
    t = Table("KPI", "value", "budget", "vs budget", "PY", "vs PY", "12 months", title="KPIs")
    t.add_row("Chargeability", "75.9%", "–", "–", "75.9%", "+0.0 pp", sparkline(range(12)))
    t.add_row("Rate per hour", "$211.70/h", "$218.37/h", "-3.1%", "$212.90/h", "-0.6%", sparkline([3] * 12))
    t.add_row("Net fees", "$2,346,840,112", "$2.55B", "-8.1%", "$2.25B", "+4.4%", sparkline([1, None, 2]))
    return t


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_a_wide_table_never_cuts_a_figure_or_a_line_at_any_width(width: int) -> None:
    console = CliConsole(width=width, record=True, color_system=None)
    console.print(_kpi_table())
    out = console.export_text()
    for figure in ("$211.70/h", "$218.37/h", "$2,346,840,112", "+0.0 pp", "▁▂▂▃▄▄▅▅▆▇▇█"):
        assert figure in out, (width, out)
    assert "…" not in out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= width, out


def test_labels_that_fit_are_not_split_inside_a_word() -> None:
    console = CliConsole(width=80, record=True, color_system=None)
    console.print(_kpi_table())
    out = console.export_text()
    assert "Chargeability" in out and "Rate per hour" in out.replace("\n", " ")


@pytest.mark.parametrize(
    ("values", "drawn"),
    [
        ([1, 2, 3, 4, 5, 6, 7, 8], "▁▂▃▄▅▆▇█"),
        ([10, None, 0], "█·▁"),
        ([5, 5, 5], "▄▄▄"),
        ([None, None], ""),
        ([], ""),
    ],
)
def test_sparkline_draws_one_block_per_value_from_lowest_to_highest(values, drawn) -> None:
    assert sparkline(values) == drawn


def test_a_deals_table_at_100_columns_keeps_every_figure_and_every_word() -> None:
    heads = ("deal", "account", "rep", "region", "stage", "amount", "p_win", "risk", "exp. loss")
    t = Table(*heads, "top risk driver")
    for _ in range(3):
        t.add_row(
            "O0000098", "Graniteline Pharma", "Alex Morgan", "EMEA", "Proposal",
            "$1,876,432", "26%", "86", "$1,358,536", "Close date pushed 3 times",
        )  # fmt: skip
    console = CliConsole(width=100, record=True, color_system=None)
    console.print(t)
    out = console.export_text()
    assert out.count("$1,876,432") == 3 and out.count("$1,358,536") == 3, out
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 100
    words = out.split()
    assert words.count("times") == 3 and words.count("pushed") == 3, out
