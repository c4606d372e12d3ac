"""The store: the only code that writes notices.db (through sqlite-utils). ``Store`` is one face
over parts by concern: the connection and its transactions (``base``), runs and presence
(``runs``), fetches and snapshots (``fetches``), notices and versions (``notices``), stories
(``stories``), rosters (``rosters``), the alert outbox (``outbox``), reports (``reports``) and
the merge of shard databases (``merges``).
The schema is ``schema`` (baseline) plus named ``migrations`` and ``views``; ``known`` is what a
spider reads of a site's stored notices, ``summaries`` what the check and the demo show."""

from crawler.store.base import StoreBase
from crawler.store.fetches import Fetches
from crawler.store.merges import Merges
from crawler.store.notices import Notices
from crawler.store.outbox import Outbox
from crawler.store.reports import Reports
from crawler.store.rosters import Rosters
from crawler.store.runs import Runs
from crawler.store.stories import Stories


class Store(Runs, Fetches, Notices, Stories, Rosters, Outbox, Reports, Merges, StoreBase):
    """notices.db, opened (created or upgraded) at ``path``; use it as ``with Store(path) as store:``.
    See :class:`crawler.store.base.StoreBase` for ``batch_seconds`` and the transactions."""


__all__ = ["Store"]
