"""The evaluation: the question sets in ``ask/questions/*.yaml`` against their gold SQL.

Each question is asked through the local engine (as an unrestricted persona, nothing persisted)
and its answer compared with the result of the question's gold SQL, run as plain SQL on the
warehouse's tables. :func:`evaluate` returns accuracy overall and by intent, with every failure
(the question, what was expected, what came back). ``revintel eval`` prints it.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from revintel.errors import InvalidRequest, NotFound
from revintel.scope import get_persona
from revintel.warehouse.backends import DuckDBWarehouse

if TYPE_CHECKING:
    from revintel.ask.answer import Answer
    from revintel.runtime import Runtime

QUESTIONS_DIR = Path(__file__).parent / "questions"
REL_TOL = 1e-6
ABS_TOL = 1e-6


def load_questions(dataset: str | None = None) -> list[dict[str, Any]]:
    """The evaluation questions, of one dataset (``demo``, ``maven``) or all."""
    files = sorted(QUESTIONS_DIR.glob("*.yaml"))
    if dataset:
        files = [f for f in files if f.stem == dataset]
        if not files:
            raise NotFound(
                f"no evaluation questions for dataset {dataset!r}",
                hint="available: " + ", ".join(f.stem for f in sorted(QUESTIONS_DIR.glob("*.yaml"))),
            )
    out: list[dict[str, Any]] = []
    for f in files:
        out += yaml.safe_load(f.read_text(encoding="utf-8")) or []
    return out


@dataclass
class Outcome:
    id: str
    question: str
    intent: str
    ok: bool
    got_intent: str
    reason: str = ""
    seconds: float = 0.0


@dataclass
class EvalReport:
    dataset: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.outcomes)

    @property
    def correct(self) -> int:
        return sum(o.ok for o in self.outcomes)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def by_intent(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for o in self.outcomes:
            row = out.setdefault(o.intent, {"questions": 0, "correct": 0})
            row["questions"] += 1
            row["correct"] += int(o.ok)
        for row in out.values():
            row["accuracy"] = row["correct"] / row["questions"]
        return dict(sorted(out.items()))

    def to_dict(self) -> dict[str, Any]:
        secs = sorted(o.seconds for o in self.outcomes)
        return {
            "dataset": self.dataset,
            "questions": self.total,
            "correct": self.correct,
            "accuracy": self.accuracy,
            "by_intent": self.by_intent(),
            "p50_ms": round(secs[len(secs) // 2] * 1000, 1) if secs else None,
            "failures": [o.__dict__ for o in self.outcomes if not o.ok],
        }


def evaluate(rt: Runtime, questions: list[dict[str, Any]] | None = None, persona: str = "ceo") -> EvalReport:
    """Ask every question of the loaded dataset and compare with its gold SQL."""
    dataset = rt.warehouse.get_meta().get("dataset") or "unknown"
    items = (
        questions
        if questions is not None
        else load_questions(dataset if dataset in ("demo", "maven") else None)
    )
    scope = get_persona(persona).scope
    report = EvalReport(dataset)
    for item in items:
        started = time.perf_counter()
        try:
            answer = rt.ask.ask(item["question"], scope, actor="eval", persist=False)
        except InvalidRequest as exc:
            report.outcomes.append(
                Outcome(item["id"], item["question"], item["intent"], False, "error", exc.message)
            )
            continue
        seconds = time.perf_counter() - started
        ok, reason = check(rt, item, answer)
        report.outcomes.append(
            Outcome(item["id"], item["question"], item["intent"], ok, answer.intent, reason, seconds)
        )
    return report


def gold(rt: Runtime, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a gold query, as plain SQL on the warehouse's tables."""
    wh = rt.warehouse
    if isinstance(wh, DuckDBWarehouse):
        with wh._lock:
            return [tuple(r) for r in wh.raw.execute(sql).fetchall()]
    frame = wh.execute(wh.con.sql(sql))
    return [tuple(r) for r in frame.itertuples(index=False, name=None)]


def check(rt: Runtime, item: dict[str, Any], answer: Answer) -> tuple[bool, str]:
    """(ok, reason) for one answer against its question's gold."""
    kind = item["check"]
    if kind == "unsupported":
        ok = answer.intent == "unsupported" and answer.value is None and not answer.rows
        return ok, "" if ok else f"expected an abstention, got {answer.intent}: {answer.answer}"
    if answer.intent != item["intent"]:
        return False, f"intent {answer.intent!r} != {item['intent']!r}: {answer.answer}"
    rows = gold(rt, item["gold_sql"])
    checker = CHECKS[kind]
    return checker(item, answer, rows)


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def same(a: Any, b: Any) -> bool:
    fa, fb = _num(a), _num(b)
    if fa is None or fb is None:
        return fa is None and fb is None
    return math.isclose(fa, fb, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _label(v: Any) -> str:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()[:10]
    if hasattr(v, "isoformat"):
        return v.isoformat()[:10]
    return str(v)


def _scalar(item: dict[str, Any], answer: Answer, rows: list[tuple[Any, ...]]) -> tuple[bool, str]:
    expected = rows[0][0] if rows else None
    ok = same(answer.value, expected)
    return ok, "" if ok else f"value {answer.value} != gold {expected}"


def _rows(item: dict[str, Any], answer: Answer, rows: list[tuple[Any, ...]]) -> tuple[bool, str]:
    col = item.get("value_column", 1)
    got = {_label(r[0]): r[col] for r in answer.rows if r[0] is not None}
    want = {_label(r[0]): r[1] for r in rows if r[0] is not None and r[1] is not None}
    if not item.get("subset"):
        got = {k: v for k, v in got.items() if v is not None}
        if set(got) != set(want):
            return False, f"labels {sorted(got)} != gold {sorted(want)}"
    bad = [k for k, v in want.items() if k not in got or not same(got[k], v)]
    return (
        not bad,
        ""
        if not bad
        else f"values differ for {bad[:5]}: got {[got.get(k) for k in bad[:5]]}, "
        f"gold {[want[k] for k in bad[:5]]}",
    )


def _top(item: dict[str, Any], answer: Answer, rows: list[tuple[Any, ...]]) -> tuple[bool, str]:
    if not answer.rows or not rows:
        return False, "no rows"
    lc = item.get("label_column", 0)
    got = answer.rows[0]
    if _label(got[lc]) != _label(rows[0][0]):
        return False, f"top {got[lc]!r} != gold {rows[0][0]!r}"
    if item.get("value", True) and not same(got[lc + 1], rows[0][1]):
        return False, f"top value {got[lc + 1]} != gold {rows[0][1]}"
    return True, ""


def _topn(item: dict[str, Any], answer: Answer, rows: list[tuple[Any, ...]]) -> tuple[bool, str]:
    n = item.get("n", len(rows))
    got = [_label(r[0]) for r in answer.rows[:n]]
    want = [_label(r[0]) for r in rows[:n]]
    return got == want, "" if got == want else f"top {n} {got} != gold {want}"


def _vector(item: dict[str, Any], answer: Answer, rows: list[tuple[Any, ...]]) -> tuple[bool, str]:
    want = list(rows[0]) if rows else []
    got = list(answer.rows[0][: len(want)]) if answer.rows else []
    ok = len(got) == len(want) and all(
        _label(g) == _label(w) if isinstance(w, str) else same(g, w) for g, w in zip(got, want, strict=True)
    )
    return ok, "" if ok else f"{got} != gold {want}"


def _values(item: dict[str, Any], answer: Answer, rows: list[tuple[Any, ...]]) -> tuple[bool, str]:
    want = sorted(_num(r[-1]) or 0.0 for r in rows)
    got = sorted(_num(r[1]) or 0.0 for r in answer.rows)
    ok = len(got) == len(want) and all(same(g, w) for g, w in zip(got, want, strict=True))
    return ok, "" if ok else f"{got} != gold {want}"


def _step(item: dict[str, Any], answer: Answer, rows: list[tuple[Any, ...]]) -> tuple[bool, str]:
    label, value = rows[0]
    got = next((r[1] for r in answer.rows if r[0] == label), None)
    ok = same(got, value)
    return ok, "" if ok else f"{label} {got} != gold {value}"


CHECKS = {
    "scalar": _scalar,
    "rows": _rows,
    "top": _top,
    "topn": _topn,
    "vector": _vector,
    "values": _values,
    "step": _step,
}
