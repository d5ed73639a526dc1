"""Settings of the rank service (environment prefix RANK_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class RankSettings(ServiceSettings):
    """Rank service settings."""

    model_config = SettingsConfigDict(env_prefix="RANK_", env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "rank"
    port: int = 8004
