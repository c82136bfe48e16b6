"""revintel.customers."""
