"""Cluster names mined from a notice's running text: only a place, an industry and 产业集群 pass;
phrases the text says about clusters in general never do."""

import pytest

from crawler.extract import extract_notice
from crawler.mirror import DEFAULT_TREE
from crawler.rosters import cluster_names_in_text, is_cluster_name, stated_count

SEED_COPY = ("https://www.cixidb.cn/news/627/627509.html", DEFAULT_TREE / "www.cixidb.cn/news/627/627509.html")
ORIGINAL = (
    "https://jxt.zj.gov.cn/art/2025/7/16/art_1582900_28196.html",
    DEFAULT_TREE / "jxt.zj.gov.cn/art/2025/7/16/art_1582900_28196.html",
)


@pytest.mark.parametrize(
    "name",
    [
        "杭州市滨江区具身智能机器人产业集群",  # the seed notice's sentence 确定…等17个产业集群
        "温州乐清通信连接器产业集群",  # short place names
        "東陽市磁性材料產業集群",  # Traditional, as a republisher prints it
        "仙桃市非织造布产业集群",  # a county-level city under the province
        "合肥市高新区智能语音及人工智能产业集群",  # a development zone after the prefecture
        "兰州新区精细化工产业集群",
        "江苏省苏州市生物医药产业集群",  # a national list names the province too
    ],
)
def test_a_place_an_industry_and_chanye_jiqun_is_a_cluster_name(name):
    assert is_cluster_name(name)


@pytest.mark.parametrize(
    "phrase",
    [
        "加快提升集群",  # what the seed's text says (一、… 加快提升集群综合治理)
        "各地要制定和完善本地区集群",  # 二、各地要制定和完善本地区集群发展规划
        "建立健全集群",  # 建立健全集群发展工作协调机制
        "各地要注意总结提炼集群",  # 三、各地要注意总结提炼集群发展典型案例
        "提升中小企业产业集群",  # 提升中小企业产业集群专业化、特色化
        "浙江省中小企业特色产业集群",  # the programme, not a cluster
        "年浙江省中小企业特色产业集群",
        "新型显示产业集群",  # an industry without a place
        "杭州市加快提升产业集群",  # a place and a verb phrase
        "杭州市产业集群",  # a place and nothing
        "杭州市滨江区具身智能机器人集群",  # not 产业集群
    ],
)
def test_phrases_about_clusters_are_no_cluster_names(phrase):
    assert not is_cluster_name(phrase)


@pytest.mark.parametrize("page", [SEED_COPY, ORIGINAL], ids=["cixidb copy", "bureau original"])
def test_the_seed_text_mentions_one_cluster_and_states_17(page):
    url, path = page
    notice = extract_notice(url, path.read_bytes())
    assert "加快提升集群" in notice.body_normalized  # the phrases are there to be cut out, and are not
    assert cluster_names_in_text(notice.body_normalized) == ["杭州市滨江区具身智能机器人产业集群"]
    assert stated_count(notice.body_normalized) == 17


def test_names_in_a_sentence_listing_several_clusters_are_found_in_order_once():
    text = (
        "经评审，确定北京市怀柔区科学仪器产业集群、上海市临港新片区智能网联汽车产业集群和江苏省苏州市生物医药"
        "产业集群等3个产业集群为第五批国家级战略性新兴产业集群。支持北京市怀柔区科学仪器产业集群加快发展。"
    )
    assert cluster_names_in_text(text) == [
        "北京市怀柔区科学仪器产业集群",
        "上海市临港新片区智能网联汽车产业集群",
        "江苏省苏州市生物医药产业集群",
    ]
    assert stated_count(text) == 3
