"""The README documents every command: each `crawler` command and subcommand has a row in its
command table, so a command added without documentation fails here."""

import re

import click

from crawler.cli import main
from tests.conftest import ROOT


def commands(group: click.Group, prefix: str = "crawler") -> list[str]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{prefix} {name}"))
    return found


def test_every_command_has_a_row_in_the_readme_command_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = [line.split("|")[1] for line in readme.splitlines() if re.match(r"\| `crawler ", line)]
    documented = {re.match(r"\s*`(crawler(?: [a-z]+)+)", row)[1] for row in rows}
    missing = [name for name in commands(main) if name not in documented]
    assert not missing, f"README's command table has no row for {missing}"
    assert "crawler sites detect" in documented and "crawler run" in documented
