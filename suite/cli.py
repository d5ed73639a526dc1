"""The `youwei` command: up, status, migrate, token, topology, outbox replay, dead letters, vault key rotation."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

from kernel.migrations import SERVICES


def _var(args: argparse.Namespace) -> Path:
    return Path(args.var or os.environ.get("YOUWEI_VAR", "var"))


def cmd_up(args: argparse.Namespace) -> int:
    """Starts nats-server, migrates, and runs the four services and the gateway."""
    from suite.launcher import run

    return run(_var(args), nats_url=args.nats_url or os.environ.get("YOUWEI_NATS_URL"))


def _suite_pid(var: Path) -> int | None:
    """The pid of the launcher running on var/ (its lock file names it), None when none runs."""
    try:
        pid = int((var / ".lock").read_text(encoding="utf-8").strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def cmd_status(args: argparse.Namespace) -> int:
    """Prints whether the suite runs, the NATS address, and how another department subscribes (docs/subscribers.md)."""
    from kernel.asyncapi import nats_address_of
    from suite import nats_users

    var = _var(args)
    pid = _suite_pid(var)
    print(f"data       {var.resolve()}")
    print(f"suite      {f'running (launcher pid {pid})' if pid else 'not running (start it with `youwei up`)'}")
    external = os.environ.get("YOUWEI_NATS_URL")
    address = nats_address_of(var)
    if external:
        print(f"nats       {external} ($YOUWEI_NATS_URL: not the embedded server; its users are its own)")
    elif address:
        print(f"nats       nats://{address} (embedded; port kept in {(var / 'nats.port').resolve()})")
    else:
        print("nats       not chosen yet: the first `youwei up` takes 4222, or a free port when 4222 is busy")
    password = nats_users.password_path(var / "keys", nats_users.SUBSCRIBER).resolve()
    kept = "" if password.exists() else " (written by the next `youwei up`)"
    departments = nats_users.departments_from_env()
    print(f"subscriber user {nats_users.SUBSCRIBER}, password in {password}{kept}")
    print(f"           durables dept_<department>__<feed> for departments {', '.join(departments)} "
          f"(${nats_users.DEPARTMENTS_VARIABLE})")
    print("           feeds " + ", ".join(f"{f.name} ({f.filter_subject})" for f in nats_users.public_feeds()))
    url = external or f"nats://{address or '127.0.0.1:4222'}"
    print(f"example    python examples/subscriber/subscriber.py --url {url} --password-file {password} "
          f"--department {departments[0]}")
    print(f"AsyncAPI   python -m kernel.asyncapi --var {var} --out <dir>   (documents with this address)")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    """Upgrades each service's database (URL from its settings: <SERVICE>_DATABASE_URL)."""
    from kernel.migrations import settings_class, upgrade

    for service in args.service or SERVICES:
        url = settings_class(service)().database_url
        upgrade(service, url)
        print(f"{service}: at head")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """Mints a token with the embedded signing key (created on first run under var/keys)."""
    from kernel import keys
    from kernel.auth import Role

    unknown = [r for r in args.role if r not in Role._value2member_map_]
    if unknown:
        print(f"unknown role(s): {', '.join(unknown)}; known: {', '.join(r.value for r in Role)}", file=sys.stderr)
        return 2
    key = keys.load_or_generate(_var(args) / "keys")
    token = key.mint(subject=args.subject, roles=args.role, unit=args.unit, issuer=args.issuer, audience=args.audience,
                     ttl_s=args.ttl, cadre_id=args.cadre_id)
    print(token)
    return 0


def cmd_topology(args: argparse.Namespace) -> int:
    """Declares every producer's stream on a NATS server."""
    from kernel.topology import apply
    from suite import nats_users

    user, password = args.user, os.environ.get("YOUWEI_NATS_PASSWORD")
    port_file = _var(args) / "nats.port"
    nats_url = args.nats_url or (f"nats://127.0.0.1:{port_file.read_text(encoding='utf-8').strip()}"
                                 if port_file.exists() else "nats://127.0.0.1:4222")
    stored = nats_users.password_path(_var(args) / "keys", "rank")
    if user is None and stored.exists():
        # Embedded mode lets in only its users: declare the streams as a service user (it may use the JetStream API).
        user, password = "rank", stored.read_text(encoding="utf-8").strip()
    for name in asyncio.run(apply(nats_url, args.namespace, user=user, password=password)):
        print(f"stream {name} ok")
    return 0


def _runtime_db(service: str):
    from kernel.db import make_database
    from kernel.migrations import settings_class

    settings = settings_class(service)()
    orm = __import__(f"services.{service}.adapters.orm", fromlist=["kernel_tables"])
    return make_database(settings.database_url), orm.kernel_tables


def cmd_outbox_replay(args: argparse.Namespace) -> int:
    """Marks events published since a time as pending again (after a broker lost its store)."""
    from kernel.outbox import mark_for_replay

    since = dt.datetime.fromisoformat(args.since)
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)

    async def run() -> int:
        db, tables = _runtime_db(args.service)
        try:
            return await mark_for_replay(db.writer, tables.outbox, since)
        finally:
            await db.dispose()

    print(f"{asyncio.run(run())} events of {args.service} will be published again by its running relay")
    return 0


def cmd_dead_letters(args: argparse.Namespace) -> int:
    """Lists a service's dead letters (ids and errors; payloads stay in the stream)."""
    from sqlalchemy import select

    async def run() -> list:
        db, tables = _runtime_db(args.service)
        try:
            t = tables.dead_letter
            async with db.reader.connect() as conn:
                return list((await conn.execute(select(t).order_by(t.c.id.desc()).limit(args.limit))).mappings())
        finally:
            await db.dispose()

    for row in asyncio.run(run()):
        print(f"{row['failed_at']:%Y-%m-%d %H:%M:%S} {row['consumer']} {row['event_type']} id={row['message_id']} "
              f"stream_seq={row['stream_seq']} deliveries={row['num_delivered']}: {row['error'][:200]}")
    return 0


def cmd_vault_rotate(args: argparse.Namespace) -> int:
    """Embedded mode: a new vault key under var/keys, every sealed value re-sealed with it, the old key retired."""
    from kernel import keys
    from services.petitions.rotate import not_current, report, rotate
    from services.petitions.settings import decode_key
    from suite.launcher import SuiteLocked, VarLock, secure_dir

    if os.environ.get("PETITIONS_VAULT_KEY"):
        print("PETITIONS_VAULT_KEY is set in the environment: the key is not the one under var/keys; rotate with "
              "`python -m services.petitions.rotate` (see docs/petitions.md)", file=sys.stderr)
        return 2
    var = _var(args)
    key_dir = var / "keys"
    current_path, next_path = key_dir / keys.VAULT_KEY, key_dir / keys.VAULT_KEY_NEXT
    if not current_path.exists():
        print(f"no vault key in {key_dir}: nothing was sealed by `youwei up` with this data directory", file=sys.stderr)
        return 2
    os.umask(0o077)
    secure_dir(var)
    lock = VarLock(var)
    try:
        lock.acquire()  # the suite must be stopped: its petitions process holds the old key
    except SuiteLocked as exc:
        print(f"youwei vault-rotate: {exc}", file=sys.stderr)
        return 3
    try:
        old = current_path.read_text(encoding="utf-8").strip()
        if next_path.exists():  # an interrupted rotation: finish it with the key it had chosen
            new = next_path.read_text(encoding="utf-8").strip()
            print("resuming an interrupted rotation")
        else:
            new = keys.new_vault_key()
            keys.write_secret(next_path, new.encode())
        url = os.environ.get("PETITIONS_DATABASE_URL") or f"sqlite+aiosqlite:///{(var / 'petitions.db').resolve()}"
        key_list = [decode_key(new), decode_key(old)]
        result = asyncio.run(rotate(url, key_list))
        report(result)
        left = asyncio.run(not_current(url, key_list))
        if left:
            print(f"{left} values are still under the old key; run `youwei vault-rotate` again", file=sys.stderr)
            return 1
        os.replace(next_path, current_path)  # the old key is gone: nothing is sealed with it any more
        print(f"vault key rotated: the new key is in {current_path}; the old key is retired")
        return 0
    finally:
        lock.release()


def events_markdown() -> str:
    """Renders the event catalogue (every registered contract) as a Markdown table."""
    from kernel.contracts.registry import EVENTS

    lines = ["| Event (subject suffix) | CE subject | What happened |", "|---|---|---|"]
    for key, spec in sorted(EVENTS.items(), key=lambda kv: (kv[1].name.producer, kv[0])):
        entity = spec.model.subject_template.split("/")[0]
        lines.append(f"| `{key}` | `{entity}/…` | {spec.model.summary} |")
    return "\n".join(lines)


def cmd_events(args: argparse.Namespace) -> int:
    """Prints the event catalogue; --write-readme refreshes README.md's catalogue block."""
    table = events_markdown()
    if not args.write_readme:
        print(table)
        return 0
    readme = Path("README.md")
    text = readme.read_text(encoding="utf-8")
    begin, end = "<!-- events:begin -->", "<!-- events:end -->"
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{begin}\n{table}\n{end}{tail}", encoding="utf-8")
    print("README.md event catalogue updated")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """Builds the argument parser."""
    parser = argparse.ArgumentParser(prog="youwei", description="Youwei: cadre incentive and protection suite")
    parser.add_argument("--var", help="data directory (default ./var or $YOUWEI_VAR)")
    sub = parser.add_subparsers(dest="command", required=True)

    up = sub.add_parser("up", help="run the whole suite (embedded mode)")
    up.add_argument("--nats-url", help="use this NATS server instead of starting one ($YOUWEI_NATS_URL)")
    up.set_defaults(func=cmd_up)

    status = sub.add_parser("status", help="is the suite running; NATS address; the subscriber user of departments")
    status.set_defaults(func=cmd_status)

    migrate = sub.add_parser("migrate", help="upgrade the databases to the latest schema")
    migrate.add_argument("--service", action="append", choices=SERVICES)
    migrate.set_defaults(func=cmd_migrate)

    token = sub.add_parser("token", help="mint an access token for trying the API")
    token.add_argument("--role", action="append", required=True, help="role (repeatable)")
    token.add_argument("--unit", help="org unit whose subtree the token may see")
    token.add_argument("--cadre-id", help="the caller's own cadre id (self-service, own/relatives rule)")
    token.add_argument("--subject", default="dev-user")
    token.add_argument("--ttl", type=int, default=8 * 3600, help="lifetime in seconds")
    token.add_argument("--issuer", default="youwei-embedded")
    token.add_argument("--audience", default="youwei")
    token.set_defaults(func=cmd_token)

    topology = sub.add_parser("topology", help="declare the JetStream streams")
    topology.add_argument("--nats-url", default=os.environ.get("YOUWEI_NATS_URL"),
                          help="default: the embedded server's address (var/nats.port), else nats://127.0.0.1:4222")
    topology.add_argument("--namespace", default="cadre")
    topology.add_argument("--user", default=os.environ.get("YOUWEI_NATS_USER"),
                          help="NATS user (password from $YOUWEI_NATS_PASSWORD); embedded mode: rank's, from var/keys")
    topology.add_argument("--var", help="embedded mode's data folder (default var/)")
    topology.set_defaults(func=cmd_topology)

    replay = sub.add_parser("outbox-replay", help="publish a service's events again (broker lost its store)")
    replay.add_argument("--service", required=True, choices=SERVICES)
    replay.add_argument("--since", required=True, help="ISO time, e.g. 2026-11-28T00:00:00+08:00")
    replay.set_defaults(func=cmd_outbox_replay)

    events = sub.add_parser("events", help="print the event catalogue (Markdown)")
    events.add_argument("--write-readme", action="store_true", help="refresh the catalogue block in README.md")
    events.set_defaults(func=cmd_events)

    rotate = sub.add_parser("vault-rotate", help="new petitions vault key; re-seal every value (suite stopped)")
    rotate.set_defaults(func=cmd_vault_rotate)

    dlq = sub.add_parser("dead-letters", help="list a service's dead letters")
    dlq.add_argument("--service", required=True, choices=SERVICES)
    dlq.add_argument("--limit", type=int, default=50)
    dlq.set_defaults(func=cmd_dead_letters)
    from suite.importing.command import add_parser as add_import

    add_import(sub)
    from suite.demo import add_parser as add_seed

    add_seed(sub)
    return parser


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `youwei` command."""
    args = build_parser().parse_args(argv)
    sys.exit(args.func(args))
