"""`revintel ingest ...` command."""
