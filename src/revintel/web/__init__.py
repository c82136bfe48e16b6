"""revintel.web."""
