"""The JSON API's routers (thin: route -> :mod:`revintel.services` -> domain).

The application factory is :func:`revintel.app.create_app`; nothing here imports it, so the
import graph runs one way: ``app`` -> ``api``.
"""
