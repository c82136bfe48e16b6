"""Terminal tables that never cut a number: figures keep their full width, labels wrap instead.

Rich shrinks every column of a table that is wider than the terminal and ends cut cells with an
ellipsis, so ``1,876,432`` could print as ``1,876,…``. :func:`keep_numbers` marks each column whose
cells are all figures (money, counts, percentages, points, hours ...) as never wrapping and at
least as wide as its widest figure, and lets the other columns fold onto more lines, so Rich takes
the width it needs from the labels. :class:`CliConsole` applies it to every table it prints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

_FIGURE = re.compile(
    r"^\(?[+\-−]?[$€£]?[+\-−]?\d[\d,]*(\.\d+)?\s?([kKMBT]|bn)?\s?(%|pp|pts?|h|hrs?|d|days?|x|×)?"
    r"(/(h|hr|hour|day|deal|month))?\)?$|^[–—-]$"
)
#: the eight block heights a terminal sparkline is drawn with
BLOCKS = "▁▂▃▄▅▆▇█"
#: a label column never folds inside a word shorter than this
LONGEST_WORD = 18
#: ... unless the table cannot fit otherwise: then words fold at this width
FOLDED_WORD = 8


def _plain(cell: Any) -> str | None:
    if isinstance(cell, Text):
        return cell.plain
    if isinstance(cell, str):
        return Text.from_markup(cell).plain if "[" in cell else cell
    if isinstance(cell, int | float):
        return str(cell)
    return None


def keep_numbers(table: Table) -> Table:
    """Give every all-figures column its full width and let label columns wrap (in place)."""
    for col in table.columns:
        cells = [_plain(c) for c in col._cells]
        texts = [c.strip() for c in cells if c is not None]
        if texts and len(texts) == len(cells) and all(_FIGURE.match(t) for t in texts if t):
            col.no_wrap = True
            col.overflow = "ignore"
            col.min_width = max([len(t) for t in texts] + [col.min_width or 0])
        else:
            col.overflow = "fold"
            words = [len(w) for t in texts for w in re.findall(r"\w+", t)] + [len(str(col.header))]
            col.min_width = max([min(max(words), LONGEST_WORD), col.min_width or 0])
    return table


def sparkline(values: Sequence[float | None]) -> str:
    """``[1, 3, 2, None, 5]`` -> ``"▁▄▂·█"``: one block per value, scaled from the lowest to the highest.

    A missing value is a middle dot; a flat series is drawn at mid height.
    """
    nums = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not nums:
        return ""
    lo, hi = min(nums), max(nums)
    out = []
    for v in values:
        if v is None or not math.isfinite(float(v)):
            out.append("·")
        elif hi == lo:
            out.append(BLOCKS[3])
        else:
            out.append(BLOCKS[round((float(v) - lo) / (hi - lo) * (len(BLOCKS) - 1))])
    return "".join(out)


class CliConsole(Console):
    """A console whose tables never truncate numbers (:func:`keep_numbers`)."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        super().print(*(self.fit(o) if isinstance(o, Table) else o for o in objects), **kwargs)

    def fit(self, table: Table) -> RenderableType:
        """The table as it fits the terminal without cutting a number.

        Figure columns keep their width (:func:`keep_numbers`); when the columns still do not fit,
        the rules and edge padding go, then long label words may fold; when even that is too wide,
        each row is printed as a card of ``header: value`` lines.
        """
        keep_numbers(table)
        if self._fits(table):
            return table
        table.box = box.SIMPLE_HEAD
        table.show_edge = False
        table.padding = (0, 1, 0, 0)
        if self._fits(table):
            return table
        for col in table.columns:  # then let long label words fold before giving up the table
            if not col.no_wrap:
                col.min_width = min(col.min_width or 0, FOLDED_WORD)
        if self._fits(table):
            return table
        return stacked(table)

    def _fits(self, table: Table) -> bool:
        """Whether Rich would give every column at least its minimum (no figure cut, no word split)."""
        if table.__rich_measure__(self, self.options).minimum > self.width:
            return False
        room = self.width - table._extra_width  # what Rich gives the columns after rules and edges
        widths = table._calculate_column_widths(self, self.options.update_width(room))
        return sum(widths) <= room and all(
            w - table._get_padding_width(i) >= (col.min_width or 0)
            for i, (w, col) in enumerate(zip(widths, table.columns, strict=False))
        )


def stacked(table: Table) -> RenderableType:
    """Each row of ``table`` as a card: its first cell in bold, then one ``header: value`` line per cell."""
    heads = [Text.from_markup(str(c.header)).plain for c in table.columns]
    cells = [list(c._cells) for c in table.columns]
    out: list[RenderableType] = []
    if table.title:
        out.append(Text.from_markup(f"[bold]{table.title}[/]"))
    for i in range(table.row_count):
        row = [_text(col[i]) for col in cells]
        first = row[0].copy()
        first.stylize("bold")
        out.append(first)
        for head, cell in zip(heads[1:], row[1:], strict=False):
            if cell.plain.strip():
                out.append(Text.assemble(f"  {head}: ", cell))
    return Group(*out)


def _text(cell: Any) -> Text:
    if isinstance(cell, Text):
        return cell
    return Text.from_markup(cell) if isinstance(cell, str) else Text(str(cell))


def paint(text: str, status: str) -> str:
    """Rich markup colouring ``text`` by a KPI status: good green, bad red, neutral as is."""
    colour = {"good": "green", "bad": "red"}.get(status)
    return f"[{colour}]{text}[/]" if colour else text
