"""Copy keys: copies of a notice are found under the keys its text shares with them, so that matching
a new notice reads a few rows instead of every notice of its week, and decides as reading every one
of them would."""

import random
from pathlib import Path

import pytest

from crawler.extract import extract_notice
from crawler.store import Store, copykeys
from crawler.store.stories import NATIONAL, STORY_MIN_CONTAINMENT
from crawler.store.versions import containment, loose_key, sentences, shingles
from tests.store.test_stories import page, site

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"


@pytest.fixture(scope="module")
def recorded_sentences() -> list[str]:
    """Sentences of the recorded notice pages of every site (real text, many authors)."""
    found: dict[str, None] = {}
    for path in sorted(FIXTURES.rglob("*.*htm*")):
        if "/col/" in str(path) or "index" in path.name:
            continue
        notice = extract_notice(f"https://{path.relative_to(FIXTURES)}", path.read_bytes())
        for sentence in sentences(notice.body_normalized):
            if len(sentence) >= 12:
                found[sentence] = None
    assert len(found) > 2000
    return list(found)


def text(rng: random.Random, pool: list[str], chars: int) -> str:
    lines: list[str] = []
    while sum(map(len, lines)) < chars:
        lines.append(rng.choice(pool))
    return "\n".join(lines)


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "notices.db")
    store.register_sites([site("zj", "浙江"), site("cx", "浙江", "republisher"), site("pub", "全国", "republisher")])
    yield store
    store.close()


def test_a_passage_has_the_same_keys_whatever_surrounds_it(recorded_sentences):
    rng = random.Random(1)
    passage = text(rng, recorded_sentences, 400)
    one = copykeys.lookup_keys(text(rng, recorded_sentences, 300) + "\n" + passage)
    other = copykeys.lookup_keys(
        "转载自某网站。" + passage.replace("\n", "") + "\n" + text(rng, recorded_sentences, 900)
    )
    alone = set(copykeys.lookup_keys(passage))
    assert len(alone) > 40
    assert len(alone & set(one) & set(other)) >= 0.9 * len(alone)


def test_a_long_text_keeps_a_quarter_of_its_keys_and_a_short_one_all():
    long_keys, every = copykeys.kept_keys("测" * 10 + "".join(chr(0x4E00 + i * 7) for i in range(2000)))
    assert not every and all(k % copykeys.KEEP == 0 for k in long_keys)
    short = "".join(chr(0x4E00 + i * 7) for i in range(300))
    short_keys, every = copykeys.kept_keys(short)
    assert every and short_keys == copykeys.lookup_keys(short)[1:]
    assert copykeys.kept_keys("特此通知。") == ([copykeys.ALWAYS], True)
    assert copykeys.lookup_keys("特此通知。") is None


@pytest.mark.parametrize(("short_chars", "short_first"), [(120, False), (120, True), (400, False), (400, True)])
def test_a_short_notice_held_in_a_long_republished_page_is_one_story(
    store, recorded_sentences, short_chars, short_first
):
    rng = random.Random(short_chars)
    short = text(rng, recorded_sentences, short_chars)
    long = text(rng, recorded_sentences, 1500) + "\n" + short + "\n" + text(rng, recorded_sentences, 1500)
    run = store.start_run(["zj", "pub"])
    pages = [page("zj", 1, "关于公布名单的通知", short), page("pub", 2, "转发：关于公布名单的通知", long)]
    for p in pages if short_first else reversed(pages):
        store.save_page(run, p)
    stories = {row["story_id"] for row in store.db.query("select story_id from notices")}
    assert len(stories) == 1


def test_a_new_version_replaces_the_keys_its_copies_are_found_under(store, recorded_sentences):
    rng = random.Random(7)
    first, second = text(rng, recorded_sentences, 2000), text(rng, recorded_sentences, 2000)
    run = store.start_run(["zj", "pub"])
    store.save_page(run, page("zj", 1, "关于开展申报工作的通知", first))
    store.save_page(run, page("zj", 1, "关于开展申报工作的通知", second))  # the bureau rewrote it
    notice_id = store.db.execute("select id from notices").fetchone()[0]
    rows = store.db.execute("select key from story_keys where notice_id = ? order by key", [notice_id]).fetchall()
    assert [k for (k,) in rows] == sorted(copykeys.kept_keys(second)[0])
    store.save_page(run, page("pub", 2, "旧稿", first))
    store.save_page(run, page("pub", 3, "新稿", "来源：浙江省经信厅\n" + second))
    story = dict(store.db.execute("select url, story_id from notices").fetchall())
    assert story["https://pub.example.cn/art/3.html"] == notice_id
    assert story["https://pub.example.cn/art/2.html"] != notice_id


def runs(text: str, size: int = copykeys.RUN) -> set[str]:
    key = loose_key(text)
    return {key[i : i + size] for i in range(len(key) - size + 1)}


def held_in_passages(first: str, second: str, size: int = 24) -> float:
    """Share of the shorter loose key in passages of ``size`` characters the other text holds too."""
    short, other = sorted((loose_key(first), loose_key(second)), key=len)
    theirs = runs(other, size)
    covered = set()
    for i in range(len(short) - size + 1):
        if short[i : i + size] in theirs:
            covered.update(range(i, i + size))
    return len(covered) / max(len(short), 1)


def one_by_one(store: Store, notice_id: int) -> list[tuple[int, int, str]]:
    """The earlier notices of other sites that the story rule matches, read one by one over the
    whole week (what the keys stand in for): (id, story, text), in the order they were stored."""
    me = store.db.execute("select site, body_normalized, province from notices where id = ?", [notice_id]).fetchone()
    mine = shingles(me[1])
    province = None if me[2] in NATIONAL else me[2]
    return [
        (other_id, story_id or other_id, body)
        for other_id, story_id, body, other_province in store.db.execute(
            "select id, story_id, body_normalized, province from notices where id < ? and site != ? order by id",
            [notice_id, me[0]],
        )
        if not (province and other_province not in NATIONAL and other_province != province)
        and containment(mine, shingles(body)) >= STORY_MIN_CONTAINMENT
    ]


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_stories_found_under_keys_are_those_reading_every_notice_finds(store, recorded_sentences, seed):
    """300 notices of three sites in one week: copies whole, with a preface, cut short, or holding a
    shorter notice, among unrelated notices built of the same recorded sentences. A notice joins a
    story only when the rule matches it with a notice of that story; a notice of which an earlier
    one holds the shorter text (80% in passages of 24 characters, as a copy does) always joins, the
    story the rule read one by one gives when its first match is such a one. Texts that only seem
    to match (80% of 3-grams, from pieces of formulaic sentences) may be told apart."""
    rng = random.Random(seed)
    run = store.start_run(["zj", "cx", "pub"])
    written: list[str] = []
    copies = 0
    for number in range(300):
        site_name = rng.choice(["zj", "cx", "pub"])
        roll = rng.random()
        if written and roll < 0.1:
            body = "转载：" + rng.choice(written)
        elif written and roll < 0.15:
            body = rng.choice(written)[: rng.randrange(100, 600)]
        elif written and roll < 0.2:
            body = text(rng, recorded_sentences, 800) + "\n" + rng.choice(written)
        else:
            body = text(rng, recorded_sentences, rng.choice([90, 200, 500, 1200, 3000]))
        copies += roll < 0.2 and bool(written)
        store.save_page(run, page(site_name, number, f"通知{number}", body))
        written.append(body)
    joined = seeming = 0
    for notice_id, story_id, body in store.db.execute("select id, story_id, body_normalized from notices order by id"):
        matches = one_by_one(store, notice_id)
        held = [m for m in matches if held_in_passages(body, m[2]) >= 0.8]
        if story_id != notice_id:
            assert story_id in {m[1] for m in matches}, notice_id
            joined += 1
        assert story_id != notice_id or not held, notice_id
        if matches and held and matches[0] == held[0]:
            assert story_id == matches[0][1], notice_id
        seeming += bool(matches) and story_id != matches[0][1]
    assert joined >= copies * 0.9 and seeming <= 10  # of 300
