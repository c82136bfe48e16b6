"""revintel.warehouse.ingest."""
