"""Settings of the appraisal service (environment prefix APPRAISAL_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class AppraisalSettings(ServiceSettings):
    """Appraisal service settings."""

    model_config = SettingsConfigDict(env_prefix="APPRAISAL_", env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "appraisal"
    port: int = 8001
