"""revintel.marketing."""
