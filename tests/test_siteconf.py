import logging
import re

import pytest

from crawler.listings import ADAPTERS, json_list
from crawler.listings.contract import NoOptions
from crawler.listings.html_list import HtmlListOptions
from crawler.listings.json_list import JsonListOptions
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
    assert site.live_checked is False  # not stated: not checked against the live site
    checked = GOOD.replace('kind = "bureau"', 'kind = "bureau"\nlive_checked = true')
    assert parse_site(write(tmp_path, checked, "checked.toml")).live_checked is True
    assert site.is_detail_url("https://example.gov.cn/art/2025/7/16/art_1_2.html")
    assert not site.is_detail_url("https://example.gov.cn/col/col1/index.html")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('kind = "bureau"', 'kind = "agency"'), "kind"),
        (('adapter = "html_list"', 'adapter = "wordpress"'), "listing.adapter"),
        (("url_pattern = '", "url_pattern = '(["), "detail.url_pattern"),
        (('province = "浙江"', 'province = "浙江"\nstart_url = "x"'), "start_url"),
        (
            ('start_urls = ["https://example.gov.cn/col/col1/index.html"]', 'start_urls = ["example.gov.cn"]'),
            "start_urls",
        ),
        (('[listing]\nadapter = "html_list"', '[listing]\nadapter = "html_list"\nmax_pages = 0'), "listing.max_pages"),
        (('title = "示例经信厅 通知公告"\n', ""), "title"),
        (('kind = "bureau"', 'kind = "bureau"\nlive_checked = "no"'), "live_checked"),
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


# --- [listing]: the options every adapter has, and each adapter's own -----------------------------

JSON_LIST = GOOD.replace('adapter = "html_list"', 'adapter = "json_list"')


def refusal(tmp_path, text) -> str:
    path = write(tmp_path, text)
    with pytest.raises(SiteDefinitionError) as error:
        parse_site(path)
    assert str(error.value).startswith(f"{path}: field 'listing.")
    return str(error.value)


def test_an_adapters_own_options_are_read_into_listing_options(tmp_path):
    site = parse_site(
        write(
            tmp_path,
            GOOD.replace(
                'adapter = "html_list"',
                "adapter = \"html_list\"\nitem_selector = 'ul.list'\nnext_page_pattern = '/index_\\d+'\n",
            ),
        )
    )
    assert site.listing.options == HtmlListOptions(item_selector="ul.list", next_page_pattern=re.compile(r"/index_\d+"))
    site = parse_site(
        write(
            tmp_path,
            JSON_LIST.replace(
                'adapter = "json_list"',
                'adapter = "json_list"\n'
                'records = "data.list"\nurl_fields = ["link"]\n'
                'form = {channel = "7", size = 20}\n',
            ),
        )
    )
    assert site.listing.options == JsonListOptions(
        records="data.list", url_fields=("link",), form=(("channel", "7"), ("size", "20"))
    )


def test_options_left_out_take_the_adapters_declared_defaults(tmp_path):
    assert parse_site(write(tmp_path, GOOD)).listing.options == HtmlListOptions()
    options = parse_site(write(tmp_path, JSON_LIST)).listing.options
    assert (options.records, options.url_fields, options.page_param, options.form) == (
        None,
        json_list.URL_FIELDS,
        "page",
        (),
    )
    gkmlpt = GOOD.replace('adapter = "html_list"', 'adapter = "gkmlpt"')
    assert parse_site(write(tmp_path, gkmlpt)).listing.options == NoOptions()


def test_an_option_of_another_adapter_is_refused_naming_whose_it_is(tmp_path):
    message = refusal(tmp_path, GOOD.replace('adapter = "html_list"', 'adapter = "html_list"\nrecords = "data"'))
    assert "'listing.records': not an option of adapter html_list (an option of json_list)" in message
    assert "its options: item_selector, next_page_pattern" in message
    message = refusal(tmp_path, GOOD.replace('adapter = "html_list"', 'adapter = "gkmlpt"\nitem_selector = "ul"'))
    assert "not an option of adapter gkmlpt (an option of html_list, jpaas_build, ls_column, trs_static)" in message
    assert "its options: none" in message


def test_an_option_no_adapter_has_is_refused_with_the_adapters_options(tmp_path):
    message = refusal(tmp_path, JSON_LIST.replace('adapter = "json_list"', 'adapter = "json_list"\nrecord = "data"'))
    assert "'listing.record': not an option of adapter json_list; its options: records, url_fields" in message
    assert "every adapter's: adapter, max_pages, per_page" in message


@pytest.mark.parametrize(
    ("text", "field", "says"),
    [
        (
            GOOD.replace('adapter = "html_list"', 'adapter = "html_list"\nitem_selector = 3'),
            "item_selector",
            "must be a str, got int",
        ),
        (
            GOOD.replace('adapter = "html_list"', "adapter = \"html_list\"\nnext_page_pattern = '(['"),
            "next_page_pattern",
            "invalid regular expression",
        ),
        (
            JSON_LIST.replace('adapter = "json_list"', 'adapter = "json_list"\nurl_fields = []'),
            "url_fields",
            "must not be empty",
        ),
        (
            JSON_LIST.replace('adapter = "json_list"', 'adapter = "json_list"\ntitle_fields = "title"'),
            "title_fields",
            "must be a list of non-empty strings",
        ),
        (
            JSON_LIST.replace('adapter = "json_list"', 'adapter = "json_list"\nform = {page = true}'),
            "form.page",
            "must be a string or an integer",
        ),
    ],
)
def test_an_option_of_the_wrong_type_names_the_file_and_the_field(tmp_path, text, field, says):
    message = refusal(tmp_path, text)
    assert f"'listing.{field}': {says}" in message


def test_the_former_name_trs_json_still_loads_as_json_list_with_a_warning_once(tmp_path, caplog):
    path = write(tmp_path, GOOD.replace('adapter = "html_list"', 'adapter = "trs_json"\nrecords = "data"'))
    with caplog.at_level(logging.WARNING, logger="crawler.siteconf"):
        site = parse_site(path)
        parse_site(path)
    assert site.listing.adapter == "json_list" and site.listing.options.records == "data"
    warnings = [r.getMessage() for r in caplog.records if "former name" in r.getMessage()]
    assert warnings == [
        (
            f"{path}: field 'listing.adapter': 'trs_json' is the former name of adapter 'json_list'; "
            "write adapter = 'json_list'"
        )
    ]


def test_an_unknown_adapter_lists_the_registered_names_not_former_ones(tmp_path):
    message = refusal(tmp_path, GOOD.replace('adapter = "html_list"', 'adapter = "wordpress"'))
    assert f"must be one of {', '.join(sorted(ADAPTERS))}, got 'wordpress'" in message and "trs_json" not in message


def test_every_site_province_has_its_full_name():
    from crawler.site import province_name

    assert [province_name(p) for p in ("浙江", "北京", "广西", "内蒙古", "全国", None)] == [
        "浙江省",
        "北京市",
        "广西壮族自治区",
        "内蒙古自治区",
        None,
        None,
    ]
    for site in load_sites().values():
        assert site.province == "全国" or site.province_name.startswith(site.province), site.name
