"""Audited domain functions shared by the API, the pages, the CLI and (later) MCP.

Every function here takes the caller (:class:`~revintel.services.identity.User`) as a value,
checks the caller's permissions and metric domains (:mod:`revintel.services.authz`), runs the
domain under the caller's scope and writes one audit record (:func:`revintel.services.audited.audited`).
Nothing here knows about HTTP. See docs/architecture.md, "Adding a route or a service".
"""
