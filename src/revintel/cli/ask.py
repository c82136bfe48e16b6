"""Ask commands: ``revintel ask``, ``revintel sql`` and ``revintel eval``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from revintel.cli.app import JsonOpt, PersonaOpt, app, console, emit, runtime
from revintel.errors import InvalidRequest, ValidationFailed
from revintel.scope import Persona, get_persona

ProviderOpt = Annotated[
    str,
    typer.Option(
        "--provider",
        help="auto (local, then an LLM or Genie if the local engine abstains), local, openai or genie.",
    ),
]


def _persona(persona_id: str | None) -> Persona:
    rt = runtime()
    path = str(rt.settings.personas_file) if rt.settings.personas_file else None
    return get_persona(persona_id or "ceo", path)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain English.")],
    persona: PersonaOpt = None,
    conversation: Annotated[
        str | None,
        typer.Option("--conversation", help="Continue this conversation (follow-ups use its context)."),
    ] = None,
    provider: ProviderOpt = "auto",
    as_json: JsonOpt = False,
    guide_format: Annotated[
        str, typer.Option("--format", help="With `revintel ask guide`: md (Markdown) or pdf.")
    ] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="With `revintel ask guide`: write the guide here.")
    ] = None,
) -> None:
    """Answer a question with the number, table, definitions and exact SQL (default persona: ceo).

    `revintel ask guide --format md|pdf -o FILE` writes the question guide for the persona instead.
    """
    p = _persona(persona)
    if question.strip().lower() == "guide":
        from revintel.cli.guide import write_guide

        write_guide(runtime(), p, guide_format, output, as_json)
        return
    answer = runtime().ask.ask(question, p.scope, actor=p.id, conversation_id=conversation, provider=provider)
    emit(answer.to_dict(), as_json, _render_answer)


def _render_answer(a: dict[str, Any]) -> None:
    style = "yellow" if a["intent"] == "unsupported" else "bold"
    console.print(f"[{style}]{a['answer']}[/]")
    table = a["table"]
    if table["rows"]:
        t = Table(*[str(c) for c in table["columns"]])
        for row in table["rows"][:25]:
            t.add_row(*[_cell(v) for v in row])
        console.print(t)
    for note in a.get("notes") or []:
        console.print(f"[dim]note: {note}[/]")
    statements = a.get("sql_statements") or []
    if statements:
        console.print("[dim]SQL:[/]")
        console.print(statements[0], markup=False, highlight=False)
        if len(statements) > 1:
            console.print(f"[dim]... and {len(statements) - 1} more statement(s); --json shows them all[/]")
    scope = a.get("scope") or {}
    console.print(
        f"[dim]intent={a['intent']} confidence={a['confidence']:.2f} provider={a['provider']} "
        f"scope={scope.get('description', '')} conversation={a.get('conversation_id')}[/]"
    )
    if a["suggestions"]:
        console.print("[dim]Try: " + " | ".join(a["suggestions"]) + "[/]")


def _cell(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4f}" if abs(v) < 1 else f"{v:,.2f}"
    return "" if v is None else str(v)


@app.command()
def sql(
    statement: Annotated[str, typer.Argument(help="One read-only SELECT over the governed views.")],
    persona: PersonaOpt = None,
    limit: Annotated[int | None, typer.Option("--limit", help="Return at most this many rows.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Run governed SQL: checked by the SQL guard, scoped to the persona, limited and time-boxed."""
    from revintel.ask.governed import GovernedSql

    p = _persona(persona)
    result = GovernedSql(runtime()).run(statement, p.scope, actor=p.id, limit=limit)
    emit(result.to_dict(), as_json, _render_sql)


def _render_sql(r: dict[str, Any]) -> None:
    t = Table(*r["columns"])
    for row in r["rows"][:200]:
        t.add_row(*[_cell(v) for v in row])
    console.print(t)
    more = " (truncated at the limit)" if r["truncated"] else ""
    console.print(f"[dim]{r['row_count']} row(s){more}; scope: {r['scope']['description']}[/]")


@app.command("eval")
def eval_cmd(
    dataset: Annotated[
        str | None, typer.Option("--dataset", help="Question set to run (default: the loaded dataset's).")
    ] = None,
    split: Annotated[
        str | None, typer.Option("--split", help="dev (for building) or test (blind); default: both.")
    ] = None,
    intent: Annotated[str | None, typer.Option("--intent", help="Only the questions of this intent.")] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="Only the questions of this category.")
    ] = None,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="The maven data folder gold SQL reads (default: ../shared/data/maven-crm)."
        ),
    ] = None,
    minimum: Annotated[float, typer.Option("--min", help="Fail (exit 1) below this accuracy (0-1).")] = 0.0,
    as_json: JsonOpt = False,
) -> None:
    """Score the evaluation questions against gold SQL: accuracy, wrong, abstained by split and category."""
    from revintel.ask.eval import evaluate, load_questions

    rt = runtime()
    loaded = rt.warehouse.get_meta().get("dataset")
    name = dataset or loaded
    if name != loaded:
        raise InvalidRequest(
            f"the warehouse holds the {loaded or 'no'} dataset, not {name}",
            hint="load it first: revintel demo seed, or revintel ingest maven <folder>",
        )
    questions = [
        q
        for q in load_questions(name, split)
        if (intent is None or q.get("intent") == intent)
        and (category is None or q.get("category") == category)
    ]
    if not questions:
        raise InvalidRequest("no evaluation questions match", hint="check --split, --intent and --category")
    report = evaluate(rt, questions, data=data)
    out = report.to_dict()
    emit(out, as_json, _render_eval)
    if report.accuracy < minimum:
        raise ValidationFailed(f"accuracy {report.accuracy:.1%} is below the minimum {minimum:.1%}")


def _pct(v: float | None) -> str:
    return "" if v is None else f"{v:.1%}"


def _render_eval(r: dict[str, Any]) -> None:
    for split, s in r["splits"].items():
        t = Table(
            "category",
            "questions",
            "accuracy",
            "wrong",
            "abstained",
            title=f"Ask evaluation ({r['dataset']}, {split})",
        )
        for cat, row in s["by_category"].items():
            t.add_row(
                cat, str(row["questions"]), _pct(row["accuracy"]), _pct(row["wrong"]), _pct(row["abstained"])
            )
        t.add_row(
            "[bold]all[/]",
            str(s["questions"]),
            f"[bold]{_pct(s['accuracy'])}[/]",
            _pct(s["wrong"]),
            _pct(s["abstained"]),
        )
        console.print(t)
    rel = Table("confidence", "answers", "mean confidence", "accuracy", title="Reliability (answers given)")
    for b in r["reliability"]:
        rel.add_row(b["bin"], str(b["answers"]), _pct(b["mean_confidence"]), _pct(b["accuracy"]))
    console.print(rel)
    for f in r["failures"][:30]:
        console.print(f"[red]x[/] {f['id']} {f['question']}: {f['reason']}", markup=True, highlight=False)
