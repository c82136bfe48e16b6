"""revintel.ask."""
