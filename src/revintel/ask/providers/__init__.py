"""revintel.ask.providers."""
