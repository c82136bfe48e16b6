"""revintel.deals."""
