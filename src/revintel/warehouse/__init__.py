"""Where analytical data lives and how it gets there."""
