"""Test configuration: the shared fixtures come from kernel.testing.plugin (see pyproject addopts)."""
