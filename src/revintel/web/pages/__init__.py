"""Page routers. Each module has a ``router`` and registers its sidebar entry with ``revintel.web.nav``."""
