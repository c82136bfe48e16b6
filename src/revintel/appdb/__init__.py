"""revintel.appdb."""
