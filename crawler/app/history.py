"""`crawler history`: every version of one notice, and its copies on other sites."""

from __future__ import annotations

from dataclasses import dataclass

from crawler.store import Store


@dataclass
class NoticeHistory:
    """A notice's row, the same notice on other sites, and its versions, oldest first."""

    notice: dict
    copies: list[dict]
    versions: list[dict]


def notice_history(store: Store, url_or_id: str) -> NoticeHistory | None:
    """The history of the notice with this id or URL; None when the database has no such notice."""
    notice = store.find_notice(url_or_id)
    if notice is None:
        return None
    copies = [copy for copy in store.story_copies(notice) if copy["id"] != notice["id"]]
    return NoticeHistory(notice, copies, store.versions_of(notice["id"]))
