"""Datasette metadata for a notices database: the shipped descriptions and canned queries."""

from __future__ import annotations

from pathlib import Path

import yaml

METADATA = Path(__file__).parent / "datasette" / "metadata.yml"


def metadata_for(db_path: Path) -> dict:
    """The shipped metadata, keyed by this database's name (Datasette names a database by its file)."""
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    metadata["databases"] = {Path(db_path).stem: metadata["databases"]["notices"]}
    return metadata
