"""revintel.export."""
