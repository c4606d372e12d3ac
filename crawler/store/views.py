"""The SQL views of notices.db, created on open and replaced whenever their SQL here changes."""

from __future__ import annotations

import sqlite_utils

# Each 公示 (draft) roster with the 公布 (final) roster of the same programme, province and year
# that followed it.
LIST_STAGES = """
select d.id as draft_id, d.title as draft_title, d.published_at as draft_published_at,
       f.id as final_id, f.title as final_title, f.published_at as final_published_at,
       d.kind, d.list_subject, d.province, d.list_year
from notices d left join notices f on f.id = (
  select f2.id from notices f2
  where f2.kind = d.kind and f2.list_stage = 'final' and f2.list_subject is d.list_subject
    and f2.province is d.province and f2.list_year is d.list_year and f2.published_at >= d.published_at
  order by f2.published_at limit 1)
where d.kind in ('cluster_list', 'list') and d.list_stage = 'draft'
"""
# Each cluster (normalised name + province) with the first roster that named it.
CLUSTER_FIRST_SEEN = """
select c.name_normalized, c.province, min(c.year) as first_year,
       min(coalesce(n.published_at, n.first_seen_at)) as first_published_at,
       (select c2.notice_id from clusters c2 join notices n2 on n2.id = c2.notice_id
         where c2.name_normalized = c.name_normalized and coalesce(c2.province, '') = coalesce(c.province, '')
         order by coalesce(n2.published_at, n2.first_seen_at) limit 1) as first_notice_id,
       count(distinct c.notice_id) as lists
from clusters c join notices n on n.id = c.notice_id and c.version = n.current_version
group by c.name_normalized, c.province
"""
# SQLite keeps a view's SQL without its trailing blank: so is it compared.
VIEWS = {"cluster_first_seen": CLUSTER_FIRST_SEEN.strip(), "list_stages": LIST_STAGES.strip()}


def _statement(name: str, sql: str) -> str:
    return f"CREATE VIEW {sqlite_utils.db.quote_identifier(name)} AS {sql}"


def views_outdated(db: sqlite_utils.Database, views: dict[str, str] = VIEWS) -> bool:
    """True when a view is missing or its stored SQL is not the SQL of ``views``."""
    stored = dict(db.execute("select name, sql from sqlite_master where type = 'view'").fetchall())
    return any(stored.get(name) != _statement(name, sql) for name, sql in views.items())


def replace_views(db: sqlite_utils.Database, views: dict[str, str] = VIEWS) -> None:
    """Create each view, replacing one whose stored SQL differs (call inside a transaction)."""
    for name, sql in views.items():
        db.create_view(name, sql, replace=True)
