"""Heavy views computed once per data version, in the background, for the unrestricted scope.

The win model, every open deal's score, the backtest's replayed quarters, the forecast's inputs,
the risk list's top drivers and the unrestricted KPI summary do not depend on who looks at them:
each is computed over every row (a system job) and cached by its owner (the model folder, the
replay cache, the semantic layer's result cache). A persona's view is then derived by keeping the
rows its scope may see, read through the semantic layer's ``scoped_table``, so scope is still
applied in one place and each view costs a filter and a small simulation, not a retraining.

:class:`Precompute` runs the steps in one daemon thread when ``revintel serve`` starts and after
every load through the server, and tells pages how far it got, so a page whose input is still
being computed shows progress (and refreshes) instead of blocking for more than a second.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from revintel.scope import Scope

if TYPE_CHECKING:
    from revintel.runtime import Runtime

log = logging.getLogger("revintel.precompute")

#: what pages wait for: a step name -> the steps it needs done first (including itself)
NEEDS = {
    "forecast": ("win model", "deal scores", "forecast", "backtest"),
    "deals": ("win model", "deal scores", "risk list"),
    "brief": ("win model", "deal scores", "risk list", "forecast", "KPI summary", "brief inputs"),
}


def _win_model(rt: Runtime, as_of: dt.date) -> None:
    from revintel.deals import compiled
    from revintel.deals import model as win_model

    compiled.compiled(win_model.ensure(rt, as_of).folder)  # native trees for scoring many deals


def _scores(rt: Runtime, as_of: dt.date) -> None:
    from revintel.deals.scoring import scored_deals

    scored_deals(rt, as_of)


def _risk(rt: Runtime, as_of: dt.date) -> None:
    from revintel.deals.risk import risk_list

    risk_list(rt, Scope.everything(), as_of, top=25)  # TreeSHAP drivers of the top, cached on disk


def _forecast(rt: Runtime, as_of: dt.date) -> None:
    from revintel.forecast.rollup import forecast

    forecast(rt, Scope.everything(), None, "region", as_of)


def _backtest(rt: Runtime, as_of: dt.date) -> None:
    from revintel.forecast import BACKTEST_PERIODS
    from revintel.forecast.backtest import replays

    replays(rt, BACKTEST_PERIODS, as_of)


def _forecast_views(rt: Runtime, as_of: dt.date) -> None:
    """Every persona's Forecast inputs: its backtest (which calibrates its band scale), its forecast
    week by week by region (the page) and in total (the API), and the marketing line under it."""
    from revintel.errors import RevintelError
    from revintel.forecast import BACKTEST_PERIODS
    from revintel.forecast.backtest import backtest
    from revintel.forecast.rollup import forecast
    from revintel.marketing.report import outlook_view

    for scope in _scopes(rt):
        if "pipeline" not in scope.domains:
            continue
        backtest(rt, scope, BACKTEST_PERIODS, as_of)
        forecast(rt, scope, None, "region", as_of, weekly=True)  # the Forecast page's default
        forecast(rt, scope, None, None, as_of, weekly=True)  # the API's (and the CLI's) default
        if "marketing" in scope.domains:
            # no marketing data loaded, or a filter leads do not carry: the page says so itself
            with contextlib.suppress(RevintelError):
                outlook_view(rt, scope)


def _shapes(rt: Runtime) -> list[Scope]:
    """One scope per shape among the configured personas (plans compile once per shape)."""
    from revintel.scope import personas
    from revintel.semantic.shapes import shape_of

    seen, out = set(), []
    path = rt.settings.personas_file
    for p in personas(str(path) if path else None):
        shape = shape_of(p.scope)[0]
        if shape not in seen:
            seen.add(shape)
            out.append(p.scope)
    return out


def _rollups(rt: Runtime, as_of: dt.date) -> None:
    from revintel.semantic.rollups import refresh

    refresh(rt.semantic)  # requests read the base table until this is done, never wait for it


def _kpis(rt: Runtime, as_of: dt.date) -> None:
    for scope in _shapes(rt):
        rt.kpis.summary(scope)


def _scopes(rt: Runtime) -> list[Scope]:
    """Every configured persona's scope, one per distinct scope, one of each shape first."""
    from revintel.scope import personas

    path = rt.settings.personas_file
    out = _shapes(rt)
    for p in personas(str(path) if path else None):
        if p.scope not in out:
            out.append(p.scope)
    return out


def _brief(rt: Runtime, as_of: dt.date) -> None:
    from revintel.briefs.compose import compose_brief

    # each shape's plans compile once; every persona's section inputs (KPI rows, marketing views,
    # pipeline changes ...) are then cached by their owners, so a persona's brief is composed from them
    for scope in _scopes(rt):
        compose_brief(rt, scope, polish=False)


def _drill_downs(rt: Runtime, as_of: dt.date) -> None:
    """The headline drill-downs (default period and breakdown) of one persona per scope shape: their
    plans compile once per shape, and the first visits after a load otherwise compile them all at
    once (at 50 users, 44% of the server's time in the first 30 s after warm-up went to that). The
    plans stay in the semantic layer's plan cache; another persona of the shape only binds and runs."""
    from revintel.errors import RevintelError

    for scope in _shapes(rt):
        for m in rt.catalogue.headline:
            if m.domain in scope.domains and rt.kpis.has_data(m):
                with contextlib.suppress(RevintelError):  # a metric the scope cannot break down
                    rt.kpis.detail(m.id, scope)


#: (name, function) in the order they run; later steps reuse what earlier ones cached
STEPS: tuple[tuple[str, Callable[[Runtime, dt.date], None]], ...] = (
    ("pre-aggregates", _rollups),
    ("KPI summary", _kpis),
    ("win model", _win_model),
    ("deal scores", _scores),
    ("risk list", _risk),
    ("forecast", _forecast),
    ("backtest", _backtest),
    ("forecast views", _forecast_views),
    ("brief inputs", _brief),
    ("KPI drill-downs", _drill_downs),
)


@dataclass
class Progress:
    """How far the precomputation for one data version got."""

    version: str
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    current: str | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    def to_dict(self) -> dict[str, Any]:
        total = len(STEPS)
        return {
            "state": "ready" if self.finished is not None else "running",
            "step": self.current,
            "done": len(self.done) + len(self.failed),
            "total": total,
            "percent": round(100 * (len(self.done) + len(self.failed)) / total),
            "seconds": round((self.finished or time.monotonic()) - self.started, 1),
        }


class Precompute:
    """Runs :data:`STEPS` once per data version in a background thread and reports progress."""

    def __init__(self, rt: Runtime):
        self.rt = rt
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._progress: Progress | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def _version(self) -> str:
        return self.rt.semantic.data_version()

    def start(self) -> bool:
        """Start computing for the current data version unless done or running; True if started."""
        version = self._version()
        with self._lock:
            p = self._progress
            if p is not None and p.version == version:
                return False  # running or done for this version (a failed step is computed on demand)
            if self._thread is not None and self._thread.is_alive():
                return False  # the running pass restarts itself when it sees a newer version
            self._progress = Progress(version)
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, name="revintel-precompute", daemon=True)
            self._thread.start()
        return True

    def refresh(self) -> bool:
        """After a load: start a new pass if this process precomputes (``serve`` started it)."""
        with self._lock:
            if self._progress is None:
                return False
        return self.start()

    def _run(self) -> None:
        while True:
            with self._lock:
                progress = self._progress
            assert progress is not None
            as_of = self.rt.as_of()
            for name, step in STEPS:
                if self._stopping.is_set():
                    return  # the server is stopping: the next start computes what is missing
                with self._cond:
                    progress.current = name
                try:
                    step(self.rt, as_of)
                except Exception as exc:  # a background thread is a process boundary: log, never crash
                    log.warning("precompute step %r failed; pages compute it on demand", name, exc_info=True)
                    with self._cond:
                        progress.failed[name] = type(exc).__name__
                else:
                    with self._cond:
                        progress.done.append(name)
                with self._cond:
                    self._cond.notify_all()
            with self._cond:
                progress.current, progress.finished = None, time.monotonic()
                self._cond.notify_all()
            log.info(
                "precomputed %s in %.1f s", ", ".join(progress.done), progress.finished - progress.started
            )
            try:
                version = self._version()
            except Exception:  # the runtime was closed under us
                return
            with self._lock:
                if version == progress.version:
                    return
                self._progress = Progress(version)

    def status(self) -> dict[str, Any]:
        """``{"state": "idle"|"running"|"ready", "step", "done", "total", "percent", "seconds"}``."""
        with self._lock:
            p = self._progress
            if p is None:
                return {
                    "state": "idle",
                    "step": None,
                    "done": 0,
                    "total": len(STEPS),
                    "percent": 0,
                    "seconds": 0,
                }
            return p.to_dict()

    def wait(self, view: str, timeout: float = 1.0) -> bool:
        """Whether ``view``'s inputs (:data:`NEEDS`) may be computed now without a long wait.

        True when nothing is precomputing (the caller computes on demand, as the CLI does) or
        when every step the view needs finished (done or failed) for the current data version,
        waiting at most ``timeout`` seconds for that; False means "show progress and come back".
        """
        needs = set(NEEDS.get(view, ()))
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                p = self._progress
                if p is None or p.finished is not None or needs <= {*p.done, *p.failed}:
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)

    def stop(self, timeout: float = 10.0) -> bool:
        """Finish the running step, start no other; True when the background thread has ended.

        ``revintel serve`` calls this on shutdown before closing the warehouse, so no step is
        left reading a closed connection.
        """
        self._stopping.set()
        t = self._thread
        if t is not None:
            t.join(timeout)
            return not t.is_alive()
        return True

    def warming(self) -> list[str]:
        """The steps not finished yet for the current pass (empty when idle or ready)."""
        with self._lock:
            p = self._progress
            if p is None or p.finished is not None:
                return []
            return [name for name, _ in STEPS if name not in p.done and name not in p.failed]

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background pass to finish (tests and benchmarks)."""
        t = self._thread
        if t is not None:
            t.join(timeout)
