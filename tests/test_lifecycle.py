"""A notice's life through real crawls of a mirrored site: noise, edits, reverts, removal, breakage."""

import re
import shutil
import sqlite3

import pytest

from crawler.mirror import DEFAULT_TREE, host_map_for, serve_mirror
from tests.conftest import FAST, edit_page, host_map_args, run_cli

HOST = "www.cixidb.cn"
SEED = "news/627/627509.html"
GONE = "news/627/627268.html"  # listed on page 1, published 2025-07-14


class Site:
    """A private copy of the recorded cixidb.cn site, served on 127.0.0.1, crawled into one DB."""

    def __init__(self, root):
        self.tree, self.db = root / "sites", root / "notices.db"
        shutil.copytree(DEFAULT_TREE / HOST, self.tree / HOST)

    def path(self, relative):
        return self.tree / HOST / relative

    def edit(self, relative, change):
        """Change a recorded page, keeping its encoding (one of them is GBK)."""
        edit_page(self.path(relative), change)

    def crawl(self, exit_code: int = 0):
        with serve_mirror(self.tree) as base:
            result = run_cli(
                "crawl",
                "cixidb",
                "--db",
                str(self.db),
                *host_map_args(host_map_for(self.tree, base)),
                *FAST,
                "--revisit",
                "all",
            )
        assert result.returncode == exit_code, result.stdout + result.stderr
        return result

    def rows(self, sql, *args):
        with sqlite3.connect(self.db) as conn:
            return [tuple(r) for r in conn.execute(sql, args)]

    def count(self, table):
        return self.rows(f"select count(*) from {table}")[0][0]


@pytest.fixture
def site(tmp_path):
    return Site(tmp_path)


def rotate_chrome(html, run):
    """What changes on every page between two visits although the notice does not."""
    html = re.sub(
        r'(<div class="tab-con" id="rank_day">)(.*?)(</div>)',
        lambda m: m[1] + "\n".join(reversed(m[2].split("\n"))) + m[3],
        html,
        count=1,
        flags=re.S,
    )
    html = re.sub(
        r'(<div class="related-list">)(.*?)(</div>)',
        lambda m: (
            m[1] + f'<p>· <span class="date">2025-07-2{run}</span><a href="/news/628/62800{run}.html">'
            f"新的相关链接{run}</a></p>" + m[2] + m[3]
        ),
        html,
        count=1,
        flags=re.S,
    )
    return html.replace("</h6>", f'<span class="hits">阅读：{1000 + run}</span></h6>', 1)


def test_first_crawl_then_rotating_chrome_on_every_page_makes_nothing_new(site):
    site.crawl()
    notices = site.count("notices")
    assert notices == site.count("versions") == site.count("events") == 23
    for page in site.path("news").glob("6*/*.html"):
        site.edit(page.relative_to(site.tree / HOST), lambda html: rotate_chrome(html, 1))
    site.crawl()
    assert (site.count("notices"), site.count("versions"), site.count("events")) == (23, 23, 23)


def test_an_edit_then_its_revert_are_an_edit_and_a_restore(site):
    site.crawl()
    site.edit(SEED, lambda html: html.replace("等17個", "等18個"))
    site.crawl()
    site.edit(SEED, lambda html: html.replace("等18個", "等17個"))
    site.crawl()
    versions = site.rows(
        "select v.version, v.change_kind, v.diff from versions v join notices n on n.id = v.notice_id"
        " where n.url = ? order by v.version",
        f"https://{HOST}/{SEED}",
    )
    assert [(v, k) for v, k, _ in versions] == [(1, "new"), (2, "edit"), (3, "restored")]
    assert "等1[-7-]{+8+}个产业集群" in versions[1][2] and "等1[-8-]{+7+}个产业集群" in versions[2][2]
    assert site.rows("select kind, version from events where kind = 'changed' order by id") == [
        ("changed", 2),
        ("changed", 3),
    ]


def test_a_notice_gone_from_its_list_for_three_runs_and_404_is_removed(site):
    site.crawl()
    site.edit("news/list/14/64/index.html", lambda html: re.sub(rf'<p><a href="/{GONE}".*?</p>', "", html))
    site.path(GONE).unlink()
    url = f"https://{HOST}/{GONE}"
    statuses = []
    for _ in range(3):
        site.crawl()
        statuses.append(site.rows("select status, missing_runs from notices where url = ?", url)[0])
    assert statuses == [("missing", 1), ("missing", 2), ("removed", 3)]
    assert site.rows(
        "select e.kind from events e join notices n on n.id = e.notice_id where n.url = ? order by e.id", url
    ) == [("new",), ("removed",)]
    assert site.rows("select count(*) from notices where status != 'live'")[0][0] == 1


def test_an_empty_listing_is_a_broken_source_not_mass_removal(site):
    site.crawl()
    for listing in ("news/list/14/64/index.html", "news/list/14/64/2"):
        site.edit(listing, lambda html: re.sub(r'(<div class="warmlist">).*?(</div>)', r"\1\2", html, flags=re.S))
    # The sidebar's rankings still link notices: read through the fallback, never a plain success.
    result = site.crawl(exit_code=3)
    assert "cixidb degraded" in result.stderr
    assert site.rows("select kind, site from events where kind = 'source_broken'") == [("source_broken", "cixidb")]
    assert site.rows("select count(*) from notices where status != 'live'")[0][0] == 0
    site.crawl(exit_code=3)  # still degraded: no second event, and still no removal
    assert site.rows("select count(*) from events where kind = 'source_broken'") == [(1,)]
    assert site.rows("select count(*) from notices where status != 'live'")[0][0] == 0
