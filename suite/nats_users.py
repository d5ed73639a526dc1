"""Who may do what on NATS: one user per service, the gateway, and the read-only `subscriber` of other departments.

The same users serve both deployments: the launcher renders them with generated passwords into the embedded
server's config (passwords kept in var/keys/nats-<user>.password, 0600), and deploy/nats.conf holds the same
block with `$NATS_<USER>_PASSWORD` references (`python -m suite.nats_users` prints it; a test keeps the file in step).

The subscriber (docs/subscribers.md) reads through durable pull consumers of its own only:
* feeds: every event of rank, appraisal and tolerance; of petitions only the closed outcomes, executed
  clarifications and decided appeals (PETITIONS_PUBLIC). Accepted reports, opened cases, general petitions,
  confirmed false accusations (they name the accuser) and deadline reminders stay inside the suite.
* durable names `dept_<department>__<feed>`, one per department and feed. NATS wildcards match whole tokens only
  (`dept_*` would be a literal name), so the permissions list every allowed name: a department is added to
  DEFAULT_DEPARTMENTS (or $YOUWEI_SUBSCRIBER_DEPARTMENTS in embedded mode).
* a consumer may be created only with the feed's filter in the subject
  (`$JS.API.CONSUMER.CREATE.<stream>.<durable>.<filter>`; the server refuses a body whose filter differs), so a
  department cannot widen a feed to petitions subjects it is not entitled to, nor touch a service's durable.
* replies come to its own inbox prefix (SUBSCRIBER_INBOX), never `_INBOX.>`, where the services' consumers receive
  their messages; it may publish no event subject.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kernel.embedded import NatsUser, render_authorization
from kernel.keys import write_secret
from kernel.subjects import PRODUCERS, rate_limit_bucket, stream_name

GATEWAY = "gateway"
SUBSCRIBER = "subscriber"
SUBSCRIBER_INBOX = "_INBOX_subscriber"
DURABLE_PREFIX = "dept_"
DEFAULT_DEPARTMENTS = ("discipline", "hr")
DEPARTMENTS_VARIABLE = "YOUWEI_SUBSCRIBER_DEPARTMENTS"
# The petitions events another department may read: outcomes, not accusations (docs/petitions.md, Events).
PETITIONS_PUBLIC = ("report_closed", "clarification_executed", "appeal_decided")
SERVICE_USERS = (*PRODUCERS, GATEWAY)
_DEPARTMENT = re.compile(r"^[a-z][a-z0-9]*$")


@dataclass(frozen=True)
class Feed:
    """What one subscriber consumer reads: a stream and the filter subject its consumer must carry."""

    name: str
    stream: str
    filter_subject: str

    def durable(self, department: str) -> str:
        """The durable consumer name of a department on this feed."""
        return f"{DURABLE_PREFIX}{department}__{self.name}"


def public_feeds(namespace: str = "cadre") -> list[Feed]:
    """The feeds the subscriber may read: whole streams, and one feed per public petitions event (every major)."""
    feeds = [Feed(p, stream_name(namespace, p), f"{namespace}.{p}.>") for p in PRODUCERS if p != "petitions"]
    feeds += [
        Feed(f"petitions_{event}", stream_name(namespace, "petitions"), f"{namespace}.petitions.{event}.*")
        for event in PETITIONS_PUBLIC
    ]
    return feeds


def departments_from_env() -> tuple[str, ...]:
    """The departments of $YOUWEI_SUBSCRIBER_DEPARTMENTS (comma-separated), else DEFAULT_DEPARTMENTS."""
    raw = os.environ.get(DEPARTMENTS_VARIABLE, "")
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip())) or DEFAULT_DEPARTMENTS
    bad = [n for n in names if not _DEPARTMENT.match(n)]
    if bad:
        raise ValueError(f"{DEPARTMENTS_VARIABLE}: department names are lowercase letters and digits: {bad}")
    return names


def service_user(name: str, password: str, namespace: str = "cadre") -> NatsUser:
    """A service publishes its own events and uses the JetStream API; the gateway publishes no event, only its
    rate-limit counters (a key-value bucket: `$KV.<bucket>.<key>`)."""
    own = (f"{namespace}.{name}.>",) if name in PRODUCERS else ()
    if name == GATEWAY:
        own = (f"$KV.{rate_limit_bucket(namespace)}.>",)
    return NatsUser(
        name, password, publish=(*own, "$JS.API.>", "$JS.ACK.>", "$JS.FC.>", "_INBOX.>"), subscribe=("_INBOX.>",)
    )


def subscriber_user(
    password: str, departments: Sequence[str] = DEFAULT_DEPARTMENTS, namespace: str = "cadre"
) -> NatsUser:
    """The read-only subscriber: its own durables on the public feeds, nothing else."""
    allow = ["$JS.API.INFO"]
    for department in departments:
        for feed in public_feeds(namespace):
            durable = feed.durable(department)
            allow += [
                f"$JS.API.CONSUMER.CREATE.{feed.stream}.{durable}.{feed.filter_subject}",
                f"$JS.API.CONSUMER.INFO.{feed.stream}.{durable}",
                f"$JS.API.CONSUMER.DELETE.{feed.stream}.{durable}",
                f"$JS.API.CONSUMER.MSG.NEXT.{feed.stream}.{durable}",
                f"$JS.ACK.{feed.stream}.{durable}.>",
            ]
    return NatsUser(
        SUBSCRIBER,
        password,
        publish=tuple(allow),
        subscribe=(f"{SUBSCRIBER_INBOX}.>",),
        publish_deny=(f"{namespace}.>",),
    )


def users(
    passwords: dict[str, str], departments: Sequence[str] = DEFAULT_DEPARTMENTS, namespace: str = "cadre"
) -> list[NatsUser]:
    """Every user, services first, with the given passwords (one per name in SERVICE_USERS and SUBSCRIBER)."""
    return [
        *(service_user(name, passwords[name], namespace) for name in SERVICE_USERS),
        subscriber_user(passwords[SUBSCRIBER], departments, namespace),
    ]


def password_path(key_dir: Path, user: str) -> Path:
    """Where the embedded mode keeps a user's password."""
    return key_dir / f"nats-{user}.password"


def load_or_generate_passwords(key_dir: Path) -> dict[str, str]:
    """Each user's password from var/keys, generated (0600) for a user that has none yet (a var/ of an earlier
    version included)."""
    out = {}
    for user in (*SERVICE_USERS, SUBSCRIBER):
        path = password_path(key_dir, user)
        if not path.exists() or not path.read_text(encoding="utf-8").strip():
            write_secret(path, secrets.token_urlsafe(24).encode())
        path.chmod(0o600)
        out[user] = path.read_text(encoding="utf-8").strip()
    return out


def compose_authorization(departments: Sequence[str] = DEFAULT_DEPARTMENTS) -> str:
    """The authorization block of deploy/nats.conf: passwords from $NATS_<USER>_PASSWORD."""
    references = {user: f"$NATS_{user.upper()}_PASSWORD" for user in (*SERVICE_USERS, SUBSCRIBER)}
    return render_authorization(users(references, departments))


def main(argv: Sequence[str] | None = None) -> int:
    """Prints deploy/nats.conf's authorization block (for more departments: --department, repeatable)."""
    parser = argparse.ArgumentParser(prog="python -m suite.nats_users", description=main.__doc__)
    parser.add_argument("--department", action="append", help="a department allowed durables (repeatable)")
    args = parser.parse_args(argv)
    print(compose_authorization(tuple(args.department or DEFAULT_DEPARTMENTS)), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
