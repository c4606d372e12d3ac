"""The fault and crash suites' shared fixture: the session's reliability tally."""

from __future__ import annotations

import pytest

from tests.reliability.tally import TALLY, Tally


@pytest.fixture(scope="session")
def tally() -> Tally:
    """The session's reliability tally: ``tally.add("faults", faults_injected=12, survived=12)``."""
    return TALLY
