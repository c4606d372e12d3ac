"""Learning a site's template from several of its pages."""

import re

from crawler.extract import SiteHints, extract_notice
from crawler.extract.template import repeated_lines
from crawler.extract.text import normalize_text
from crawler.mirror import DEFAULT_TREE
from tests.conftest import run_cli

PAGES = sorted((DEFAULT_TREE / "www.cixidb.cn/news").glob("62*/*.html"))[:6]
SITE_NOTE = "本站所载资料均来自会员单位及公开渠道，仅供会员参考，以原发布单位为准。"


def with_site_note(path):
    """The page with its 法律提示 replaced by a note no lexicon knows, as another site might have."""
    html = path.read_text(encoding="utf-8")
    return re.sub(r'(<p class="statement">).*?(</p>)', rf"\g<1>{SITE_NOTE}\g<2>", html, count=1, flags=re.S).encode()


def test_text_repeated_across_a_sites_pages_is_learned_as_chrome():
    pages = [with_site_note(p) for p in PAGES]
    learned = set(repeated_lines(pages))
    assert normalize_text(SITE_NOTE) in learned
    for page in pages:  # the site note is the only learned line inside any notice's text
        body = set(extract_notice("https://www.cixidb.cn/news/1/1.html", page).body_normalized.split("\n"))
        assert body & learned == {normalize_text(SITE_NOTE)}


def test_learned_chrome_is_removed_from_the_body_only_when_given():
    pages = [with_site_note(p) for p in PAGES]
    hints = SiteHints(chrome=frozenset(repeated_lines(pages)))
    url = "https://www.cixidb.cn/news/626/626281.html"
    assert SITE_NOTE in extract_notice(url, pages[0]).body
    cleaned = extract_notice(url, pages[0], hints)
    assert SITE_NOTE not in cleaned.body and cleaned.body.endswith(extract_notice(url, pages[0]).body.split("\n")[-2])


def test_template_command_prints_a_chrome_list(tmp_path):
    files = []
    for path in PAGES:
        copy = tmp_path / path.name
        copy.write_bytes(with_site_note(path))
        files.append(str(copy))
    result = run_cli("template", *files)
    assert result.returncode == 0 and "chrome = [" in result.stdout and normalize_text(SITE_NOTE) in result.stdout
