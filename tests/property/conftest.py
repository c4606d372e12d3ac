"""Hypothesis settings for the property suite: deterministic, bounded, no example database."""

import os

from hypothesis import HealthCheck, settings

# Derandomized and without a database, so CI and a laptop run the same examples every time;
# `HYPOTHESIS_PROFILE=explore` (more examples, random) is for hunting bugs by hand.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore", deadline=None, max_examples=2000, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
