"""Settings of the petitions service (environment prefix PETITIONS_)."""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import logging
import os
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from kernel.settings import PLACEHOLDER_SECRETS, ServiceSettings
from services.petitions.domain.rules import appeals as appeal_rules
from services.petitions.domain.rules import deadlines as deadline_rules

# The public development constant: anyone with the source opens what it seals. Refused unless the environment is
# dev and PETITIONS_ALLOW_DEV_VAULT_KEY=true; `youwei up` generates a random key under var/keys instead.
DEV_VAULT_KEY = "dev-only-key"
GENERATE_HINT = 'python -c "import os,base64;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'

logger = logging.getLogger("youwei.petitions.vault")


class VaultKeyError(RuntimeError):
    """The vault key is missing or is the public development constant where that is not allowed."""


def decode_key(value: str) -> bytes:
    """Decodes a 32-byte key given as (url-safe) base64."""
    padded = value.strip() + "=" * (-len(value.strip()) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (ValueError, TypeError):
        raise ValueError("the vault key must be base64 of 32 random bytes") from None
    if len(raw) != 32:
        raise ValueError("the vault key must be base64 of 32 random bytes")
    return raw


class PetitionsSettings(ServiceSettings):
    """Petitions service settings."""

    model_config = SettingsConfigDict(env_prefix="PETITIONS_", env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "petitions"
    port: int = 8002

    # Reporter confidentiality (docs/rules.md §2.5): AES-256-GCM key of the reporter vault and of report texts, as
    # base64 of 32 random bytes (`python -c "import os,base64;print(base64.urlsafe_b64encode(os.urandom(32)).decode())"`).
    # Old keys stay listed while rows sealed with them remain (rotation: `python -m services.petitions.rotate`).
    # Unset: refused in dev and production; the test environment gets a random key per process.
    vault_key: str | None = None
    vault_previous_keys: list[str] = Field(default_factory=list)
    # Dev only, explicit: use the public development constant (a loud warning at start). Never in test or production.
    allow_dev_vault_key: bool = False
    # Anonymous receipt codes: scrypt cost (N) of the stored hash; 2**14 is ~16 MiB and tens of ms per check.
    receipt_scrypt_n: int = 2**14
    # Public endpoints (GlobaLeaks A15: reports 10/h per address, blocked): per client address and hour.
    public_intake_per_hour: int = 10
    public_followup_per_hour: int = 20
    # Peers whose X-Forwarded-For names the client (the gateway): addresses or networks; everyone else is the client.
    trusted_proxies: list[str] = Field(default_factory=list)
    # S11: reporter identity and receipt codes are purged this many days after a report's closure [D].
    reporter_retention_days: int = 730
    # Reminders go out this many working days before a deadline [D].
    deadline_reminder_working_days: int = 3
    # Periods of [R]/[D] deadline rows ({"INQUIRY_REPLY": "15WD"}) and appeal stages
    # ({"ACCOUNTABILITY/APPEAL": {"filing": "15D", "decision": "30D"}}); statutory rows are refused.
    deadline_overrides: dict[str, str] = Field(default_factory=dict)
    appeal_overrides: dict[str, dict[str, str | None]] = Field(default_factory=dict)
    # docs/rules.md §2.6: the level that must approve a 诬告陷害 finding (Sichuan: 市(州) or higher) [S]; per deployment.
    false_accusation_approval_tier: Literal["CITY", "COUNTY", "TOWNSHIP"] = "CITY"
    # Repeat detection [D]: similarity of facts about the same accused, and unfounded reports per reporter.
    repeat_similarity_threshold: float = Field(default=0.6, ge=0.05, le=1.0)
    repeat_candidates: int = Field(default=200, ge=1, le=5000)
    unfounded_reporter_threshold: int = Field(default=3, ge=2)
    # The deadline sweep and the retention purge (off for benchmarks that time them separately).
    periodic_jobs: bool = True
    deadline_sweep_interval_s: float = 300.0
    retention_sweep_interval_s: float = 3600.0
    sweep_batch_size: int = 500

    def secret_fields(self) -> dict[str, str | None]:
        """The vault key must be a real secret outside dev."""
        return {"vault_key": self.vault_key}

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses_or_networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            ipaddress.ip_network(entry.strip(), strict=False)  # ValueError names the entry
        return value

    @field_validator("deadline_overrides")
    @classmethod
    def _deadlines_configurable(cls, value: dict[str, str]) -> dict[str, str]:
        deadline_rules.resolve(value)
        return value

    @field_validator("appeal_overrides")
    @classmethod
    def _appeals_configurable(cls, value: dict[str, dict[str, str | None]]) -> dict[str, dict[str, str | None]]:
        appeal_rules.resolve(value)
        return value

    @model_validator(mode="after")
    def _vault_keys(self) -> PetitionsSettings:
        if self.vault_key and self.vault_key.strip().lower() not in PLACEHOLDER_SECRETS:
            decode_key(self.vault_key)
        if self.allow_dev_vault_key and self.environment != "dev":
            raise ValueError("allow_dev_vault_key is only allowed in the dev environment")
        for key in self.vault_previous_keys:
            decode_key(key)
        if self.receipt_scrypt_n < 2**10 or self.receipt_scrypt_n & (self.receipt_scrypt_n - 1):
            raise ValueError("receipt_scrypt_n must be a power of two >= 1024")
        return self

    _ephemeral_key: bytes | None = PrivateAttr(default=None)

    def vault_keys(self) -> list[bytes]:
        """Returns the current key first, then the previous ones; raises VaultKeyError for a refused key.

        The public development constant (or any placeholder) is used only in dev with allow_dev_vault_key; an unset
        key is refused except in the test environment, which gets a random key that lives as long as this object.
        """
        return [self._current_key(), *(decode_key(k) for k in self.vault_previous_keys)]

    def _current_key(self) -> bytes:
        key = (self.vault_key or "").strip()
        if key and key.lower() not in PLACEHOLDER_SECRETS:
            return decode_key(key)
        if self.environment == "dev" and self.allow_dev_vault_key:
            logger.warning(
                "!!! PETITIONS VAULT USES THE PUBLIC DEVELOPMENT KEY: every reporter identity and report "
                "text sealed now can be read by anyone with the source code. Never use this with real "
                "data; set PETITIONS_VAULT_KEY (`youwei up` generates one under var/keys). !!!"
            )
            return hashlib.sha256(b"youwei-petitions-dev-vault:" + (key or DEV_VAULT_KEY).encode()).digest()
        if not key and self.environment == "test":
            if self._ephemeral_key is None:
                self._ephemeral_key = os.urandom(32)
            return self._ephemeral_key
        what = "is not set" if not key else "is the public development constant (a placeholder)"
        raise VaultKeyError(
            f"PETITIONS_VAULT_KEY {what}; the petitions service refuses to start (environment "
            f"{self.environment!r}). Set it to base64 of 32 random bytes ({GENERATE_HINT}); `youwei up` generates "
            "one under var/keys. Only for throwaway data in dev: PETITIONS_ALLOW_DEV_VAULT_KEY=true."
        )
