"""``revintel deals people``: buying roles, titles and seniority on won vs lost deals."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from revintel import format as fmt
from revintel.cli.app import JsonOpt, PersonaOpt, console, emit, runtime
from revintel.cli.deals import _scope, deals_app


@deals_app.command("people")
def people_cmd(
    by: Annotated[str, typer.Option("--by", help="role, title or seniority.")] = "role",
    period: Annotated[
        str | None, typer.Option("--period", help="Deals closed in this period (default: all time).")
    ] = None,
    as_json: JsonOpt = False,
    persona: PersonaOpt = None,
) -> None:
    """People on deals: which buying roles, titles or seniorities appear on won vs lost deals."""
    from revintel.deals.people import buying_group, summary_sentence

    out = buying_group(runtime(), _scope(persona), period, by)

    def render(o: dict[str, Any]) -> None:
        h = o["headline"]
        t = Table(title=f"People on deals closed ({o['period']['label']}), by {o['by'].replace('_', ' ')}")
        for c in ("", "won deals", "lost deals", "% of won", "% of lost", "win rate"):
            t.add_column(c, justify="left" if not c else "right")
        for r in o["rows"]:
            t.add_row(
                str(r["key"]),
                fmt.count(r["won_deals"]),
                fmt.count(r["lost_deals"]),
                fmt.percent(r["share_of_won"]),
                fmt.percent(r["share_of_lost"]),
                fmt.percent(r["win_rate"]),
            )
        console.print(t)
        console.print(
            f"won deals with contacts: {fmt.count(o['won_with_contacts'])}, "
            f"lost: {fmt.count(o['lost_with_contacts'])}; overall win rate {fmt.percent(h['win_rate'])}"
        )
        console.print(summary_sentence(o))

    emit(out, as_json, render)
