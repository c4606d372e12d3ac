"""A cluster name splits into province, prefecture, county and industry with the administrative
divisions: a county-level place alone finds its prefecture."""

import pytest

from crawler.rosters import split_cluster_name


@pytest.mark.parametrize(
    "name, province, expected",
    [
        ("杭州市滨江区具身智能机器人产业集群", None, ("浙江省", "杭州市", "滨江区", "具身智能机器人")),
        ("义乌市小商品制造产业集群", None, ("浙江省", "金华市", "义乌市", "小商品制造")),
        ("长兴县新能源电池产业集群", None, ("浙江省", "湖州市", "长兴县", "新能源电池")),
        ("宁波市北仑区模具产业集群", None, ("浙江省", "宁波市", "北仑区", "模具")),
        ("宁波市汽车零部件产业集群", None, ("浙江省", "宁波市", None, "汽车零部件")),
        ("温州乐清通信连接器产业集群", None, ("浙江省", "温州市", "乐清市", "通信连接器")),
        ("浙江省台州市黄岩区模具产业集群", None, ("浙江省", "台州市", "黄岩区", "模具")),
        ("江苏省苏州市昆山市电子信息产业集群", None, ("江苏省", "苏州市", "昆山市", "电子信息")),
        ("上海市闵行区具身智能零部件产业集群", None, ("上海市", "上海市", "闵行区", "具身智能零部件")),
        ("东莞市电子信息产业集群", None, ("广东省", "东莞市", None, "电子信息")),
        ("仙桃市非织造布产业集群", None, ("湖北省", None, "仙桃市", "非织造布")),
        ("吉林市化工集群", None, ("吉林省", "吉林市", None, "化工")),
        ("朝阳区数字内容产业集群", "北京市", ("北京市", "北京市", "朝阳区", "数字内容")),
        ("鼓楼区软件产业集群", "福建省", ("福建省", "福州市", "鼓楼区", "软件")),
        ("高端装备产业集群", None, (None, None, None, "高端装备")),
        ("高端装备产业集群", "浙江", ("浙江省", None, None, "高端装备")),
        ("東陽市磁性材料產業集群", None, ("浙江省", "金华市", "东阳市", "磁性材料")),
    ],
)
def test_cluster_name_splits_into_places_and_industry(name, province, expected):
    split = split_cluster_name(name, province)
    assert (split["province"], split["city"], split["county"], split["industry"]) == expected


def test_a_county_name_several_provinces_share_has_no_prefecture_without_a_hint():
    split = split_cluster_name("鼓楼区软件产业集群")
    assert (split["city"], split["county"]) == (None, "鼓楼区")
