"""Settings of the gateway (environment prefix GATEWAY_): upstream URLs, timeouts, limits and the event feed."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings

UPSTREAMS = ("rank", "appraisal", "petitions", "tolerance")


class GatewaySettings(ServiceSettings):
    """Gateway settings; the gateway owns no database (database_url is unused)."""

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", env_file=".env", env_ignore_empty=True, extra="ignore")

    service_name: str = "gateway"
    port: int = 8000

    # Each may list several replicas of the service, comma-separated: the gateway balances over the healthy ones.
    rank_url: str = "http://127.0.0.1:8004"
    appraisal_url: str = "http://127.0.0.1:8001"
    petitions_url: str = "http://127.0.0.1:8002"
    tolerance_url: str = "http://127.0.0.1:8003"

    # Upstream HTTP client: "aiohttp" (the default, fastest) or "httpx" (httpx's own transport; for comparison).
    upstream_client: Literal["aiohttp", "httpx"] = "aiohttp"
    upstream_connect_timeout: float = 2.0
    upstream_timeout: float = 5.0
    # Extra attempts for idempotent calls (GET/HEAD, or any call carrying an Idempotency-Key) that failed to connect
    # or timed out; the whole call stays within upstream_timeout * (1 + retries).
    upstream_retries: int = 1
    upstream_pool_size: int = 100
    # With several replicas of a service: how often each replica's /health/ready is probed (0: never; calls still
    # mark a replica down when they cannot reach it) and how long a probe may take.
    upstream_probe_interval_s: float = Field(default=2.0, ge=0)
    upstream_probe_timeout_s: float = Field(default=1.0, gt=0)
    upstream_max_response_bytes: int = 16 * 1024 * 1024

    # The dossier and dashboards fan out with this timeout per part; a part that misses it is listed as degraded.
    part_timeout: float = 2.0
    # A dossier read presenting X-Consistency-Token gives each part this much longer: the services may wait up to
    # their own consistency_wait_s (2 s by default) for the events the token names (docs/DEVELOPING.md).
    consistency_wait_s: float = 2.0

    # Per-client rate limits (sliding window of 60 s). Clients are keyed by token subject, anonymous ones by address.
    rate_limit_per_minute: int = 1200
    rate_limit_dossier_per_minute: int = 240
    rate_limit_public_per_minute: int = 30
    rate_limit_enabled: bool = True
    # Counted for every gateway replica together, in a NATS key-value bucket (fixed windows of 60 s); while NATS is
    # unreachable or slower than the timeout, or when off, each process counts its own hits (sliding window).
    rate_limit_shared: bool = True
    rate_limit_shared_timeout_s: float = Field(default=0.25, gt=0)
    # Peers in front of the gateway (a TLS terminator) whose X-Forwarded-For names the client (addresses or networks).
    # Empty: the peer is the client, and a client's own X-Forwarded-For is ignored. Either way the gateway sends
    # upstream the one address it settled on, never the chain it was given.
    trusted_proxies: list[str] = Field(default_factory=list)

    # Live event feed (SSE): how many feed connections the process serves at once, in total and per subject.
    feed_enabled: bool = True
    feed_max_connections: int = 100
    feed_max_per_subject: int = 3
    feed_heartbeat_s: float = 15.0
    feed_batch: int = 50
    # A feed connection ends after this long (or when its token expires); the client resumes with Last-Event-ID.
    feed_max_duration_s: float = 3600.0

    # Exports (.xlsx, PDF; docs/gateway.md, Exports): a roster of more cadres than this answers 413 (never a
    # partial roster); the per-cadre calls run this many at a time; a listing stops after this many pages (413).
    export_roster_max_cadres: int = Field(default=20_000, ge=1)
    export_concurrency: int = Field(default=8, ge=1, le=64)
    export_max_pages: int = Field(default=2_000, ge=1)
    # PDF output: page compression (off only to read the text in tests) and reportlab's invariant mode
    # (byte-identical output for the same input: no creation date or random document id).
    export_pdf_compress: bool = True
    export_pdf_invariant: bool = False

    # How long the merged OpenAPI document is kept before the services' documents are fetched again (dev/test).
    openapi_cache_s: float = 60.0

    # Import jobs (POST /api/v1/imports, docs/gateway.md): their state, uploads and reports live under imports_dir.
    imports_dir: Path = Path("var/imports")
    import_max_bytes: int = 20 * 1024 * 1024
    # Jobs carried out at once by this process (the others wait, QUEUED); rows each job writes at a time.
    import_max_running: int = Field(default=1, ge=1)
    import_parallel: int = Field(default=8, ge=1)
    # Rows of one kind per chunk: the job's progress is saved after each chunk, and a restart resumes at the next.
    import_chunk_rows: int = Field(default=500, ge=1)
    # A stopping gateway lets a running job finish its chunk for this long, then cuts it short.
    import_stop_grace_s: float = 20.0

    @field_validator("rank_url", "appraisal_url", "petitions_url", "tolerance_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        urls = [part.strip().rstrip("/") for part in value.split(",") if part.strip()]
        if not urls:
            raise ValueError("an upstream URL is required")
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError("an upstream URL must start with http:// or https://")
        if len(set(urls)) != len(urls):
            raise ValueError("an upstream URL is listed twice")
        return ",".join(urls)

    def upstream_urls(self) -> dict[str, str]:
        """Returns the base URL of each upstream service (its replicas' URLs, comma-separated, when several)."""
        return {name: getattr(self, f"{name}_url") for name in UPSTREAMS}

    def upstream_replicas(self) -> dict[str, list[str]]:
        """Returns the base URL of each replica of each upstream service."""
        return {name: value.split(",") for name, value in self.upstream_urls().items()}
