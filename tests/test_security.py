"""Misuse and hostile input: XML entities in a Hanweb column, secrets in channel URLs, markup in
notice text, and what `crawler serve` exposes."""

import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from email import message_from_string, policy
from xml.etree import ElementTree

import pytest

from crawler.alerts.channels import parse_channel
from crawler.alerts.messages import compose
from crawler.cli import serve
from crawler.mirror import host_map_for, serve_mirror
from tests.alerts.receivers import HttpReceiver, SmtpReceiver
from tests.alerts.test_delivery import three_notice_site
from tests.conftest import FAST, copy_site, crawl, host_map_args, run_cli
from tests.served import crawler_serve

COLUMN = "jxt.zj.gov.cn/col/col1582900/index.html"
HOSTILE = "<script>alert(1)</script> & 名单"


def entity_attack(target):
    """A DOCTYPE with an external entity reading ``target`` and a billion-laughs bomb."""
    laughs = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return (
        f'<!DOCTYPE datastore [<!ENTITY xxe SYSTEM "file://{target}">{"".join(laughs)}]>',
        '<record><![CDATA[<p class="lb-list"><a href="/art/2025/7/1/art_1582900_1.html">&xxe;&lol9;</a>'
        "<span>2025-07-01</span></p>]]></record>\n<record>&xxe;&lol9;</record>",
    )


@pytest.fixture(scope="module")
def hostile_crawl(tmp_path_factory):
    """A crawl of the Zhejiang bureau whose column page carries XXE and an entity bomb."""
    root = tmp_path_factory.mktemp("xxe")
    secret = root / "secret.txt"
    secret.write_text("TOP-SECRET-FILE-CONTENT", encoding="utf-8")
    tree = copy_site(root, "jxt.zj.gov.cn")
    page = tree / COLUMN
    doctype, records = entity_attack(secret)
    html = page.read_text(encoding="utf-8")
    html = html.replace('<script type="text/xml"><datastore>', f'<script type="text/xml">{doctype}<datastore>')
    html = html.replace("<recordset>", "<recordset>\n" + records, 1)
    assert doctype in html and records in html
    page.write_text(html, encoding="utf-8")
    db = root / "notices.db"
    start = time.monotonic()
    result, _ = crawl(tree, db, "zj_jxt")
    return result, db, time.monotonic() - start


def test_xml_entities_in_a_hanweb_column_are_never_expanded(hostile_crawl):
    result, db, seconds = hostile_crawl
    assert result.returncode in (0, 3), result.stderr[-2000:]
    assert seconds < 120
    data = b"".join(p.read_bytes() for p in db.parent.glob("notices.db*"))
    assert b"TOP-SECRET-FILE-CONTENT" not in data
    assert b"lollollol" not in data
    assert "TOP-SECRET-FILE-CONTENT" not in result.stdout + result.stderr


def test_the_column_still_gives_its_notices(hostile_crawl):
    import sqlite3

    _, db, _ = hostile_crawl
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from notices where site = 'zj_jxt'").fetchone()[0] > 0


SECRETS = {
    "DT_TOKEN": "dt-token-5ecret-7781",
    "DT_SECRET": "SECdt5ecret99120",
    "SMTP_PASSWORD": "smtp-pa55word-3321",
    "HOOK_TOKEN": "hook-5ecret-4410",
    "FS_TOKEN": "fs-5ecret-6612",
}


def test_secrets_never_reach_logs_database_or_output(tmp_path):
    """Every channel fails (HTTP 500, SMTP without AUTH), so every error path is logged and stored."""
    http, smtp = HttpReceiver(), SmtpReceiver()
    http.fail_first = {"/": 1000}
    try:
        tree = three_notice_site(tmp_path)
        data = tmp_path / "data"
        data.mkdir()
        config = tmp_path / "alerts.toml"
        config.write_text(
            f"""
[alerts]
retry_base_seconds = 0

[[subscriptions]]
name = "default"
events = ["new"]
channels = [
  "json://127.0.0.1:{http.server.server_address[1]}/hook/${{HOOK_TOKEN}}",
  "dingtalk://${{DT_TOKEN}}?secret=${{DT_SECRET}}&endpoint={http.base}/robot/send",
  "feishu://${{FS_TOKEN}}?endpoint={http.base}/open-apis/bot/v2/hook/",
  "mailto://watch:${{SMTP_PASSWORD}}@127.0.0.1:{smtp.port}?to=a@example.cn&from=w@example.cn&mode=plain",
]
""",
            encoding="utf-8",
        )
        env = {**os.environ, **SECRETS}
        with serve_mirror(tree) as base:
            result = run_cli(
                "run",
                "cixidb",
                "--db",
                str(data / "notices.db"),
                "--config",
                str(config),
                *host_map_args(host_map_for(tree, base)),
                *FAST,
                env=env,
                cwd=tmp_path,
            )
        assert result.returncode == 3, result.stderr[-2000:]
        assert http.on("/") == [] and smtp.messages == []
        scanned = [p for p in tmp_path.rglob("*") if p.is_file() and "sites" not in p.parts]
        assert any(p.name.endswith(".log") for p in scanned) and any(p.name == "notices.db" for p in scanned)
        for value in SECRETS.values():
            assert value not in result.stdout and value not in result.stderr
            for path in scanned:
                assert value.encode() not in path.read_bytes(), path
    finally:
        http.close()
        smtp.close()


EVENT = {
    "kind": "new",
    "title": HOSTILE,
    "url": "https://example.gov.cn/a?x=1&y=<2>",
    "issuer": HOSTILE,
    "published_at": "2025-07-16T00:00:00+08:00",
    "sites": [(HOSTILE, "https://example.gov.cn/a")],
    "diff": HOSTILE,
    "body_normalized": HOSTILE,
    "is_cluster_list": True,
    "event_id": 7,
    "clusters": [HOSTILE, "杭州市产业集群"],
    "notice_id": 1,
    "version": 1,
    "datasette_url": "http://127.0.0.1:8001",
}


def test_notice_text_is_escaped_in_the_html_email(tmp_path):
    smtp = SmtpReceiver()
    try:
        channel = parse_channel(f"mailto://127.0.0.1:{smtp.port}?to=a@example.cn&from=w@example.cn&mode=plain")
        channel.send(compose(EVENT))
    finally:
        smtp.close()
    email = message_from_string(smtp.messages[0]["data"], policy=policy.default)
    html = email.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 名单" in html
    assert " & " not in html


def test_notice_text_is_escaped_in_the_atom_feed(tmp_path):
    feed = tmp_path / "feed.xml"
    channel = parse_channel(f"atom://{feed}")
    for _ in range(2):
        channel.send(compose(EVENT))
    raw = feed.read_text(encoding="utf-8")
    assert "<script>" not in raw and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 名单" in raw
    entries = ElementTree.parse(feed).getroot().findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 2 and HOSTILE in entries[0].findtext("{http://www.w3.org/2005/Atom}title")


def test_serve_binds_loopback_unless_told_otherwise():
    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"


def request(url, data=None, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers or {}), timeout=10) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_serve_offers_no_writes_and_escapes_its_feed(hostile_crawl):
    import sqlite3

    _, db, _ = hostile_crawl
    with sqlite3.connect(db) as conn:
        conn.execute("update notices set title = ? where id = (select min(id) from notices)", (HOSTILE,))
        before = conn.execute("select count(*), group_concat(title) from notices").fetchone()
    with crawler_serve(db) as base:
        name = db.stem
        status, body = request(f"{base}/{name}.json?sql=" + urllib.parse.quote("delete from notices"))
        assert status >= 400
        status, _ = request(f"{base}/{name}.json?sql=" + urllib.parse.quote("update notices set title = 'x'"))
        assert status >= 400
        form = b"sql=delete+from+notices"
        assert request(f"{base}/{name}", data=form)[0] >= 400
        assert (
            request(
                f"{base}/{name}/notices/-/insert",
                data=b'{"row": {"title": "x"}}',
                headers={"Content-Type": "application/json"},
            )[0]
            >= 400
        )
        status, metadata = request(f"{base}/-/metadata.json")
        queries = json.loads(metadata)["databases"][name].get("queries", {})
        assert status == 200 and queries and not any(q.get("write") for q in queries.values())
        for query in queries:
            assert request(f"{base}/{name}/{query}", data=b"x=1")[0] >= 400
        status, feed = request(
            f"{base}/{name}.atom?sql="
            + urllib.parse.quote(
                "select id as atom_id, title as atom_title, last_seen_at as atom_updated, title as atom_content "
                "from notices order by id limit 5"
            )
        )
        assert status == 200 and "<script>alert(1)" not in feed and "&lt;script&gt;" in feed
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*), group_concat(title) from notices").fetchone() == before
