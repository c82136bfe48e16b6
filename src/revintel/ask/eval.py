"""The evaluation: question sets in two splits, scored against gold SQL, with calibration.

Question files live in ``ask/questions/<split>/*.yaml``:

* ``dev``: for building and tuning — the generated sets (``demo.yaml``, ``maven.yaml``, gold SQL
  over the canonical tables) and hand-written sets (``*_written.yaml``) of follow-ups,
  misspellings, halves and ranges, out-of-catalogue synonyms, routing, operations and abstentions;
* ``test``: written blind by someone who never read ``ask/``; never used for tuning, and only
  its aggregates are reported (no question or failure of it is printed).

An item (the test format; generated items carry ``intent`` and older check names too)::

    id: t-maven-001
    dataset: maven
    category: value            # value breakdown ranking trend comparison share periods synonyms
                               # misspellings followup operations routing abstain
    question: "..."            # or  turns: ["q1", "q2"]  (only the last turn is checked)
    expect: answer             # answer | clarify | abstain
    check: scalar              # scalar | top | bottom | topn (with n) | rows | route
    gold_sql: SELECT ...       # {maven} -> the maven data folder (raw CSVs); else the warehouse
    route: forecast            # check: route; figure: p50|p10|p90|gap_to_quota|commit|best_case ...

Each item ends as ``correct``, ``wrong`` (a figure was given and it is wrong, or a figure was
given where the item expects a clarification or an abstention) or ``abstained`` (no figure: an
abstention or a clarifying question where an answer was expected). An expected ``clarify`` or
``abstain`` is correct when no figure is given. Gold values compare at a relative tolerance of
1e-4 (ratios are fractions); ``top``/``bottom``: the first row's label; ``rows``: every
(label, value) group; ``route``: the answer comes from that service with the service's figure.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import yaml

from revintel.errors import InvalidRequest, NotFound, RevintelError
from revintel.scope import get_persona
from revintel.warehouse.backends import DuckDBWarehouse

if TYPE_CHECKING:
    from revintel.ask.answer import Answer
    from revintel.runtime import Runtime

QUESTIONS_DIR = Path(__file__).parent / "questions"
SPLITS = ("dev", "test")
REL_TOL = 1e-4
ABS_TOL = 1e-6
#: the maven folder gold SQL reads, relative to the repository root
DEFAULT_DATA = Path("..") / "shared" / "data" / "maven-crm"
CATEGORIES = (
    "value", "breakdown", "ranking", "trend", "comparison", "share", "periods", "synonyms",
    "misspellings", "followup", "operations", "routing", "abstain",
)  # fmt: skip
#: generated items' intents -> a category
_INTENT_CATEGORY = {
    "why": "comparison",
    "rate_volume": "comparison",
    "budget_vs_actual": "comparison",
    "funnel": "breakdown",
    "deal_lookup": "routing",
    "unsupported": "abstain",
}
BINS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01))


def default_data() -> Path:
    """The maven data folder: ``../shared/data/maven-crm`` next to the repository."""
    return (Path(__file__).resolve().parents[3] / DEFAULT_DATA).resolve()


def load_questions(dataset: str | None = None, split: str | None = None) -> list[dict[str, Any]]:
    """Evaluation items of one dataset (``demo``, ``maven``) or all, of one split or both."""
    splits = [split] if split else list(SPLITS)
    for s in splits:
        if s not in SPLITS:
            raise InvalidRequest(f"unknown split {s!r}", hint="dev or test")
    out: list[dict[str, Any]] = []
    for s in splits:
        for f in sorted((QUESTIONS_DIR / s).glob("*.yaml")):
            for item in yaml.safe_load(f.read_text(encoding="utf-8")) or []:
                if dataset and item.get("dataset") != dataset:
                    continue
                out.append(normalise_item(item, s))
    if dataset and not out and split != "test":
        raise NotFound(f"no evaluation questions for dataset {dataset!r}", hint="demo or maven")
    return out


def normalise_item(item: dict[str, Any], split: str) -> dict[str, Any]:
    """One item in the common shape (generated items: expect/category from their intent)."""
    out = dict(item)
    out["split"] = split
    if out.get("check") == "unsupported":
        out["expect"] = "abstain"
    out.setdefault("expect", "answer")
    intent = out.get("intent")
    out.setdefault("category", _INTENT_CATEGORY.get(intent or "", intent or "value"))
    if "turns" not in out:
        out["turns"] = [out["question"]]
    out.setdefault("question", out["turns"][-1])
    return out


@dataclass
class Outcome:
    id: str
    question: str
    split: str
    category: str
    expect: str
    result: str  # correct | wrong | abstained
    got_intent: str
    confidence: float
    reason: str = ""
    seconds: float = 0.0
    intent: str = ""

    @property
    def ok(self) -> bool:
        return self.result == "correct"


def _summary(outcomes: list[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    correct = sum(o.result == "correct" for o in outcomes)
    wrong = sum(o.result == "wrong" for o in outcomes)
    abstained = sum(o.result == "abstained" for o in outcomes)
    return {
        "questions": n,
        "correct": correct,
        "accuracy": correct / n if n else None,
        "wrong": wrong / n if n else None,
        "wrong_count": wrong,
        "abstained": abstained / n if n else None,
        "abstained_count": abstained,
    }


def reliability(outcomes: list[Outcome]) -> list[dict[str, Any]]:
    """Confidence bins of the answers given (a figure) vs how often they were right."""
    out = []
    for lo, hi in BINS:
        inside = [
            o for o in outcomes if o.got_intent not in ("unsupported", "clarify") and lo <= o.confidence < hi
        ]
        out.append(
            {
                "bin": f"{lo:.1f}-{min(hi, 1.0):.1f}",
                "answers": len(inside),
                "mean_confidence": round(sum(o.confidence for o in inside) / len(inside), 3)
                if inside
                else None,
                "accuracy": round(sum(o.ok for o in inside) / len(inside), 3) if inside else None,
            }
        )
    return out


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

    def split(self, name: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.split == name]

    def by(self, outcomes: list[Outcome], key: str) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[Outcome]] = {}
        for o in outcomes:
            groups.setdefault(getattr(o, key) or "", []).append(o)
        return {k: _summary(v) for k, v in sorted(groups.items())}

    def by_intent(self) -> dict[str, dict[str, Any]]:
        return self.by([o for o in self.outcomes if o.intent], "intent")

    def to_dict(self) -> dict[str, Any]:
        secs = sorted(o.seconds for o in self.outcomes)
        splits = {}
        for s in SPLITS:
            outs = self.split(s)
            if outs:
                splits[s] = {**_summary(outs), "by_category": self.by(outs, "category")}
        return {
            "dataset": self.dataset,
            **_summary(self.outcomes),
            "total": self.total,
            "splits": splits,
            "by_category": self.by(self.outcomes, "category"),
            "by_intent": self.by_intent(),
            "reliability": reliability(self.outcomes),
            "p50_ms": round(secs[len(secs) // 2] * 1000, 1) if secs else None,
            # the blind test split is scored, never shown question by question
            "failures": [
                {k: v for k, v in o.__dict__.items()} for o in self.outcomes if not o.ok and o.split != "test"
            ],
        }


def evaluate(
    rt: Runtime,
    questions: list[dict[str, Any]] | None = None,
    persona: str = "ceo",
    data: Path | None = None,
) -> EvalReport:
    """Ask every item of the loaded dataset (each turn, in one conversation) and score it."""
    dataset = rt.warehouse.get_meta().get("dataset") or "unknown"
    items = (
        questions
        if questions is not None
        else load_questions(dataset if dataset in ("demo", "maven") else None)
    )
    items = [normalise_item(i, i.get("split", "dev")) if "turns" not in i else i for i in items]
    scope = get_persona(persona).scope
    report = EvalReport(dataset)
    gold = Gold(rt, data or default_data())
    for item in items:
        started = time.perf_counter()
        try:
            answer = _ask(rt, item, scope)
        except RevintelError as exc:
            report.outcomes.append(_outcome(item, "abstained", "error", 0.0, exc.message, 0.0))
            continue
        seconds = time.perf_counter() - started
        result, reason = score(rt, item, answer, gold, scope)
        report.outcomes.append(_outcome(item, result, answer.intent, answer.confidence, reason, seconds))
    gold.close()
    return report


def _outcome(item: dict[str, Any], result: str, got: str, conf: float, reason: str, secs: float) -> Outcome:
    return Outcome(
        str(item["id"]),
        str(item["question"]),
        str(item.get("split", "dev")),
        str(item.get("category", "value")),
        str(item.get("expect", "answer")),
        result,
        got,
        float(conf or 0.0),
        reason,
        secs,
        str(item.get("intent") or ""),
    )


def _ask(rt: Runtime, item: dict[str, Any], scope: Any) -> Answer:
    turns = item["turns"]
    if len(turns) == 1:
        return rt.ask.ask(turns[0], scope, actor="eval", persist=False)
    cid = None
    answer = None
    for t in turns:
        answer = rt.ask.ask(t, scope, actor="eval", conversation_id=cid, persist=True)
        cid = answer.conversation_id
    assert answer is not None
    return answer


class Gold:
    """Runs gold SQL: over the warehouse, or (``{maven}``) over the raw maven CSVs."""

    def __init__(self, rt: Runtime, data: Path):
        self.rt = rt
        self.data = data
        self._con: duckdb.DuckDBPyConnection | None = None

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if "{maven}" in sql:
            if not self.data.exists():
                raise NotFound(f"maven data folder {self.data} not found", hint="pass --data PATH")
            if self._con is None:
                self._con = duckdb.connect()
            return [tuple(r) for r in self._con.execute(sql.replace("{maven}", str(self.data))).fetchall()]
        return gold(self.rt, sql)

    def close(self) -> None:
        if self._con is not None:
            self._con.close()


def gold(rt: Runtime, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a gold query, as plain SQL on the warehouse's tables."""
    wh = rt.warehouse
    if isinstance(wh, DuckDBWarehouse):
        return [tuple(r) for r in wh.cursor().execute(sql).fetchall()]
    frame = wh.execute(wh.con.sql(sql))
    return [tuple(r) for r in frame.itertuples(index=False, name=None)]


def score(rt: Runtime, item: dict[str, Any], answer: Answer, gold_rows: Gold, scope: Any) -> tuple[str, str]:
    """(result, reason) for one answer: correct, wrong or abstained."""
    gave = answer.supported
    if item["expect"] in ("abstain", "clarify"):
        if not gave and answer.value is None and not answer.rows:
            return "correct", ""
        return "wrong", f"expected {item['expect']}, got {answer.intent}: {answer.answer}"
    if not gave:
        return "abstained", f"{answer.intent}: {answer.answer}"
    if item.get("intent") and item["split"] == "dev" and answer.intent != item["intent"]:
        return "wrong", f"intent {answer.intent!r} != {item['intent']!r}: {answer.answer}"
    kind = item["check"]
    if kind == "route":
        ok, reason = check_route(rt, item, answer, scope)
    else:
        try:
            rows = gold_rows.rows(item["gold_sql"])
        except duckdb.Error as exc:
            return "abstained", f"gold SQL failed: {exc}"
        ok, reason = CHECKS[kind](item, answer, rows)
    return ("correct" if ok else "wrong"), reason


def check(rt: Runtime, item: dict[str, Any], answer: Answer) -> tuple[bool, str]:
    """(ok, reason) for one generated item (kept for callers of the earlier API)."""
    result, reason = score(rt, normalise_item(item, "dev"), answer, Gold(rt, default_data()), None)
    return result == "correct", reason


def check_route(rt: Runtime, item: dict[str, Any], answer: Answer, scope: Any) -> tuple[bool, str]:
    """The answer came from the named service, with the figure that service gives."""
    route = answer.route or {}
    want = item.get("route")
    if route.get("scope_filters"):  # "the forecast for EMEA": the service run in the narrower scope
        from revintel.ask.parse import Request
        from revintel.ask.routes import narrowed

        scope = narrowed(scope, Request(question="", filters=route["scope_filters"]))
    if route.get("service") != want:
        return False, f"route {route.get('service')!r} != {want!r}: {answer.answer}"
    figure = item.get("figure")
    if figure and route.get("figure") != figure:
        return False, f"figure {route.get('figure')!r} != {figure!r}"
    if want == "forecast":
        from revintel.forecast.rollup import forecast

        period = answer.period or {}
        out = forecast(rt, scope, _period(period) if period else None, route.get("by")).to_dict()
        expected = out["total"].get(route["figure"])
        return same(answer.value, expected), f"value {answer.value} != service {expected}"
    if want == "deals_at_risk":
        from revintel.deals.risk import risk_list

        top = len(route.get("deal_ids") or []) or 10
        out = risk_list(rt, scope, None, top, route.get("filters") or {}, explain=False)
        ids = [d["opportunity_id"] for d in out["deals"]]
        return ids == route.get("deal_ids"), "deal ids differ from the risk list"
    if want == "deal":
        deal_id = item.get("deal_id")
        return (not deal_id or route.get("deal_id") == deal_id), f"deal {route.get('deal_id')} != {deal_id}"
    if want == "pipeline_changes":
        from revintel.forecast.changes import pipeline_changes

        out = pipeline_changes(
            rt, scope, dt.date.fromisoformat(route["from"]), dt.date.fromisoformat(route["to"])
        )
        t = out["total"]
        return same(answer.value, t["pushed_out"]) or same(
            answer.value, t["end"] - t["start"]
        ), "value differs"
    return True, ""


def _period(p: dict[str, Any]) -> Any:
    from revintel.semantic.time import Period

    return Period(
        dt.date.fromisoformat(p["start"]),
        dt.date.fromisoformat(p["end"]),
        p.get("grain", "range"),
        p.get("label", ""),
    )


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
    return str(v).strip().lower()


def _scalar(item: dict[str, Any], answer: Answer, rows: list[tuple[Any, ...]]) -> tuple[bool, str]:
    expected = rows[0][0] if rows else None
    ok = same(answer.value, expected)
    return ok, "" if ok else f"value {answer.value} != gold {expected}"


def _rows(item: dict[str, Any], answer: Answer, rows: list[tuple[Any, ...]]) -> tuple[bool, str]:
    col = item.get("value_column", 1)
    got = {_label(r[0]): r[col] for r in answer.rows if r[0] is not None and len(r) > col}
    want = {_label(r[0]): r[1] for r in rows if r[0] is not None and r[1] is not None}
    if not item.get("subset"):
        got = {k: v for k, v in got.items() if v is not None and not (_num(v) == 0 and k not in want)}
        if set(got) != set(want):
            return False, f"labels {sorted(got)[:8]} != gold {sorted(want)[:8]}"
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
    if (
        item.get("value", item.get("split") == "dev")
        and len(rows[0]) > 1
        and not same(got[lc + 1], rows[0][1])
    ):
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
    "bottom": _top,
    "topn": _topn,
    "vector": _vector,
    "values": _values,
    "step": _step,
}
