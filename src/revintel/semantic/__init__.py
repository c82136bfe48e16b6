"""revintel.semantic: the governed metric catalogue, the query compiler (scope applied, always),
periods and fiscal calendars, and the KPI engine.

Entry points: :func:`load_catalogue`, :class:`MetricQuery`, :class:`SemanticLayer`
(``query(q, scope)`` and ``scoped_table(name, scope)``), :func:`parse_period`.
"""

from revintel.semantic.catalogue import check_metrics_file, load_catalogue
from revintel.semantic.compile import SemanticLayer
from revintel.semantic.model import Catalogue, Dimension, Metric
from revintel.semantic.query import MetricQuery, QueryResult
from revintel.semantic.time import Period, parse_period

__all__ = [
    "Catalogue",
    "Dimension",
    "Metric",
    "MetricQuery",
    "Period",
    "QueryResult",
    "SemanticLayer",
    "check_metrics_file",
    "load_catalogue",
    "parse_period",
]
