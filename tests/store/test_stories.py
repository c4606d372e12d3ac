"""Which notices are one story: a republished copy joins its bureau original; the formulaic
notices every province publishes (the same text with another province's name) never do."""

import re

import pytest

from crawler.extract import Notice
from crawler.extract.text import normalize_text
from crawler.records import DetailPage, FetchOutcome
from crawler.site import Listing, Site
from crawler.store import Store

FORM = (
    "{where}各有关单位：\n根据{province}相关培育管理办法，经企业申报、地方推荐、专家评审和公示，现将名单予以公布（见附件）。\n"
    "请各地主管部门加强对入选单位的跟踪服务和动态管理，入选单位要发挥示范引领作用，持续提升创新能力和发展质量。\n"
    "附件：2026年{province}专精特新中小企业名单"
)


def site(name: str, province: str, kind: str = "bureau") -> Site:
    return Site(
        name=name,
        title=name,
        kind=kind,
        province=province,
        start_urls=(f"https://{name}.example.cn/",),
        listing=Listing("html_list"),
        detail_pattern=re.compile("."),
    )


def page(site_name: str, number: int, title: str, body: str, doc_number: str | None = None) -> DetailPage:
    url = f"https://{site_name}.example.cn/art/{number}.html"
    notice = Notice(
        url=url,
        title=title,
        published_at="2026-08-05T09:00:00+08:00",
        source=None,
        body=body,
        body_normalized=normalize_text(body),
        title_normalized=normalize_text(title),
        doc_number=doc_number,
    )
    return DetailPage(site_name, notice, FetchOutcome(site_name, url, "detail", "stored", status=200))


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "notices.db")
    store.register_sites(
        [
            site("fj", "福建"),
            site("jx", "江西"),
            site("sd", "山东"),
            site("yt", "山东"),
            site("pub", "全国", "republisher"),
        ]
    )
    yield store
    store.close()


def stories(store) -> dict[str, int]:
    return {
        url.split("//")[1].split(".")[0] + url.rsplit("/", 1)[1][:-5]: story
        for url, story in store.db.execute("select url, story_id from notices")
    }


def test_two_provinces_formulaic_lists_are_two_stories(store):
    fujian = FORM.format(where="各设区市工信局，", province="福建省")
    store.save_page(1, page("fj", 1, "关于公布2026年福建省专精特新中小企业名单的通知", fujian, "闽工信规〔2026〕108号"))
    store.save_page(
        1,
        page(
            "jx",
            1,
            "关于公布2026年江西省专精特新中小企业名单的通知",
            fujian.replace("福建", "江西"),
            "赣工信规〔2026〕107号",
        ),
    )
    found = stories(store)
    assert found["fj1"] != found["jx1"]
    assert store.db.execute("select count(*) from events where kind = 'new'").fetchone()[0] == 2


def test_a_city_list_and_its_province_list_are_two_stories(store):
    text = FORM.format(where="", province="山东省")
    store.save_page(1, page("sd", 1, "关于2026年山东省首台（套）技术装备拟认定名单的公示", text))
    store.save_page(1, page("yt", 1, "关于2026年烟台市首台（套）技术装备拟推荐名单的公示", text))
    found = stories(store)
    assert found["sd1"] != found["yt1"]


def test_two_document_numbers_are_two_notices(store):
    text = FORM.format(where="", province="山东省")
    store.save_page(1, page("sd", 1, "山东省专精特新中小企业名单", text, "鲁工信中小〔2026〕141号"))
    store.save_page(1, page("pub", 1, "山东省专精特新中小企业名单", text, "鲁工信中小〔2026〕142号"))
    found = stories(store)
    assert found["sd1"] != found["pub1"]


def test_a_republished_copy_joins_its_bureau_original(store):
    text = FORM.format(where="各设区市工信局，", province="福建省")
    store.save_page(1, page("fj", 1, "关于公布2026年福建省专精特新中小企业名单的通知", text, "闽工信规〔2026〕108号"))
    store.save_page(
        1,
        page(
            "pub", 2, "2026年福建省专精特新中小企业名单公布", text + "\n（来源：福建省工信厅）", "閩工信規〔2026〕108號"
        ),
    )
    found = stories(store)
    assert found["fj1"] == found["pub2"]
    assert store.db.execute("select count(*) from events where kind = 'new'").fetchone()[0] == 1
