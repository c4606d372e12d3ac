"""The alert outbox: events routed to deliveries, each delivery claimed by one sending pass and
marked sent or failed, and what a message about an event says."""

from __future__ import annotations

from crawler.extract.text import to_simplified
from crawler.store.rosters import story_roster

# A delivery is due when it is not sent, its next attempt has come, and no live pass is sending it.
DUE = "status != 'sent' and next_attempt_at <= :now and (status != 'sending' or claimed_at <= :stale)"


class Outbox:
    """The store's events and deliveries (a part of :class:`crawler.store.Store`)."""

    def unrouted_events(self) -> list[dict]:
        """Events not yet matched against the subscriptions, with what matching needs."""
        return [
            dict(r)
            for r in self.db.query(
                """select e.id as event_id, e.kind, e.site, e.version, n.id as notice_id, n.title, n.url,
                      coalesce(n.province, s.province) as province, n.body_normalized
               from events e left join notices n on n.id = e.notice_id left join sites s on s.name = e.site
               where e.routed_at is null order by e.id"""
            )
        ]

    def route_event(self, event_id: int, deliveries: list[dict], now: str) -> None:
        """Queue one delivery per (subscription, channel) for an event, once, and mark it routed."""
        with self._transaction():
            self.db["deliveries"].insert_all(
                (
                    {
                        "event_id": event_id,
                        "status": "pending",
                        "attempts": 0,
                        "created_at": now,
                        "next_attempt_at": now,
                        **d,
                    }
                    for d in deliveries
                ),
                ignore=True,
            )
            self.db["events"].update(event_id, {"routed_at": now})

    def due_deliveries(self, now: str, stale_before: str) -> list[dict]:
        """Deliveries not yet sent whose next attempt is due, and not being sent by another pass
        (unless that pass claimed them before ``stale_before``: it died before it could say)."""
        return list(self.db["deliveries"].rows_where(DUE, {"now": now, "stale": stale_before}, order_by="id"))

    def claim_deliveries(self, delivery_ids: list[int], now: str, stale_before: str) -> list[int]:
        """Take deliveries for sending: those of ``delivery_ids`` still due become ``sending``, in
        one write transaction, so two passes (two `crawler alert` at once) never send the same one.
        Returns the ids this pass took."""
        params = {"now": now, "stale": stale_before, **{f"id{i}": d for i, d in enumerate(delivery_ids)}}
        marks = ", ".join(f":id{i}" for i in range(len(delivery_ids)))
        with self._transaction():
            taken = [
                r[0] for r in self.db.execute(f"select id from deliveries where id in ({marks}) and {DUE}", params)
            ]
            for delivery_id in taken:
                self.db.execute(
                    "update deliveries set status = 'sending', claimed_at = ? where id = ?", [now, delivery_id]
                )
        return taken

    def last_sent(self, subscription: str, channel_key: str) -> str | None:
        """When a (subscription, channel) last got a message."""
        row = self.db.execute(
            "select max(sent_at) from deliveries where subscription = ? and channel_key = ? and status = 'sent'",
            [subscription, channel_key],
        ).fetchone()
        return row[0] if row else None

    def mark_sent(self, delivery_ids: list[int], now: str) -> None:
        """Record successful sends: they are never sent again."""
        with self._transaction():
            for delivery_id in delivery_ids:
                self.db.execute(
                    "update deliveries set status = 'sent', sent_at = ?, attempts = attempts + 1,"
                    " last_error = null where id = ?",
                    [now, delivery_id],
                )

    def mark_failed(self, delivery_ids: list[int], error: str, retry_at: str) -> None:
        """Record failed sends (the error carries no secret) and when to try again."""
        with self._transaction():
            for delivery_id in delivery_ids:
                self.db.execute(
                    "update deliveries set status = 'failed', attempts = attempts + 1,"
                    " last_error = ?, next_attempt_at = ? where id = ?",
                    [error, retry_at, delivery_id],
                )

    def event_context(self, event_id: int) -> dict:
        """What a message about an event says: the notice, its issuer and date, every site carrying
        its story, the version's diff, and the story's list (``clusters``: its names, ``list_*``: the
        copy holding it; see ``story_roster``)."""
        event = dict(next(self.db.query("select * from events where id = ?", [event_id])))
        context = {"event_id": event_id, "kind": event["kind"], "site": event["site"], "reason": event["reason"]}
        if event["notice_id"] is None:  # about a site: its title and the state its run left it in
            site = self.db.execute("select title from sites where name = ?", [event["site"]]).fetchone()
            state = self.db.execute(
                "select state from site_health where run_id = ? and site = ?", [event["run_id"], event["site"]]
            ).fetchone()
            context.update(site_title=site[0] if site else None, state=state[0] if state else None)
            return context
        notice = next(self.db["notices"].rows_where("id = ?", [event["notice_id"]]))
        version = next(
            self.db["versions"].rows_where("notice_id = ? and version = ?", [notice["id"], event["version"]]), {}
        )
        copies = list(
            self.db.query(
                "select n.id, n.current_version, n.url, n.title, n.issuer, coalesce(s.title, n.site) as site_title,"
                " s.kind from notices n"
                " left join sites s on s.name = n.site where n.story_id = ? order by n.id",
                [notice["story_id"] or notice["id"]],
            )
        )
        # The issuing bureau's own copy names the notice and its issuer best; else this copy's, in Simplified.
        primary = next((c for c in copies if c["kind"] == "bureau"), None)
        title = primary["title"] if primary else to_simplified(notice["title"] or "")
        context.update(
            title=title,
            url=primary["url"] if primary else notice["url"],
            issuer=(primary or {}).get("issuer") or to_simplified(notice["issuer"] or "") or None,
            source=notice["source"],
            published_at=notice["published_at"],
            body_normalized=notice["body_normalized"],
            diff=version.get("diff"),
            sites=[(c["site_title"], c["url"]) for c in copies],
            notice_id=notice["id"],
            version=event["version"],
        )
        held = story_roster(self.db, copies, notice["id"], event["version"])
        context.update(
            clusters=held["names"] if held else [],
            list_notice_id=held and held["notice_id"],
            list_version=held and held["version"],
            list_site=held and held["site_title"],
            list_url=held and held["url"],
        )
        return context
