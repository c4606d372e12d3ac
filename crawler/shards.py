"""Shards: the sites split into N parts by a stable hash of their politeness unit (the sites that
share a host stay together), so that N machines can each crawl one part into their own database."""

from __future__ import annotations

import hashlib
import re

import click

from crawler.site import Site

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` as ``(I, N)``: shard I (1-based) of N. A ``click.BadParameter`` that says what is
    wrong for anything else (``0/3``, ``4/3``, ``x``)."""
    match = _SHARD.fullmatch(text or "")
    if not match:
        raise click.BadParameter(f"{text!r} is not I/N (shard I of N, e.g. 2/3)", param_hint="--shard")
    index, count = int(match[1]), int(match[2])
    if count < 1:
        raise click.BadParameter(f"{text!r}: the number of shards N must be at least 1", param_hint="--shard")
    if not 1 <= index <= count:
        raise click.BadParameter(f"{text!r}: the shard I counts from 1 to N ({count})", param_hint="--shard")
    return index, count


def host_groups(sites: list[Site]) -> list[list[Site]]:
    """The sites in groups that share no host with another group: sites on one host (two columns of
    a ministry) are one politeness unit, since Scrapy's delays and robots.txt are per crawler."""
    groups: list[tuple[set[str], list[Site]]] = []
    for site in sites:
        hosts = set(site.hosts)
        joined = [g for g in groups if g[0] & hosts]
        merged = (hosts.union(*(g[0] for g in joined)), [s for g in joined for s in g[1]] + [site])
        groups = [g for g in groups if g not in joined] + [merged]
    return [members for _, members in groups]


def group_shard(group: list[Site], count: int) -> int:
    """The shard (1-based, of ``count``) of a politeness unit: sha256 of its sorted hosts, mod
    ``count``. The same on every machine and in every run, whatever order the sites come in."""
    hosts = sorted({host for site in group for host in site.hosts})
    digest = hashlib.sha256("\n".join(hosts).encode()).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def shard_sites(sites: list[Site], index: int, count: int) -> list[Site]:
    """The sites of shard ``index`` (1-based) of ``count``, in the order given: every site is in
    exactly one shard, and sites sharing a host are in the same one."""
    if not 1 <= index <= count:
        raise ValueError(f"shard {index} of {count}: I counts from 1 to N")
    chosen = {site.name for group in host_groups(sites) if group_shard(group, count) == index for site in group}
    return [site for site in sites if site.name in chosen]
