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


def _places(entries: str, what: str) -> str:
    """One row per entry of ``entries`` (clusters or list_entries) of the current version of each
    story's list, with the point of its place (``divisions``, by ``adcode``; NULL when unplaced) and
    a ``popup`` for datasette-cluster-map: the entry, its list, year and stage, and a link to the
    notice's row page (relative, so it works whatever the database is called).

    A list republished on several sites is read from one copy, as ``new_cluster_lists`` counts it:
    the copy whose list came from an attachment rather than a body table, the bureau's rather than a
    republisher's. ``final_notice_id`` is the 公布 list that followed a 公示 one (``list_stages``), so
    ``?final_notice_id__isnull=1`` shows each list at its newest stage."""
    return f"""
select e.id as entry_id, e.name, e.province, e.city, e.county, {what}, n.title as list_title, e.year, e.stage,
       e.level, n.published_at, n.url, n.id as notice_id,
       (select l.final_id from list_stages l where l.draft_id = n.id) as final_notice_id,
       e.adcode, d.name as place, d.level as place_level, d.latitude, d.longitude,
       json_object('title', e.name,
                   'description', n.title || coalesce(' · ' || e.year || '年', '')
                     || coalesce(' · ' || case e.stage when 'draft' then '公示' when 'final' then '公布'
                                                       when 'review' then '复核' else e.stage end, ''),
                   'link', 'notices/' || n.id) as popup
from (select distinct notice_id, version from {entries}) listed
join notices n on n.id = listed.notice_id and n.current_version = listed.version
cross join {entries} e on e.notice_id = n.id and e.version = n.current_version
left join divisions d on d.adcode = e.adcode
where n.id = (
  select m.id from notices m left join sites s on s.name = m.site
  where (m.story_id = n.story_id or m.id = n.id)
    and exists (select 1 from {entries} k where k.notice_id = m.id and k.version = m.current_version)
  order by exists (select 1 from {entries} k where k.notice_id = m.id and k.version = m.current_version
                   and k.source != 'body') desc,
           s.kind = 'bureau' desc, m.id
  limit 1)
"""


# Each cluster of the lists (特色产业集群 and other cluster lists), placed: the map's rows.
CLUSTER_PLACES = _places("clusters", "e.industry, e.subject")
# Each entry of the other lists (专精特新 firms, 单项冠军 …), placed.
ENTRY_PLACES = _places("list_entries", "e.subject")
# SQLite keeps a view's SQL without its trailing blank: so is it compared.
VIEWS = {
    "cluster_first_seen": CLUSTER_FIRST_SEEN.strip(),
    "list_stages": LIST_STAGES.strip(),
    "cluster_places": CLUSTER_PLACES.strip(),
    "entry_places": ENTRY_PLACES.strip(),
}


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
