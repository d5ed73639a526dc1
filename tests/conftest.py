"""Test configuration: the shared fixtures come from kernel.testing.plugin (see pyproject addopts)."""

from hypothesis import settings

# No per-example time limit: speed is measured by bench/, and Hypothesis's default 200 ms deadline turned a property
# test red when CI's two cores were busy (tests/kernel/unit/test_consistency.py, DeadlineExceeded).
settings.register_profile("youwei", deadline=None)
settings.load_profile("youwei")
