"""The Ask engine: question -> understood request -> governed queries -> answer, with providers.

:meth:`AskEngine.ask` is what the CLI, the API and the page call. Flow:

1. read the question (:func:`~revintel.ask.intents.understand`), complete it from the
   conversation's previous request (:func:`~revintel.ask.conversation.resolve`);
2. check the request against the caller's scope: a value outside it is refused and audit-logged,
   a request to drop filters keeps the scope (and is logged);
3. run the intent through the semantic layer (scope applied by the compiler);
4. when the local engine abstains and an LLM is configured (or Genie is asked for), let that
   provider answer, time-boxed, falling back to the local answer with a note;
5. add sources and freshness, suggestions; persist the turn; audit-log the answer.

``on_step(name, payload)`` receives ``understood``, ``query`` and ``answer`` as they happen (the
API streams them as server-sent events).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from revintel.appdb import conversations as convdb
from revintel.appdb.audit import record
from revintel.ask import conversation, execute, explain, reports, routes
from revintel.ask.answer import Answer, unsupported
from revintel.ask.check import Verdict, check, confidence, resolve_data
from revintel.ask.entities import VocabularyCache
from revintel.ask.intents import complement, understand
from revintel.ask.parse import Request
from revintel.ask.periods import read_periods
from revintel.ask.reading import how_i_read_it, interpretation
from revintel.ask.suggest import nearest_questions, suggestions_for
from revintel.ask.vocab import normalise
from revintel.errors import Forbidden, InvalidRequest, ProviderError
from revintel.memo import LRU, MISSING
from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

Step = Callable[[str, dict[str, Any]], None]
MAX_QUESTION = 500
PROVIDERS = ("auto", "local", "openai", "genie")

EXECUTORS: dict[str, Callable[[execute.Run], Answer]] = {
    "value": execute.value,
    "trend": execute.trend,
    "breakdown": execute.breakdown,
    "ranking": execute.ranking,
    "comparison": execute.comparison,
    "share": lambda run: execute.breakdown(run, share=True),
    "budget_vs_actual": reports.budget_vs_actual,
    "funnel": reports.funnel,
    "deal_lookup": reports.deal_lookup,
    "why": explain.why,
    "rate_volume": explain.rate_volume,
}


class AskEngine:
    """Answers plain-English questions for one runtime (one warehouse, one app database)."""

    def __init__(self, rt: Runtime):
        self.rt = rt
        self.vocab = VocabularyCache()
        #: how each question read, per (vocabulary's data version, as-of, fiscal start, words): the
        #: reading is the question's most expensive step and depends on nothing else (not on scope)
        self._understood = LRU(2048)

    # --- entry point ----------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        scope: Scope,
        *,
        actor: str,
        conversation_id: str | None = None,
        provider: str = "auto",
        persist: bool = True,
        on_step: Step | None = None,
    ) -> Answer:
        """Answer ``question`` for a caller with ``scope`` (see module docstring)."""
        question = " ".join((question or "").split())
        if not question:
            raise InvalidRequest("ask a question", hint="e.g. What were net fees YTD?")
        if len(question) > MAX_QUESTION:
            raise InvalidRequest(f"questions are limited to {MAX_QUESTION} characters")
        if provider not in PROVIDERS:
            raise InvalidRequest(f"unknown provider {provider!r}", hint="one of: " + ", ".join(PROVIDERS))
        step = on_step or (lambda _n, _p: None)
        previous = convdb.last_context(self.rt.appdb, actor, conversation_id) if conversation_id else None
        with self.rt.semantic.pinned():  # one data version for every query of this answer
            req = self.understand(question, previous)
            step("understood", {"request": req.to_dict()})
            answer = self._answer(req, scope, actor, provider, step, conversation_id)
            answer.sources = answer.sources or self._sources(answer)
            if not answer.interpretation:
                answer.interpretation = interpretation(req, self.rt.catalogue, answer.period)
                if answer.route:  # the service's figure, read from the question's words
                    answer.interpretation["metric"]["value"] = routes.figure_label(answer.route)
                    answer.interpretation["metric"]["words"] = None
                    answer.interpretation["unresolved"] = []
            answer.reading = answer.reading or how_i_read_it(answer.interpretation)
        if not answer.suggestions:
            answer.suggestions = suggestions_for(req, answer, self.rt.catalogue)
        if persist:
            self._persist(answer, req, actor, conversation_id)
        record(
            self.rt.appdb,
            actor=actor,
            action="ask",
            scope=scope,
            target=question[:400],
            detail={
                "intent": answer.intent,
                "provider": answer.provider,
                "conversation": answer.conversation_id,
            },
            sql="\n;\n".join(answer.sql) or None,
            rows=len(answer.rows),
            outcome="denied" if answer.understood.get("refused") else "ok",
        )
        step("answer", {"answer": answer.to_dict()})
        return answer

    def understand(self, question: str, previous: dict[str, Any] | None = None) -> Request:
        """The request ``question`` reads as (completed from ``previous`` for follow-ups)."""
        return conversation.resolve(self._read(question), previous)

    def _read(self, question: str) -> Request:
        """:func:`understand` of ``question``, kept per data version and as-of date.

        Questions that differ only in case, punctuation or spacing read the same (the reading starts
        from :func:`normalise`), so they share one entry; each caller gets its own copy, carrying its
        own wording.
        """
        version, vocab = self.vocab.current(self.rt)
        as_of = self.rt.semantic.as_of()
        fiscal = self.rt.settings.fiscal_year_start_month
        key = (version, as_of, fiscal, normalise(question))
        req = self._understood.get(key)
        if req is MISSING:
            req = understand(question, self.rt.catalogue, vocab, as_of, fiscal)
            self._understood.put(key, req)
        out = copy.deepcopy(req)
        out.question = question
        return out

    # --- answering ------------------------------------------------------------------------------
    def _answer(
        self, req: Request, scope: Scope, actor: str, provider: str, step: Step, conversation_id: str | None
    ) -> Answer:
        if req.excluded and req.metric:  # before the scope check: the rest of what the caller can see
            self._complement(req, scope)
        refusal = self._scope_check(req, scope, actor)
        if refusal is not None:
            return refusal
        local = self.run_request(req, scope, step) if provider != "genie" else None
        if provider == "local" or (local is not None and local.supported and provider == "auto"):
            return local  # type: ignore[return-value]
        name = provider if provider in ("openai", "genie") else self._fallback_provider()
        if name is None:
            return local  # type: ignore[return-value]
        history = convdb.history(self.rt.appdb, actor, conversation_id) if conversation_id else []
        return self._external(name, req, scope, local, history, step)

    def run_request(self, req: Request, scope: Scope, step: Step | None = None) -> Answer:
        """Check an understood request (answer, clarify or abstain), then run it (scope applied)."""
        sem = self.rt.semantic
        cat = self.rt.catalogue
        counts = sem.state().counts
        data_notes = resolve_data(req, cat, counts)
        route = routes.match(req)
        if route is not None:
            reason = routes.unanswerable(route, req, cat)
            if reason is not None:
                return self._abstain(req, scope, reason)
            if route.service in ("forecast", "pipeline_changes", "deals_at_risk"):
                scope = routes.narrowed(scope, req, route)  # "the forecast for EMEA": a narrower row scope
            try:
                return routes.run(self.rt, route, req, scope)
            except Forbidden as exc:
                return self._refuse(req, scope, exc.message)
            except InvalidRequest as exc:
                return self._abstain(req, scope, exc.message)
        vocab = self.vocab.get(self.rt)
        if req.excluded and req.metric:
            self._complement(req, scope)
        verdict = check(req, cat, counts, vocab.values, sem.as_of(), scope.domains)
        if verdict.action == "abstain":
            return self._abstain(req, scope, verdict.reason)
        if verdict.action == "clarify":
            return self._clarify(req, scope, verdict)
        answer = self._execute(req, scope, step)
        if (
            answer.supported
            and answer.value is None
            and not any(v is not None for r in answer.rows for v in r[1:])
        ):
            return self._abstain(req, scope, answer.answer.rstrip(".").replace("There is no", "there is no"))
        if answer.supported:
            answer.notes = data_notes + answer.notes
            sure = confidence(req)
            answer.confidence = sure if answer.confidence >= 0.8 else min(answer.confidence, sure)
        return answer

    def _complement(self, req: Request, scope: Scope) -> None:
        """ "Excluding X": every other value of X's dimension in the metric's table, in the caller's scope."""
        if req.metric is None:
            return
        sem = self.rt.semantic
        m = self.rt.catalogue.metric(req.metric)
        tables = [m.table] if m.table else [self.rt.catalogue.metric(i).table for i in m.components]
        table = next((t for t in tables if t), None)
        if table is None:
            return
        complement(req, {d: sem.dimension_values(d, scope, table) for d in req.excluded})

    def _execute(self, req: Request, scope: Scope, step: Step | None = None) -> Answer:
        sem = self.rt.semantic
        if req.as_of:
            from revintel.semantic import SemanticLayer

            sem = SemanticLayer(
                self.rt.warehouse, self.rt.catalogue, self.rt.settings, as_of=dt.date.fromisoformat(req.as_of)
            )
        run = execute.Run(sem, scope, req)
        run.cardinality = {d: len(v) for d, v in self.vocab.get(self.rt).values.items()}
        if req.widen and not scope.unrestricted:
            run.notes.append(
                f"Your answers are limited to your scope ({scope.describe()}); "
                "asking for everything does not widen it."
            )
        try:
            answer = EXECUTORS[req.intent](run)
        except Forbidden as exc:
            return self._refuse(req, scope, exc.message)
        except InvalidRequest as exc:
            return self._abstain(req, scope, exc.message + (f" ({exc.hint})" if exc.hint else ""))
        if step:
            step("query", {"sql": answer.sql, "definitions": [d.get("id") for d in answer.definitions]})
        return answer

    def _scope_check(self, req: Request, scope: Scope, actor: str) -> Answer | None:
        bound = scope.filters
        outside = [
            [dim, v]
            for dim, values in req.filters.items()
            if dim in bound
            for v in values
            if v not in bound[dim]
        ]
        if req.widen and not scope.unrestricted:
            record(
                self.rt.appdb,
                actor=actor,
                action="ask.scope",
                scope=scope,
                outcome="denied",
                target=req.question[:400],
                detail={"attempt": "widen", "kept": scope.describe()},
            )
        if not outside:
            return None
        req.out_of_scope = outside
        names = ", ".join(f"{d} {v}" for d, v in outside)
        record(
            self.rt.appdb,
            actor=actor,
            action="ask.scope",
            scope=scope,
            outcome="denied",
            target=req.question[:400],
            detail={"attempt": "out_of_scope", "values": outside},
        )
        return self._refuse(req, scope, f"{names} is outside your scope ({scope.describe()})")

    def _refuse(self, req: Request, scope: Scope, reason: str) -> Answer:
        ans = unsupported(
            req.question, reason, nearest_questions(req.question, self.rt.catalogue, scope), scope.to_dict()
        )
        ans.answer = f"I can't show that: {reason}. You can ask about the data in your scope."
        ans.understood = {**req.to_dict(), "refused": True}
        return ans

    def _abstain(self, req: Request, scope: Scope, reason: str) -> Answer:
        ans = unsupported(
            req.question, reason, nearest_questions(req.question, self.rt.catalogue, scope), scope.to_dict()
        )
        ans.understood = req.to_dict()
        return ans

    def _clarify(self, req: Request, scope: Scope, verdict: Verdict) -> Answer:
        ans = unsupported(req.question, verdict.reason, verdict.options, scope.to_dict())
        ans.intent = "clarify"
        ans.answer = f"{verdict.question} ({verdict.reason}.)"
        if verdict.options:
            ans.answer += " Options: " + "; ".join(verdict.options) + "."
        ans.clarify = {
            "question": verdict.question,
            "options": verdict.options,
            "questions": [_rephrase(req.question, verdict.words, o) for o in verdict.options],
            "reason": verdict.reason,
        }
        ans.understood = req.to_dict()
        return ans

    def _fallback_provider(self) -> str | None:
        from revintel.ask.providers.base import get_provider

        for name in ("openai", "genie"):
            if get_provider(name, self.rt.settings).configured():
                return name
        return None

    def _external(
        self, name: str, req: Request, scope: Scope, local: Answer | None, history: list[str], step: Step
    ) -> Answer:
        from revintel.ask.governed import GovernedSql
        from revintel.ask.providers.base import AskContext, get_provider

        cat = self.rt.catalogue
        ctx = AskContext(
            question=req.question,
            scope=scope,
            settings=self.rt.settings,
            metrics=[
                {"id": m.id, "label": m.label, "unit": m.unit}
                for m in cat.metrics
                if m.domain in scope.domains
            ],
            dimensions=[d.id for d in cat.dimensions if not d.time],
            run_request=lambda args: self.run_request(
                self.request_from_tool(req.question, args), scope, step
            ),
            run_sql=lambda sql: GovernedSql(self.rt).run(
                sql, scope, actor=f"llm:{scope.persona or scope.role}"
            ),
            local=local,
            history=history,
        )
        try:
            return get_provider(name, self.rt.settings).answer(ctx)
        except (ProviderError, Forbidden) as exc:
            fallback = local or self.run_request(req, scope, step)
            fallback.notes.append(
                f"The {name} provider was not used ({exc.message}); answered by the local engine."
            )
            return fallback

    def request_from_tool(self, question: str, args: dict[str, Any]) -> Request:
        """A request from an LLM tool call, every name checked against the catalogue."""
        cat = self.rt.catalogue
        metric = cat.metric(str(args.get("metric", ""))).id  # InvalidRequest goes back to the model
        dim = args.get("dimension")
        dim = cat.dimension(str(dim)).id if dim and dim != "none" else None
        raw_filters = args.get("filters") or {}
        if not isinstance(raw_filters, dict):
            raise InvalidRequest("filters must be an object of dimension -> values")
        filters = {
            cat.dimension(str(k)).id: [str(v) for v in (vals if isinstance(vals, list) else [vals])]
            for k, vals in raw_filters.items()
        }
        intent = str(args.get("intent") or "value")
        if intent not in EXECUTORS:
            raise InvalidRequest(f"unknown intent {intent!r}", hint=", ".join(EXECUTORS))
        compare = {"prior_period": "pp", "prior_year": "py", "budget": "budget"}.get(str(args.get("compare")))
        limit = args.get("limit")
        period, unreadable = self._tool_period(args.get("period"))
        return Request(
            question=question,
            intent=intent,
            metric=metric,
            dimension=dim,
            filters=filters,
            period=period,
            unreadable_period=unreadable,
            compare=compare,
            limit=int(limit) if isinstance(limit, int) else None,
            order="asc" if args.get("order") == "asc" else "desc",
            grain="month" if intent == "trend" else None,
        )

    def _tool_period(self, text: Any) -> tuple[str | None, list[str]]:
        """An LLM's period through the same grammar as a question's: exact, or unreadable (-> clarify)."""
        if not text:
            return None, []
        phrase = " ".join(str(text).lower().split())
        hits = read_periods(phrase, self.rt.semantic.as_of(), self.rt.settings.fiscal_year_start_month)
        exact = [h for h in hits if h.period is not None]
        if len(hits) == 1 and exact and len(exact[0].words) >= len(phrase) - 4:
            return exact[0].period.to_text(), []  # type: ignore[union-attr]
        return None, [str(text)]

    # --- bookkeeping ----------------------------------------------------------------------------
    def _sources(self, answer: Answer) -> list[dict[str, Any]]:
        """Each table an answer read, with its row count and the dataset's freshness."""
        state = self.rt.semantic.state()
        tables = {d["table"] for d in answer.definitions if d.get("table")}
        tables |= {p["table"] for d in answer.definitions for p in d.get("parts", []) if p.get("table")}
        meta = state.meta
        return [
            {
                "table": t,
                "rows": state.counts.get(t),
                "dataset": meta.get("dataset"),
                "as_of": meta.get("as_of"),
                "data_version": state.version,
            }
            for t in sorted(tables)
        ]

    def _persist(self, answer: Answer, req: Request, actor: str, conversation_id: str | None) -> None:
        db = self.rt.appdb
        cid = conversation_id or convdb.create(db, actor, req.question)
        context = answer.understood if answer.supported and not answer.understood.get("refused") else None
        if context and answer.provider == "genie":
            context = None
        answer.conversation_id = cid
        answer.turn_id = convdb.add_turn(
            db, actor, cid, req.question, answer.to_dict(), context, answer.provider
        )


def _rephrase(question: str, words: list[str], option: str) -> str:
    """``question`` with the words that were not understood replaced by a clarification option."""
    if option.endswith("?"):  # a whole question offered as it is
        return option
    out = question
    for w in words:
        out, n = re.subn(re.escape(w), option if option not in out else "", out, count=1, flags=re.I)
        if n == 0:
            continue
    if out == question:
        return f"{option}: {question}"
    return " ".join(out.split())
