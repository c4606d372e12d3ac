"""What `crawler serve` adds to Datasette: the shipped metadata (metadata.yml) and the calendar renderer."""
