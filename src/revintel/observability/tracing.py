"""OpenTelemetry traces: request -> semantic query -> warehouse, exported over OTLP when configured.

:func:`configure` installs a tracer provider once per process: an OTLP/HTTP exporter when
``REVINTEL_OTLP_ENDPOINT`` is set, or the exporter a test passes. Without it, spans cost next to
nothing (the API's no-op tracer).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace

_tracer = trace.get_tracer("revintel")
_configured = False


def configure(endpoint: str | None = None, exporter: Any = None, service_name: str = "revintel") -> bool:
    """Install the tracer provider with ``exporter`` (or OTLP/HTTP to ``endpoint``), once per process."""
    global _configured
    if _configured or (endpoint is None and exporter is None):
        return False
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    if exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    _configured = True
    return True


@contextmanager
def span(name: str, **attributes: Any) -> Iterator[Any]:
    """A span named ``name`` with ``attributes`` (None values dropped), child of the current one."""
    tracer = trace.get_tracer("revintel")
    with tracer.start_as_current_span(name) as s:
        for k, v in attributes.items():
            if v is not None:
                s.set_attribute(k, v if isinstance(v, str | int | float | bool) else str(v))
        yield s
