"""Normalisation properties: never raises, idempotent, glosses gone, real parentheses kept."""

import string

from hypothesis import example, given
from hypothesis import strategies as st

from crawler.extract.text import clean_whitespace, normalize_text, strip_pinyin_glosses, to_simplified, unify_width

TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ"
# Characters that exercise each rule: Han (Simplified and Traditional), ASCII and full-width
# punctuation, pinyin letters with tone marks, digits, spaces of every width and line breaks.
NOTICE_ALPHABET = (
    "规區县市经信厅發展業产集群名单公示一二三"
    + "(),:;?!（），：；？！、。“”《》〔〕【】"
    + TONED
    + "abcxyzü"
    + "0123456789０１２ＡＢ"
    + " \t\u00a0\u3000\u200b\ufeff\n\r"
)
FRAGMENTS = [
    "規",
    "區",
    "经信厅",
    "(",
    ")",
    "（",
    "）",
    "guī",
    "ｇｕī",
    "qū",
    " ",
    "\u3000",
    "\n",
    ":",
    "：",
    ",",
    "\u200b",
    "一",
    "2025",
    "试行",
    "xlsx",
    "市、区",
    "“",
    "《",
    "ǎ",
]
notice_text = st.one_of(
    st.text(alphabet=NOTICE_ALPHABET, max_size=60),
    st.lists(st.sampled_from(FRAGMENTS), max_size=12).map("".join),
)
any_text = st.text(max_size=200)
han = st.text(alphabet="规区县市经信厅发展业产集群名单", min_size=1, max_size=4)
gap = st.sampled_from(["", " ", "\u3000", "\u200b", "\t "])
pinyin = st.text(alphabet=string.ascii_lowercase, max_size=3).flatmap(
    lambda head: st.sampled_from(TONED).map(lambda tone: head + tone)
)


@given(any_text)
def test_normalisation_never_raises_on_any_text(text):
    assert isinstance(normalize_text(text), str)


@given(st.one_of(notice_text, any_text))
@example(":::“")  # a run of marks next to Han text converts whole
@example("㐀(īａ)")  # a gloss in full-width letters
@example("中 （guī）")  # a gloss after a space
@example("中(guī):x")  # a mark that touches Han only once the gloss is gone
def test_normalisation_is_idempotent(text):
    once = normalize_text(text)
    assert normalize_text(once) == once


@given(st.one_of(notice_text, any_text))
def test_each_step_is_idempotent(text):
    for step in (strip_pinyin_glosses, unify_width, clean_whitespace):
        once = step(text)
        assert step(once) == once, step.__name__


@given(notice_text)
def test_normalised_text_has_no_blank_lines_or_edge_spaces(text):
    for line in normalize_text(text).splitlines():
        assert line and line == line.strip(" \t\u00a0\u3000")


@given(han, gap, st.lists(pinyin, min_size=1, max_size=3), st.sampled_from(["()", "（）"]), han)
def test_a_pinyin_gloss_after_han_is_removed(before, space, syllables, brackets, after):
    text = f"{before}{space}{brackets[0]}{' '.join(syllables)}{brackets[1]}{after}"
    assert strip_pinyin_glosses(text) == before + after
    assert normalize_text(text) == normalize_text(before + after)


REAL_PARENTHESES = [
    "(一)",
    "（一）",
    "（2025）",
    "(2025)",
    "(试行)",
    "（试行）",
    "(征求意见稿)",
    "(市、区)",
    "(xlsx)",
    "(PDF)",
    "（第二批）",
    "(2)",
]


@given(han, st.sampled_from(REAL_PARENTHESES), han)
def test_real_parentheses_are_kept(before, parenthesised, after):
    text = before + parenthesised + after
    assert strip_pinyin_glosses(text) == text
    inner = unify_width(to_simplified(parenthesised[1:-1]))
    assert f"（{inner}）" in normalize_text(text)


@given(notice_text, st.sampled_from(REAL_PARENTHESES), notice_text)
def test_real_parentheses_survive_any_surroundings(before, parenthesised, after):
    inner = unify_width(to_simplified(parenthesised[1:-1]))
    result = normalize_text(f"{before}\n{parenthesised}\n{after}")
    assert inner in result
