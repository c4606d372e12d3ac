"""Notice kinds by the rules in crawler/kinds.toml, measured on every title of the fixture corpus
against labels made by reading the titles (tests/fixtures/kinds/gold.tsv, see NOTES.md there)."""

import csv
from collections import Counter
from pathlib import Path

import pytest

from crawler.kinds import classify, load_rules

GOLD = Path(__file__).parent / "fixtures" / "kinds" / "gold.tsv"


def gold_rows():
    with GOLD.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_kinds_agree_with_the_labelled_corpus():
    rows = gold_rows()
    assert len(rows) >= 250
    wrong = [(r["title"], r["kind"], classify(r["title"]).kind) for r in rows if classify(r["title"]).kind != r["kind"]]
    assert len(wrong) <= 0.05 * len(rows), wrong
    # The kind the product is about: no cluster list missed, none invented.
    clusters = [(t, want, got) for t, want, got in wrong if "cluster_list" in (want, got)]
    assert not clusters, clusters


def test_list_stages_and_subjects_agree_with_the_labels():
    rows = [r for r in gold_rows() if r["kind"] in ("cluster_list", "list") and classify(r["title"]).is_roster]
    stages = Counter(classify(r["title"]).stage == r["stage"] for r in rows)
    subjects = [r for r in rows if r["list_subject"] in {rule.name for rule in load_rules()["subject"]}]
    subject_hits = Counter(classify(r["title"]).subject == r["list_subject"] for r in subjects)
    assert stages[True] >= 0.95 * len(rows), stages
    assert subject_hits[True] >= 0.95 * len(subjects), subject_hits


@pytest.mark.parametrize(
    ("title", "kind", "stage", "level", "year"),
    [
        ("2025年浙江省中小企業特色產業集群名單公布", "cluster_list", "final", "省级", 2025),
        ("关于2022年度浙江省中小企业特色产业集群复核结果的公示", "cluster_list", "review", "省级", 2022),
        ("关于2025年安徽省中小企业特色产业集群拟认定名单的公示", "cluster_list", "draft", "省级", 2025),
        ("工业和信息化部关于公布2025年度中小企业特色产业集群名单的通知", "cluster_list", "final", "国家级", 2025),
        ("关于公布2026年烟台市创新型中小企业名单的通知", "list", "final", "市级", 2026),
        (
            "浙江省经济和信息化厅关于组织开展2025年度中小企业特色产业集群申报和2022年度中小企业特色产业集群复核工作的通知",
            "call",
            None,
            None,
            None,
        ),
        ("《河北省中小企业特色产业集群培育提升行动方案》政策解读", "policy", None, None, None),
        ("全省专精特新企业培育工作推进会在石家庄召开", "other", None, None, None),
    ],
)
def test_examples(title, kind, stage, level, year):
    got = classify(title)
    assert (got.kind, got.stage, got.level, got.year) == (kind, stage, level, year)


def test_a_broken_rules_file_names_the_rule(tmp_path):
    path = tmp_path / "kinds.toml"
    path.write_text('[[kind]]\nname = "list"\ntitle = "名单("\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"kinds.toml: rule 1 \('list'\)"):
        load_rules(path)


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("工业和信息化部办公厅关于开展2025年度绿色制造名单推荐工作的通知", "call"),
        ("关于开展2026年海南省绿色制造名单推荐工作的通知", "call"),
        ("关于开展2025年度省级绿色制造名单申报工作的通知", "call"),
        ("关于做好2025年度绿色制造名单推荐工作的通知", "call"),
        ("关于组织申报2025年度湖北省绿色制造名单的通知", "call"),
        ("关于组织推荐2025年度国家级绿色制造名单的通知", "call"),
        ("关于开展2025年度中小企业特色产业集群名单推荐工作的通知", "call"),
        # What such a call yields is a list: its 公示, the recommended or the published names.
        ("关于公布2025年度绿色制造名单的通知", "list"),
        ("关于2025年度绿色制造拟推荐名单的公示", "list"),
        ("关于2026年江苏省专精特新“小巨人”企业推荐名单的公示", "list"),
        ("关于2026年北京市绿色制造名单的公告", "list"),
        ("工业和信息化部关于公布2025年度中小企业特色产业集群名单的通知", "cluster_list"),
    ],
)
def test_a_call_for_nominations_to_a_list_is_a_call_and_the_list_it_yields_is_not(title, kind):
    assert classify(title).kind == kind
