"""Settings of the petitions service (environment prefix PETITIONS_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class PetitionsSettings(ServiceSettings):
    """Petitions service settings."""

    model_config = SettingsConfigDict(env_prefix="PETITIONS_", env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "petitions"
    port: int = 8002
