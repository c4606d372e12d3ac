from crawler.alerts.config import Subscription
from crawler.alerts.rules import is_cluster_list, matches


def test_cluster_lists_are_recognised_in_simplified_and_traditional():
    assert is_cluster_list("2025年浙江省中小企業特色產業集群名單公布")
    assert is_cluster_list("关于2025年度第一批省级中小企业特色产业集群拟认定名单的公示")
    assert is_cluster_list("关于公布2025年先进制造业集群复核结果的通告")


def test_calls_and_other_lists_are_not_cluster_lists():
    assert not is_cluster_list("关于组织开展2025年度中小企业特色产业集群申报和2022年度复核工作的通知")
    assert not is_cluster_list("关于公布2025年度浙江省“专精特新”中小企业名单的通知")
    assert not is_cluster_list(None)


def test_filters_by_kind_site_province_keyword_and_regex():
    event = {
        "kind": "new",
        "site": "zj_jxt",
        "province": "浙江",
        "title": "关于公布2025年度专精特新中小企业名单的通知",
        "body_normalized": "各市经信局：现将名单予以公布。",
    }
    assert matches(Subscription("a", (), events=("new",)), event)
    assert not matches(Subscription("b", (), events=("cluster_list",)), event)
    assert not matches(Subscription("c", (), events=("new",), sites=("cixidb",)), event)
    assert not matches(Subscription("d", (), events=("new",), provinces=("江苏",)), event)
    assert matches(Subscription("e", (), events=("new",), keywords=("專精特新",)), event)
    assert not matches(Subscription("f", (), events=("new",), keywords=("单项冠军",)), event)
    import re

    assert matches(Subscription("g", (), events=("new",), regex=re.compile(r"20\d\d年度")), event)
