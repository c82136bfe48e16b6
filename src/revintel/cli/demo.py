"""`revintel demo ...` commands (demo data generator)."""
