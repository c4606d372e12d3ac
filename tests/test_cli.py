import json
import os
import re
import sqlite3

from crawler.mirror import host_map_for, serve_mirror
from crawler.siteconf import SITES_DIR, load_sites
from tests.conftest import FAST, ROOT, closed_port, copy_site, host_map_args, run_cli

SEED_PAGE = ROOT / "tests/fixtures/sites/www.cixidb.cn/news/627/627509.html"
SEED_URL = "https://www.cixidb.cn/news/627/627509.html"


def test_sites_json_lists_every_definition():
    result = run_cli("sites", "--json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    assert {s["name"] for s in listed} == set(load_sites())
    for site in listed:
        assert {"name", "title", "kind", "province", "start_urls"} <= set(site)
        assert site["kind"] in ("bureau", "republisher") and site["start_urls"]


def test_sites_listing_says_whether_each_definition_was_checked_against_its_live_site(tmp_path):
    folder = tmp_path / "sites"
    folder.mkdir()
    for name, checked in (("cixidb", "true"), ("zj_jxt", "false")):
        text = (SITES_DIR / f"{name}.toml").read_text(encoding="utf-8")
        (folder / f"{name}.toml").write_text(text.replace("live_checked = false", f"live_checked = {checked}"))
    result = run_cli("--sites-dir", str(folder), "sites")
    assert result.returncode == 0, result.stderr
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line and not line[0].isspace()}
    assert "  checked live" in lines["cixidb"] and "not checked live" in lines["zj_jxt"]
    listed = {
        s["name"]: s["live_checked"] for s in json.loads(run_cli("--sites-dir", str(folder), "sites", "--json").stdout)
    }
    assert listed == {"cixidb": True, "zj_jxt": False}


def test_extract_seed_page_gives_clean_body_and_normalised_text():
    result = run_cli("extract", str(SEED_PAGE), "--url", SEED_URL)
    assert result.returncode == 0, result.stderr
    notice = json.loads(result.stdout)
    assert notice["url"] == SEED_URL
    assert notice["body"].startswith("各市") and notice["body"].endswith("2025年7月11日")
    for chrome in (
        "法律提示",
        "轉(zhuǎn)載",
        "相關(guān)鏈接",
        "全國主要城市行情地圖",
        "新聞排行",
        "日排行",
        "總排行",
        "建筑鋼市",
    ):
        assert chrome not in notice["body"], chrome
    assert "浙江省经济和信息化厅" in notice["body_normalized"]
    assert "(jīng)" not in notice["body_normalized"] and "ī" not in notice["body_normalized"]
    assert notice["published_at"] == "2025-07-16T15:51:00+08:00"
    assert notice["title"].startswith("2025年浙江省中小企業")


def test_extract_prints_one_json_line_per_file_in_order():
    pages = sorted((ROOT / "tests/fixtures/sites").rglob("*.html"))[:5]
    result = run_cli("extract", *map(str, pages))
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and len(lines) == len(pages)
    assert [json.loads(line)["url"] for line in lines] == [p.resolve().as_uri() for p in pages]


def test_unreachable_sites_are_named_without_a_traceback(tmp_path):
    dead = f"http://127.0.0.1:{closed_port()}"
    hosts = {h for s in load_sites().values() for h in s.hosts}
    mapping = {h: f"{dead}/{h}" for h in hosts}
    result = run_cli("run", "--db", str(tmp_path / "n.db"), *host_map_args(mapping), *FAST, "-s", "RETRY_TIMES=0")
    assert result.returncode == 4  # no site reachable
    assert "Could not reach or read these sites:" in result.stdout and "make demo" in result.stdout
    for name in load_sites():
        assert f"  {name} (" in result.stdout
    assert "connection refused" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_bad_host_map_is_one_line_of_error(tmp_path):
    result = run_cli("crawl", "--db", str(tmp_path / "n.db"), "--host-map", "nonsense")
    assert result.returncode == 1
    assert "HOST=BASE_URL" in result.stderr and "Traceback" not in result.stderr


def test_one_unreachable_site_is_a_partial_failure(tmp_path, mirror):
    dead = f"http://127.0.0.1:{closed_port()}"
    mapping = {**mirror, "www.cixidb.cn": f"{dead}/www.cixidb.cn"}
    result = run_cli("crawl", "--db", str(tmp_path / "n.db"), *host_map_args(mapping), *FAST, "-s", "RETRY_TIMES=0")
    assert result.returncode == 3
    assert "  cixidb (www.cixidb.cn: connection refused)" in result.stdout and "zj_jxt (" in result.stdout


def test_sites_check_shows_what_a_definition_finds_on_its_mirror():
    result = run_cli("sites", "--check", "cixidb")
    assert result.returncode == 0, result.stderr
    assert "listing 200 listed    12 entries  via adapter  https://www.cixidb.cn/news/list/14/64/" in result.stdout
    assert result.stdout.rstrip().splitlines()[-1] == "verdict: ok"
    assert (
        "2025年浙江省中小企業特色產業集群名單公布" in result.stdout and "issuer=浙江省經濟和信息化廳" in result.stdout
    )


def test_sites_health_names_a_failing_site_and_why(tmp_path, mirror):
    db = tmp_path / "n.db"
    assert run_cli("crawl", "cixidb", "--db", str(db), *host_map_args(mirror), *FAST).returncode == 0
    dead = {"www.cixidb.cn": f"http://127.0.0.1:{closed_port()}/www.cixidb.cn"}
    run_cli("crawl", "cixidb", "--db", str(db), *host_map_args(dead), *FAST, "-s", "RETRY_TIMES=0")
    health = run_cli("sites", "--health", "--db", str(db))
    assert health.returncode == 0
    line = next(line for line in health.stdout.splitlines() if line.startswith("cixidb"))
    assert line.split()[1:4] == ["failing", "for", "1"] and "connection refused" in line


def test_a_sites_dir_replaces_the_bundled_definitions(tmp_path):
    folder = tmp_path / "my-sites"
    folder.mkdir()
    definition = (SITES_DIR / "cixidb.toml").read_text(encoding="utf-8")
    (folder / "mine.toml").write_text(definition.replace('name = "cixidb"', 'name = "my_cixidb"'), encoding="utf-8")
    listed = json.loads(run_cli("--sites-dir", str(folder), "sites", "--json").stdout)
    assert [site["name"] for site in listed] == ["my_cixidb"]
    tree, db = copy_site(tmp_path, "www.cixidb.cn"), tmp_path / "notices.db"
    with serve_mirror(tree) as base:  # the environment variable does the same, for cron
        result = run_cli(
            "crawl",
            "my_cixidb",
            "--db",
            str(db),
            *host_map_args(host_map_for(tree, base)),
            *FAST,
            env={**os.environ, "CRAWLER_SITES_DIR": str(folder)},
        )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select distinct site from notices").fetchall() == [("my_cixidb",)]
    missing = run_cli("--sites-dir", str(tmp_path / "none"), "sites")
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_demo_reads_every_recorded_site_and_its_summary_counts_what_it_lists(tmp_path):
    result = run_cli("demo", "--db", str(tmp_path / "notices.db"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "missing HTTP 404" not in result.stdout and "Traceback" not in result.stderr
    new = int(re.search(r"^run \d+: \d+ site\(s\), \d+ pages fetched, (\d+) new", result.stdout, re.M)[1])
    stored, stories = map(int, re.search(r"(\d+) notices now stored, (\d+) stories", result.stdout).groups())
    listed = result.stdout.split("notices now stored", 1)[1].splitlines()[1:]
    assert len([line for line in listed if line.startswith("  ")]) == stored
    with sqlite3.connect(tmp_path / "notices.db") as conn:
        assert conn.execute("select count(*) from notices").fetchone()[0] == stored
        assert conn.execute("select count(distinct story_id) from notices").fetchone()[0] == stories == new
        sites = {name for (name,) in conn.execute("select distinct site from notices")}
        healthy = {name for name, state in conn.execute("select site, state from site_health") if state == "ok"}
    assert sites == set(load_sites()) == healthy  # every bureau and republisher read, as defined
