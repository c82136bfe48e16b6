"""revintel.forecast."""
