"""Which services make up the suite, and their settings: the one place that names them (the kernel does not)."""

from __future__ import annotations

from importlib import import_module

SERVICES = ("rank", "appraisal", "petitions", "tolerance")


def settings_class(service: str) -> type:
    """Returns the settings class of a service (e.g. services.rank.settings.RankSettings)."""
    module = import_module(f"services.{service}.settings")
    return getattr(module, service.capitalize() + "Settings")
