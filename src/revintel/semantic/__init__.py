"""revintel.semantic."""
