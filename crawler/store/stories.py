"""Stories: copies of one notice on several sites (the bureau's original, republished copies) share
a story, so that users are alerted once per story with every source listed."""

from __future__ import annotations

import json
from datetime import date, timedelta

from crawler.extract.text import to_simplified
from crawler.records import DetailPage
from crawler.rosters.places import named_places
from crawler.store import copykeys
from crawler.store.copykeys import key_counts, key_rows, lookup_keys, may_hold, story_day
from crawler.store.versions import containment, shingles

STORY_WINDOW_DAYS = 7  # copies of a notice are published within a week of each other
STORY_MIN_CONTAINMENT = 0.8
NATIONAL = (None, "全国")  # a site of no one province: its copies may be any province's notice


class Stories:
    """The store's story matching (a part of :class:`crawler.store.Store`)."""

    def _story_for(self, page: DetailPage, now: str) -> int | None:
        """The story of an earlier copy of this notice on another site: published within a week,
        with most of its text in common (Traditional, glosses and punctuation do not count), and
        nothing that tells them apart: two provinces' bureaus, or two document numbers (the formulaic
        notices every province publishes — 关于公布2026年X省专精特新中小企业名单的通知 — share most text),
        or titles naming different places. Earlier notices are read only when they share enough copy
        keys with it (:mod:`crawler.store.copykeys`): passages in common, not 3-grams strewn about."""
        notice = page.notice
        anchor = (notice.published_at or now)[:10]
        try:
            day = date.fromisoformat(anchor)
        except ValueError:
            return None
        low, high = (
            (day - timedelta(days=STORY_WINDOW_DAYS)).isoformat(),
            (day + timedelta(days=STORY_WINDOW_DAYS + 1)).isoformat(),
        )
        fingerprint = None
        province = self.db.execute("select province from sites where name = ?", [page.site]).fetchone()
        province = province[0] if province and province[0] not in NATIONAL else None
        number = to_simplified(notice.doc_number).replace(" ", "") if notice.doc_number else None
        places = named_places(notice.title or "")
        for notice_id, story_id, other_province, other_number, other_title, when in self._story_candidates(
            page.site, notice.body_normalized, low, high
        ):
            if when is None or not low <= when <= high:
                continue
            if province and other_province not in NATIONAL and other_province != province:
                continue
            if number and other_number and to_simplified(other_number).replace(" ", "") != number:
                continue
            other_places = named_places(other_title or "")
            if places and other_places and not places & other_places:
                continue  # 烟台市's list and 山东省's list
            fingerprint = fingerprint or shingles(notice.body_normalized)
            (body,) = self.db.execute("select body_normalized from notices where id = ?", [notice_id]).fetchone()
            if containment(fingerprint, shingles(body or "")) >= STORY_MIN_CONTAINMENT:
                return story_id or notice_id
        return None

    def _story_candidates(self, site: str, text: str, low: str, high: str) -> list[tuple]:
        """Notices of other sites published from ``low`` to ``high`` (dates) that may hold most of
        ``text`` or be mostly held by it: those sharing a copy key with it (every notice of those
        days for a text too short to have keys), in the order they were stored; as (id, story_id,
        province, doc_number, title, publish time or first seen)."""
        days = date.fromisoformat(low).toordinal(), date.fromisoformat(high).toordinal()
        keys = lookup_keys(text)
        columns = "n.id, n.story_id, n.province, n.doc_number, n.title, coalesce(n.published_at, n.first_seen_at)"
        if keys is None:
            return self.db.execute(
                f"select {columns} from notices n where coalesce(published_at, first_seen_at) between ? and ?"
                " and site != ? order by id",
                [low, high, site],
            ).fetchall()
        found = self.db.execute(
            "select notice_id, count(*), max(kept), max(every) from story_keys where span in (select value from"
            " json_each(?)) and key in (select value from json_each(?)) and day between ? and ? group by notice_id",
            [json.dumps(copykeys.spans(*days)), json.dumps(keys), *days],
        ).fetchall()
        counts = key_counts(keys)
        ids = [notice_id for notice_id, shared, kept, every in found if may_hold(shared, kept, every, counts)]
        if not ids:
            return []
        return self.db.execute(
            f"select {columns} from notices n where n.id in (select value from json_each(?)) and n.site != ?"
            " order by n.id",
            [json.dumps(ids), site],
        ).fetchall()

    def _keep_copy_keys(self, notice_id: int, before: dict | None, after: dict) -> None:
        """Replace a notice's copy keys (``before``: its row as it was, None for a new notice) when its
        text or day changed; ``after`` holds its new ``body_normalized`` and ``published_at``."""
        day = story_day(after.get("published_at"), after.get("first_seen_at") or (before or {}).get("first_seen_at"))
        if before is not None:
            old_day = story_day(before["published_at"], before["first_seen_at"])
            if before["body_normalized"] == after["body_normalized"] and old_day == day:
                return
            self.db.conn.executemany(
                copykeys.DELETE, [row[:4] for row in key_rows(notice_id, before["body_normalized"], old_day)]
            )
        self.db.conn.executemany(copykeys.INSERT, key_rows(notice_id, after["body_normalized"], day))

    def story_copies(self, notice: dict) -> list[dict]:
        """Every notice of the same story (copies on other sites), oldest first."""
        return list(self.db["notices"].rows_where("story_id = ?", [notice["story_id"]], order_by="id"))
