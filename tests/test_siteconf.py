import pytest

from crawler.siteconf import SiteDefinitionError, load_sites, parse_site, select_sites

GOOD = """
name = "demo_bureau"
title = "示例经信厅 通知公告"
kind = "bureau"
province = "浙江"
start_urls = ["https://example.gov.cn/col/col1/index.html"]

[listing]
adapter = "html_list"

[detail]
url_pattern = '/art/\\d{4}/\\d+/\\d+/art_\\d+_\\d+\\.html$'
"""


def write(tmp_path, text, name="demo.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_definition_loads(tmp_path):
    site = parse_site(write(tmp_path, GOOD))
    assert site.name == "demo_bureau" and site.kind == "bureau" and site.listing.max_pages == 3
    assert site.is_detail_url("https://example.gov.cn/art/2025/7/16/art_1_2.html")
    assert not site.is_detail_url("https://example.gov.cn/col/col1/index.html")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('kind = "bureau"', 'kind = "agency"'), "kind"),
        (('adapter = "html_list"', 'adapter = "wordpress"'), "listing.adapter"),
        (("url_pattern = '", "url_pattern = '(["), "detail.url_pattern"),
        (('province = "浙江"', 'province = "浙江"\nstart_url = "x"'), "start_url"),
        (('start_urls = ["https://example.gov.cn/col/col1/index.html"]', 'start_urls = ["example.gov.cn"]'), "start_urls"),
        (('[listing]\nadapter = "html_list"', '[listing]\nadapter = "html_list"\nmax_pages = 0'), "listing.max_pages"),
        (('title = "示例经信厅 通知公告"\n', ""), "title"),
    ],
)
def test_a_wrong_field_names_the_file_and_the_field(tmp_path, change, field):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(SiteDefinitionError) as error:
        parse_site(path)
    assert str(path) in str(error.value) and f"'{field}'" in str(error.value)


def test_broken_toml_names_the_file(tmp_path):
    path = write(tmp_path, GOOD + "\n[listing\n")
    with pytest.raises(SiteDefinitionError, match="demo.toml: not valid TOML"):
        parse_site(path)


def test_two_files_with_one_name_are_refused(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(SiteDefinitionError, match="also used by"):
        load_sites(tmp_path)


def test_selecting_an_unknown_site_lists_the_known_ones(tmp_path):
    write(tmp_path, GOOD)
    with pytest.raises(SiteDefinitionError, match="known sites: demo_bureau"):
        select_sites(["nope"], tmp_path)


def test_disabled_sites_are_skipped_unless_named(tmp_path):
    write(tmp_path, GOOD.replace('kind = "bureau"', 'kind = "bureau"\nenabled = false'))
    assert select_sites([], tmp_path) == []
    assert [s.name for s in select_sites(["demo_bureau"], tmp_path)] == ["demo_bureau"]


def test_every_bundled_definition_is_valid():
    sites = load_sites()
    assert {"zj_jxt", "cixidb"} <= set(sites)
    assert {s.kind for s in sites.values()} == {"bureau", "republisher"}
