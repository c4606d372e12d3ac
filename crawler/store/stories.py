"""Stories: copies of one notice on several sites (the bureau's original, republished copies) share
a story, so that users are alerted once per story with every source listed."""

from __future__ import annotations

from datetime import date, timedelta

from crawler.extract.text import to_simplified
from crawler.records import DetailPage
from crawler.rosters.places import named_places
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
        or titles naming different places."""
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
        for notice_id, story_id, body, other_province, other_number, other_title in self.db.execute(
            "select id, story_id, body_normalized, province, doc_number, title from notices where"
            " coalesce(published_at, first_seen_at) between ? and ? and site != ? order by id",
            [low, high, page.site],
        ):
            if province and other_province not in NATIONAL and other_province != province:
                continue
            if number and other_number and to_simplified(other_number).replace(" ", "") != number:
                continue
            other_places = named_places(other_title or "")
            if places and other_places and not places & other_places:
                continue  # 烟台市's list and 山东省's list
            fingerprint = fingerprint or shingles(notice.body_normalized)
            if containment(fingerprint, shingles(body or "")) >= STORY_MIN_CONTAINMENT:
                return story_id or notice_id
        return None

    def story_copies(self, notice: dict) -> list[dict]:
        """Every notice of the same story (copies on other sites), oldest first."""
        return list(self.db["notices"].rows_where("story_id = ?", [notice["story_id"]], order_by="id"))
