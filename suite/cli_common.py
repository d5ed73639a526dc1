"""What several `youwei` commands share: the data folder, each service's database, NATS address and credentials."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from suite.cli_args import CliError

NATS_PASSWORD_VARIABLE = "YOUWEI_NATS_PASSWORD"
EMBEDDED_NATS_USER = "rank"  # the service user whose password var/keys holds, used by topology, status, events tail


def var_dir(args: argparse.Namespace) -> Path:
    """The data folder: --var, $YOUWEI_VAR, else ./var."""
    return Path(getattr(args, "var", None) or os.environ.get("YOUWEI_VAR", "var"))


def database_url(service: str, var: Path) -> str | None:
    """A service's database: <SERVICE>_DATABASE_URL (environment or .env), else embedded mode's var/<service>.db
    when it exists; None when there is neither (nothing is created)."""
    from suite.composition import settings_class

    url = settings_class(service)().database_url
    if url and url != f"sqlite+aiosqlite:///./var/{service}.db":  # the settings' own default is var/ of the cwd
        return url
    path = var / f"{service}.db"
    return f"sqlite+aiosqlite:///{path.resolve()}" if path.is_file() else None


def no_database(service: str, var: Path) -> str:
    """Says that a service has no database and what to do."""
    return (
        f"no database for {service}: set {service.upper()}_DATABASE_URL, or start the suite once with "
        f"`youwei up` (it creates {var / f'{service}.db'})"
    )


def redact(url: str) -> str:
    """A database URL without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def open_database(service: str, url: str) -> tuple[Any, Any]:
    """The service's engines and kernel tables (outbox, dead_letter, …); nothing connects until first use."""
    from kernel.db import make_database, sqlite_path

    path = sqlite_path(url) if url.startswith("sqlite") else None
    if path is not None and not path.is_file():
        raise CliError(f"no database file {path} for {service}")  # connecting would create an empty one
    orm = __import__(f"services.{service}.adapters.orm", fromlist=["kernel_tables"])
    return make_database(url), orm.kernel_tables


@dataclass(frozen=True)
class NatsTarget:
    """Where and as whom to connect to NATS."""

    url: str
    user: str | None
    password: str | None
    embedded: bool
    credentials: str  # how the user was chosen, for messages

    def options(self) -> dict[str, Any]:
        """Keyword arguments of nats.connect (fail fast: a CLI reports, it does not wait for a server)."""
        extra = {"user": self.user, "password": self.password} if self.user else {}
        return {
            "servers": [self.url],
            "connect_timeout": 3,
            "allow_reconnect": False,
            "max_reconnect_attempts": 1,
            "reconnect_time_wait": 0.2,
            **extra,
        }


def nats_target(args: argparse.Namespace) -> NatsTarget:
    """--nats-url, $YOUWEI_NATS_URL, else the embedded server (var/nats.port, else 127.0.0.1:4222). The user:
    --user with the password from --password-file or $YOUWEI_NATS_PASSWORD; else, when var/keys holds it,
    the embedded rank service's user (it may use the JetStream API); else none."""
    from suite import nats_users

    var = var_dir(args)
    url = getattr(args, "nats_url", None) or os.environ.get("YOUWEI_NATS_URL")
    embedded = url is None
    if url is None:
        port_file = var / "nats.port"
        port = port_file.read_text(encoding="utf-8").strip() if port_file.is_file() else "4222"
        url = f"nats://127.0.0.1:{port}"
    user = getattr(args, "user", None)
    password_file = getattr(args, "password_file", None)
    if user:
        if password_file is not None:
            password = _read_secret(password_file)
            how = f"user {user}, password from {password_file}"
        else:
            password = os.environ.get(NATS_PASSWORD_VARIABLE)
            how = f"user {user}, password from ${NATS_PASSWORD_VARIABLE}" if password else f"user {user}, no password"
        return NatsTarget(url, user, password, embedded, how)
    stored = nats_users.password_path(var / "keys", EMBEDDED_NATS_USER)
    if stored.is_file():
        return NatsTarget(
            url,
            EMBEDDED_NATS_USER,
            _read_secret(stored),
            embedded,
            f"user {EMBEDDED_NATS_USER}, password from {stored}",
        )
    return NatsTarget(url, None, None, embedded, "no user")


def _read_secret(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CliError(f"cannot read the NATS password in {path}: {exc.strerror or exc}") from None


def describe_nats_error(exc: BaseException, target: NatsTarget) -> str:
    """One line about a failed connection to NATS and what to do."""
    text = str(exc) or type(exc).__name__
    if "authorization" in text.lower():
        return (
            f"NATS at {target.url} refused {target.credentials}: {text}; give --user and the password "
            f"($YOUWEI_NATS_PASSWORD or --password-file)"
        )
    hint = "is the suite running? (`youwei up` starts it)" if target.embedded else "check --nats-url"
    return f"cannot reach NATS at {target.url} ({text}); {hint}"


async def connect_nats(target: NatsTarget) -> Any:
    """Connects or raises CliError with one clear line."""
    import nats

    errors: list[BaseException] = []

    async def record(exc: BaseException) -> None:
        errors.append(exc)

    try:
        return await nats.connect(**target.options(), error_cb=record)
    except Exception as exc:  # noqa: BLE001 - NoServersError hides the cause, kept by error_cb
        cause = next((e for e in errors if "authorization" in str(e).lower()), errors[0] if errors else exc)
        raise CliError(describe_nats_error(cause, target)) from exc
