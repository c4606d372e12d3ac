"""What `crawler serve` adds to Datasette: the shipped metadata (metadata.yml), the calendar renderer and
the facets counted in one query."""
