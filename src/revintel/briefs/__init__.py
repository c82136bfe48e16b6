"""revintel.briefs."""
