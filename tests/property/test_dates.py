"""Date properties: never raises on any text; a result is a real date, with +08:00 when it has a time."""

import re
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from crawler.extract.dates import as_datetime, find_date, find_date_span, parse_date

DATE_ALPHABET = "0123456789年月日时分秒:：-/. 〇○零一二三四五六七八九十T+发布时间20"
date_like = st.text(alphabet=DATE_ALPHABET, max_size=40)
numeric_dates = st.builds(
    "{}{}{}{}{}{}{}".format,
    st.integers(1900, 2099),
    st.sampled_from(["年", "-", "/", ".", " 年 "]),
    st.integers(0, 99),
    st.sampled_from(["月", "-", "/", "."]),
    st.integers(0, 99),
    st.sampled_from(["日", "", " "]),
    st.one_of(
        st.just(""),
        st.builds("{}:{}".format, st.integers(0, 99), st.integers(0, 99)),
        st.builds("{}:{}:{}".format, st.integers(0, 30), st.integers(0, 70), st.integers(0, 99)),
    ),
)
any_date_text = st.one_of(st.text(max_size=80), date_like, numeric_dates)
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def assert_china_time(value):
    """A found date is a real calendar date, or a timestamp carrying +08:00."""
    if ISO_DATE.fullmatch(value):
        date.fromisoformat(value)
    else:
        assert value.endswith("+08:00"), value
        datetime.fromisoformat(value)
    stamp = as_datetime(value)
    assert stamp.endswith("+08:00") and datetime.fromisoformat(stamp).utcoffset().total_seconds() == 8 * 3600


@given(any_date_text)
def test_find_date_never_raises_and_gives_china_time(text):
    found = find_date(text)
    assert found is None or assert_china_time(found) is None


@given(any_date_text)
def test_a_date_span_points_at_its_text(text):
    span = find_date_span(text)
    if span:
        value, start, end = span
        assert 0 <= start < end <= len(text)
        assert find_date(text[start:end]) == value


@given(st.one_of(st.text(max_size=30), date_like, numeric_dates))
def test_parse_date_never_raises_and_gives_china_time(text):
    found = parse_date(text)
    assert found is None or assert_china_time(found) is None
