"""Cluster lists as rows: pure functions from an attachment's bytes or a notice's text to entries."""

from crawler.rosters.mentions import cluster_names_in_text, is_cluster_name, stated_count
from crawler.rosters.model import Entry, ParsedRoster
from crawler.rosters.parse import entries_from_body, parse_attachment
from crawler.rosters.places import split_cluster_name
from crawler.rosters.sniff import sniff_type

__all__ = [
    "Entry",
    "ParsedRoster",
    "cluster_names_in_text",
    "entries_from_body",
    "is_cluster_name",
    "parse_attachment",
    "sniff_type",
    "split_cluster_name",
    "stated_count",
]
