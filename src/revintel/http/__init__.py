"""HTTP plumbing shared by the API and the pages: who is calling, sessions, CSRF, rate limits and
the named FastAPI dependencies. It sits below both ``revintel.api`` and ``revintel.web`` (neither
imports the other's internals); the domain work itself lives in :mod:`revintel.services`."""
