"""Publishing revintel's governed tables and metric definitions to other platforms (Databricks)."""
