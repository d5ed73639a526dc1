"""Settings of the tolerance service (environment prefix TOLERANCE_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class ToleranceSettings(ServiceSettings):
    """Tolerance service settings."""

    model_config = SettingsConfigDict(env_prefix="TOLERANCE_", env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "tolerance"
    port: int = 8003
