"""The README documents every command: each `crawler` command and subcommand has a row in its
command table listing its options; each command and option has `--help` text and an example (in
the command's help or the README), so a command or option added without documentation fails here."""

import re

import click
import pytest

from crawler.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BUILT_IN = ("help", "version")  # click's own options


def commands(command: click.Command = main, name: str = "crawler") -> dict[str, click.Command]:
    """Every command of the app by its full name, the app itself included."""
    found = {name: command}
    for sub_name, sub in sorted(getattr(command, "commands", {}).items()):
        found.update(commands(sub, f"{name} {sub_name}"))
    return found


COMMANDS = commands()


def options(command: click.Command) -> list[click.Option]:
    return [p for p in command.params if isinstance(p, click.Option) and p.name not in BUILT_IN]


def invoked(words: list[str]) -> dict[str, set[str]]:
    """The words after `crawler` on a command line: each command they pass through, with the
    options given to it."""
    command, name = main, "crawler"
    given = {name: set()}
    for word in words:
        sub = getattr(command, "commands", {}).get(word)
        if sub is not None:
            command, name = sub, f"{name} {word}"
            given[name] = set()
        elif word.startswith("-"):
            given[name].add(word.strip("[]").split("=")[0])
    return given


def command_lines(text: str) -> list[dict[str, set[str]]]:
    """Every `crawler …` command line in ``text`` (a shell line, continued with ``\\``, or a code
    span), as :func:`invoked` reads it."""
    return [
        invoked(match[1].split())
        for line in re.sub(r"\\\n\s*", " ", text).splitlines()
        for match in re.finditer(r"\bcrawler((?: +[^\s`|]+)*)", line)
    ]


def table_rows() -> list[tuple[str, list[str]]]:
    """README's command table: each row's command and the options in its options column."""
    rows = []
    for line in README.splitlines():
        if match := re.match(r"\| `crawler([^`]*)`", line):
            cells = line.split("|")
            assert len(cells) == 5, f"a command row has three columns: {line}"
            rows.append((list(invoked(match[1].split()))[-1], re.findall(r"`(--?[a-z][a-z-]*)", cells[3])))
    return rows


def examples(name: str) -> list[dict[str, set[str]]]:
    """Command lines that can show how ``name`` is used: the Example block of its help, and every
    README line outside the command table."""
    help_text = COMMANDS[name].help or ""
    block = help_text[help_text.find("Example") :] if "Example" in help_text else ""
    prose = "\n".join(line for line in README.splitlines() if not line.startswith("|"))
    return command_lines(block) + command_lines(prose)


def test_every_command_has_a_row_in_the_readme_command_table():
    documented = {name for name, _ in table_rows()}
    missing = [name for name in COMMANDS if name not in documented]
    assert not missing, f"README's command table has no row for {missing}"
    assert "crawler sites detect" in documented and "crawler run" in documented


def test_every_option_of_a_command_is_in_its_readme_row_and_every_listed_option_exists():
    listed = {name: set() for name in COMMANDS}
    for name, opts in table_rows():
        listed[name].update(opts)
    for name, command in COMMANDS.items():
        known = {opt for option in options(command) for opt in option.opts}
        assert listed[name] <= known, f"README lists options {listed[name] - known} that `{name}` does not have"
        missing = [option.opts[0] for option in options(command) if not set(option.opts) & listed[name]]
        assert not missing, f"README's row for `{name}` does not list {missing}"


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_command_and_option_has_help_text_and_an_example(name):
    command = COMMANDS[name]
    assert (command.help or "").strip(), f"`{name}` has no --help text"
    if name != "crawler":  # the app's own help is a quick start over its commands' examples
        assert re.search(r"^\s*Example", command.help, re.MULTILINE), f"`{name} --help` has no Example block"
    lines = examples(name)
    assert any(name in line for line in lines), f"no example of `{name}` in its help or the README"
    for option in options(command):
        assert (option.help or "").strip(), f"`{name} {option.opts[0]}` has no --help text"
        assert any(set(option.opts) & line.get(name, set()) for line in lines), (
            f"no example of `{name} {option.opts[0]}` in its help or the README"
        )
