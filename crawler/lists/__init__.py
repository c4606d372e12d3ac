"""Cluster lists as rows: pure functions from an attachment's bytes or a notice's text to entries."""

from crawler.lists.model import Entry, ParsedList
from crawler.lists.parse import entries_from_body, parse_attachment
from crawler.lists.places import split_cluster_name
from crawler.lists.sniff import sniff_type

__all__ = ["Entry", "ParsedList", "entries_from_body", "parse_attachment", "sniff_type", "split_cluster_name"]
