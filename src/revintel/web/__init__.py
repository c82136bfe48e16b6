"""Server-rendered pages: the app shell, login, dashboard, drill-downs, admin.

Other modules add pages with :func:`render`, :class:`NavItem` / :func:`register` and
:class:`GlobalFilters` (see ``revintel.web.templating`` for a complete example).
"""

from __future__ import annotations

from revintel.web.filters import GlobalFilters
from revintel.web.nav import NavItem, register
from revintel.web.templating import render, templates

__all__ = ["GlobalFilters", "NavItem", "register", "render", "templates"]
