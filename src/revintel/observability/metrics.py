"""Prometheus metrics (prometheus-client), process-wide, scraped at ``/metrics``.

Names follow Prometheus conventions (``_total`` counters, ``_seconds`` histograms). Labels are
bounded: routes are templates (``/api/kpis/{metric}``), never raw paths.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUEST_SECONDS = Histogram(
    "revintel_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method and status.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
QUERIES = Counter("revintel_queries_total", "Governed metric queries run, by metric.", ["metric"])
QUERY_SECONDS = Histogram(
    "revintel_query_duration_seconds", "Time to run one governed metric query.", ["source"]
)
CACHE = Counter(
    "revintel_cache_total", "Cache lookups, by cache and result (hit or miss).", ["cache", "result"]
)
LLM_CALLS = Counter(
    "revintel_llm_calls_total", "Calls to an LLM or Genie, by provider and outcome.", ["provider", "outcome"]
)
LLM_SECONDS = Histogram("revintel_llm_call_duration_seconds", "Latency of LLM and Genie calls.", ["provider"])
LLM_TOKENS = Counter(
    "revintel_llm_tokens_total", "LLM tokens used, by provider and kind.", ["provider", "kind"]
)
DELIVERIES = Counter(
    "revintel_deliveries_total", "Brief deliveries, by channel and outcome.", ["channel", "outcome"]
)
INGEST_ROWS = Counter(
    "revintel_ingest_rows_total", "Rows loaded into the warehouse, by source and table.", ["source", "table"]
)
ASK_OUTCOMES = Counter(
    "revintel_ask_total", "Questions asked, by outcome (answer, clarify, abstain).", ["outcome"]
)


@contextmanager
def timed_llm_call(provider: str) -> Iterator[None]:
    """Count and time one LLM/Genie call; the outcome is ``ok`` or ``error``."""
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        LLM_CALLS.labels(provider, "error").inc()
        raise
    else:
        LLM_CALLS.labels(provider, "ok").inc()
    finally:
        LLM_SECONDS.labels(provider).observe(time.perf_counter() - started)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
