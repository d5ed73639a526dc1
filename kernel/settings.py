"""Settings shared by every service: one BaseSettings subclass per service, passed into create_app()."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "changethis", "change-me", "dev", "dev-only-key", "secret"})


class ServiceSettings(BaseSettings):
    """Common fields and defaults; subclasses set `env_prefix` and `service_name`."""

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "service"
    environment: Literal["dev", "test", "production"] = "dev"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "INFO"

    database_url: str = ""
    # Statement timeout for PostgreSQL sessions (ms); guards the pool against runaway queries.
    pg_statement_timeout_ms: int = 30_000
    db_pool_size: int = 8

    # One URL, or the nodes of a cluster separated by commas (nats://nats-1:4222,nats://nats-2:4222,...).
    nats_url: str = "nats://127.0.0.1:4222"
    nats_connect_timeout: float = 10.0
    nats_user: str | None = None
    nats_password: str | None = None
    events_namespace: str = "cadre"
    type_prefix: str = "cadre"
    stream_max_age_days: int = 30
    stream_duplicate_window_s: float = 120.0
    stream_max_msg_size: int = 1024 * 1024
    # Copies of the service's stream on a NATS cluster (3 on a 3-node cluster: a node may fail); 1 on one server.
    stream_replicas: int = Field(default=1, ge=1, le=5)

    relay_poll_interval: float = 1.0
    relay_batch_size: int = 100
    relay_lease_s: float = 30.0
    relay_publish_timeout: float = 5.0
    outbox_retention_days: int = 7

    # Up to this many messages per fetch, applied in one transaction: a backlog (an import) goes 100 at a time,
    # a quiet stream's single message at once (the fetch returns what is there). At most consumer_max_ack_pending.
    consumer_fetch_batch: int = 100
    consumer_fetch_timeout: float = 2.0
    # After a batch smaller than a full fetch, a consumer fetches again only once this long has passed since that
    # fetch began: under load each transaction then applies several events instead of one or two (per-batch costs
    # are most of a consumer's CPU, docs/architecture.md §6.5). An event of a quiet stream is applied at once.
    consumer_linger_s: float = Field(0.05, ge=0, le=1)
    consumer_ack_wait_s: float = 30.0
    consumer_max_deliver: int = 10
    consumer_max_ack_pending: int = 256
    consumer_backoff_base_s: float = 1.0
    consumer_backoff_max_s: float = 300.0
    inbox_retention_days: int = 35

    # Read-your-writes (kernel.consistency): how long a request presenting X-Consistency-Token waits for this
    # service's consumers, how often it re-checks the inbox meanwhile (consumers of other replicas), the
    # Retry-After of the 503 answers, and the bound on asking the broker whether rank's consumer is behind.
    consistency_wait_s: float = Field(default=2.0, ge=0.0, le=30.0)
    # A write answer carrying a token is sent once its events are in the stream (at most this long; never while
    # the broker is away): a client acting on the answer then finds the event pending or applied everywhere.
    consistency_publish_wait_s: float = Field(default=0.5, ge=0.0, le=10.0)
    consistency_poll_s: float = Field(default=0.1, gt=0.0, le=5.0)
    consistency_retry_after_s: int = Field(default=1, ge=1, le=60)
    consistency_lag_check_timeout_s: float = Field(default=0.5, gt=0.0, le=5.0)

    # Authentication (docs/reliability.md S5): fixed algorithms, required claims, JWKS from a file or a URL.
    auth_issuer: str = "youwei-embedded"
    auth_audience: str = "youwei"
    auth_algorithms: list[str] = Field(default_factory=lambda: ["RS256"])
    auth_jwks_file: Path | None = None
    auth_jwks_url: str | None = None
    auth_leeway_s: int = 30
    auth_max_token_bytes: int = 8192
    # Longest lifetime (exp - iat) of an accepted token; `youwei token` mints 8 h by default.
    auth_max_token_lifetime_s: int = 12 * 3600

    max_body_bytes: int = 1024 * 1024
    # Plausible dates in request bodies (kernel.requests): none before the floor, none more than N years ahead.
    request_date_min: dt.date = dt.date(1900, 1, 1)
    request_date_max_years_ahead: int = 100
    cors_origins: list[str] = Field(default_factory=list)
    # Language of answers to a request without an acceptable Accept-Language (kernel/i18n.py): en, or zh-CN for
    # labelled answers and Chinese problems by default.
    default_language: Literal["en", "zh-CN"] = "en"
    calendar_file: Path | None = None

    @property
    def docs_enabled(self) -> bool:
        """Tells whether /docs and /openapi.json are served (dev and test only, docs/reliability.md S13)."""
        return self.environment != "production"

    def secret_fields(self) -> dict[str, str | None]:
        """Lists the secrets a subclass wants checked against placeholders."""
        return {}

    @model_validator(mode="after")
    def _defaults_and_secrets(self) -> ServiceSettings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///./var/{self.service_name}.db"
        if self.environment == "production":
            for name, value in self.secret_fields().items():
                if value is None or value.strip().lower() in PLACEHOLDER_SECRETS:
                    raise ValueError(f"{name} must be set to a real secret outside dev (got a placeholder)")
            if not (self.auth_jwks_file or self.auth_jwks_url):
                raise ValueError("auth_jwks_file or auth_jwks_url must be configured outside dev")
        return self
