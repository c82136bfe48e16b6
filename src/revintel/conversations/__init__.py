"""revintel.conversations."""
