"""What a notice is — a cluster list, another list, a call, a policy — with a list's stage, subject,
level and year, by the data-driven rules in ``kinds.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from crawler.extract.text import normalize_text

RULES_FILE = Path(__file__).with_name("kinds.toml")
ROSTER_KINDS = frozenset({"cluster_list", "list"})
_YEAR = re.compile(r"(20\d\d)\s*(?:年|—|-|－|～)")


@dataclass(frozen=True)
class NoticeKind:
    """``kind`` is cluster_list, list, call, policy or other; the rest is set for lists only."""

    kind: str
    stage: str | None = None  # draft (公示), final (公布/通告), review (复核)
    subject: str | None = None  # the list's programme, e.g. 专精特新中小企业
    level: str | None = None  # 国家级, 省级, 市级
    year: int | None = None

    @property
    def is_roster(self) -> bool:
        """True for cluster lists and other lists of recognised firms or collectives."""
        return self.kind in ROSTER_KINDS

    @property
    def is_cluster_list(self) -> bool:
        """True for a list of industrial clusters: a 特色产业集群 list, or another list of clusters
        (先进制造业集群 …)."""
        return self.kind == "cluster_list" or (self.is_roster and "集群" in (self.subject or ""))


@dataclass(frozen=True)
class _Rule:
    name: str
    title: re.Pattern
    not_title: re.Pattern | None
    issuer: re.Pattern | None

    def matches(self, title: str, issuer: str = "") -> bool:
        hit = bool(self.title.search(title)) or bool(self.issuer and issuer and self.issuer.search(issuer))
        return hit and not (self.not_title and self.not_title.search(title))


def _rules(table: list[dict], path: Path) -> tuple[_Rule, ...]:
    rules = []
    for i, row in enumerate(table):
        try:
            rules.append(
                _Rule(
                    row["name"],
                    re.compile(row.get("title", "")),
                    re.compile(row["not_title"]) if row.get("not_title") else None,
                    re.compile(row["issuer"]) if row.get("issuer") else None,
                )
            )
        except (KeyError, re.error) as error:
            raise ValueError(f"{path}: rule {i + 1} ({row.get('name')!r}): {error}") from error
    return tuple(rules)


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> dict[str, tuple[_Rule, ...]]:
    """The rule tables of a kinds file: kind, stage, subject, level (each tried in order)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return {table: _rules(data.get(table, []), path) for table in ("kind", "stage", "subject", "level")}


def _first(rules: tuple[_Rule, ...], title: str, issuer: str = "") -> str | None:
    return next((rule.name for rule in rules if rule.matches(title, issuer)), None)


def classify(title: str | None, issuer: str | None = None, rules_path: Path = RULES_FILE) -> NoticeKind:
    """The kind of a notice from its title (and, for a list's level, its issuer)."""
    text = normalize_text(title or "").replace(" ", "")
    rules = load_rules(rules_path)
    kind = _first(rules["kind"], text) or "other"
    if kind not in ROSTER_KINDS:
        return NoticeKind(kind)
    issuer_text = normalize_text(issuer or "")
    year = _YEAR.search(text)
    return NoticeKind(
        kind,
        stage=_first(rules["stage"], text),
        subject=_first(rules["subject"], text),
        level=_first(rules["level"], text, issuer_text),
        year=int(year.group(1)) if year else None,
    )
