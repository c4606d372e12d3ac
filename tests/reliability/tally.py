"""The reliability tally: every fault and crash test adds what it injected and what came of it;
the root conftest prints the table at the end of the test session (``make reliability``, ``make
test``), adding up the figures of every pytest-xdist worker."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Row:
    """One suite's figures; every test asserts its losses, false versions and events are zero."""

    faults_injected: int = 0
    kills: int = 0
    survived: int = 0
    notices_lost: int = 0
    false_versions: int = 0
    false_events: int = 0
    duplicate_deliveries: int = 0


class Tally:
    """Figures per suite (a test module's short name), added up over its tests."""

    def __init__(self):
        self.rows: dict[str, Row] = {}

    def add(self, suite: str, **figures: int) -> None:
        row = self.rows.setdefault(suite, Row())
        for name, value in figures.items():
            setattr(row, name, getattr(row, name) + value)

    def table(self) -> list[str]:
        names = [f.name for f in fields(Row)]
        total = Row(**{n: sum(getattr(r, n) for r in self.rows.values()) for n in names})
        widths = [max(len("suite"), *(len(s) for s in self.rows), len("total"))] + [len(n) for n in names]

        def line(cells):
            return "  ".join(str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))

        return [
            line(["suite", *names]),
            *(line([s, *(getattr(r, n) for n in names)]) for s, r in sorted(self.rows.items())),
            line(["total", *(getattr(total, n) for n in names)]),
        ]


TALLY = Tally()
