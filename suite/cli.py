"""The `youwei` command: up, status, migrate, token, topology, outbox replay, dead letters, vault key rotation,
events (catalogue and tail), import, seed. Bad arguments give the usage and exit 2; expected failures one line on
stderr and exit 1 (Ctrl-C 130); never a traceback unless YOUWEI_DEBUG=1."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import traceback
from pathlib import Path
from typing import Any

from suite.cli_args import TIME_FORMS, CliError, existing_file, nats_url, positive_int, role, since_time
from suite.cli_common import database_url, nats_target, no_database, open_database, var_dir
from suite.composition import SERVICES


def _var(args: argparse.Namespace) -> Path:
    return var_dir(args)


def cmd_up(args: argparse.Namespace) -> int:
    """Starts nats-server, migrates, and runs the four services and the gateway."""
    from suite.launcher import run

    nats = args.nats_url or os.environ.get("YOUWEI_NATS_URL")
    if nats and args.nats_cluster > 1:
        print("youwei up: --nats-cluster starts its own nodes; it cannot be used with --nats-url", file=sys.stderr)
        return 2
    return run(
        _var(args),
        nats_url=nats,
        replicas=args.replicas,
        nats_cluster=args.nats_cluster,
        postgres_url=args.postgres or os.environ.get("YOUWEI_POSTGRES_URL"),
    )


def cmd_migrate(args: argparse.Namespace) -> int:
    """Upgrades each service's database (URL from its settings: <SERVICE>_DATABASE_URL)."""
    from kernel.migrations import upgrade
    from suite.composition import settings_class

    for service in args.service or SERVICES:
        url = settings_class(service)().database_url
        upgrade(service, url)
        print(f"{service}: at head")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    """Mints a token with the embedded signing key (created on first run under var/keys)."""
    from kernel import keys

    key = keys.load_or_generate(_var(args) / "keys")
    token = key.mint(
        subject=args.subject,
        roles=args.role,
        unit=args.unit,
        issuer=args.issuer,
        audience=args.audience,
        ttl_s=args.ttl,
        cadre_id=args.cadre_id,
    )
    print(token)
    return 0


def cmd_topology(args: argparse.Namespace) -> int:
    """Declares every producer's stream on a NATS server."""
    from kernel.topology import apply

    target = nats_target(args)
    streams = apply(target.url, args.namespace, user=target.user, password=target.password, replicas=args.replicas)
    for name in asyncio.run(streams):
        print(f"stream {name} ok")
    return 0


def _database_or_fail(service: str, args: argparse.Namespace) -> str:
    url = database_url(service, _var(args))
    if url is None:
        raise CliError(no_database(service, _var(args)))
    return url


def cmd_outbox_replay(args: argparse.Namespace) -> int:
    """Marks events published since a time as pending again (after a broker lost its store)."""
    from kernel.outbox import mark_for_replay

    url = _database_or_fail(args.service, args)

    async def run() -> int:
        db, tables = open_database(args.service, url)
        try:
            return await mark_for_replay(db.writer, tables.outbox, args.since)
        finally:
            await db.dispose()

    count = asyncio.run(run())
    since = args.since.isoformat(sep=" ")
    if not count:
        print(
            f"nothing to replay since {since}: {args.service} published no event since then that its outbox still "
            "keeps (published rows are kept 7 days)"
        )
    else:
        print(f"{count} events of {args.service} published since {since} will be published again by its running relay")
    return 0


async def _dead_letters(service: str, url: str, limit: int) -> list[Any]:
    from sqlalchemy import select

    db, tables = open_database(service, url)
    try:
        t = tables.dead_letter
        async with db.reader.connect() as conn:
            return list((await conn.execute(select(t).order_by(t.c.id.desc()).limit(limit))).mappings())
    finally:
        await db.dispose()


def cmd_dead_letters(args: argparse.Namespace) -> int:
    """Lists each service's dead letters, newest first (ids and errors; payloads stay in the stream)."""
    services = args.service or list(SERVICES)
    missing = []
    for service in services:
        url = database_url(service, _var(args))
        if url is None:
            if args.service:
                raise CliError(no_database(service, _var(args)))
            missing.append(service)
            print(f"youwei dead-letters: {no_database(service, _var(args))}", file=sys.stderr)
            continue
        rows = asyncio.run(_dead_letters(service, url, args.limit))
        if not rows:
            print(f"no dead letters in {service}")
            continue
        more = f" (the latest {args.limit}; --limit for more)" if len(rows) == args.limit else ""
        print(f"{service}: {len(rows)} dead letter{'s' if len(rows) > 1 else ''}{more}")
        for row in rows:
            print(
                f"  {row['failed_at']:%Y-%m-%d %H:%M:%S} {row['consumer']} {row['event_type']} "
                f"id={row['message_id']} stream_seq={row['stream_seq']} deliveries={row['num_delivered']}: "
                f"{row['error'][:200]}"
            )
    if len(missing) == len(services):
        raise CliError(f"no service database found under {_var(args)} nor in <SERVICE>_DATABASE_URL")
    return 1 if missing else 0


def cmd_vault_rotate(args: argparse.Namespace) -> int:
    """Embedded mode: a new vault key under var/keys, every sealed value re-sealed with it, the old key retired."""
    from kernel import keys
    from services.petitions.rotate import not_current, report, rotate
    from services.petitions.settings import decode_key
    from suite.launcher import SuiteLocked, VarLock, secure_dir

    if os.environ.get("PETITIONS_VAULT_KEY"):
        print(
            "PETITIONS_VAULT_KEY is set in the environment: the key is not the one under var/keys; rotate with "
            "`python -m services.petitions.rotate` (see docs/petitions.md)",
            file=sys.stderr,
        )
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


def nats_options(parser: argparse.ArgumentParser) -> None:
    """Where NATS is and as whom to connect (topology, status, events tail)."""
    parser.add_argument(
        "--nats-url",
        type=nats_url,
        default=os.environ.get("YOUWEI_NATS_URL"),
        help="default $YOUWEI_NATS_URL, else the embedded server (var/nats.port, else :4222)",
    )
    parser.add_argument(
        "--user",
        default=os.environ.get("YOUWEI_NATS_USER"),
        help="NATS user ($YOUWEI_NATS_USER), password from --password-file or $YOUWEI_NATS_PASSWORD; "
        "embedded mode: the rank service's user, password from var/keys/nats-rank.password",
    )
    parser.add_argument("--password-file", type=existing_file, help="a file holding the NATS user's password")
    var_option(parser)


def var_option(parser: argparse.ArgumentParser) -> None:
    """--var after the subcommand too (before it works as well)."""
    parser.add_argument("--var", default=argparse.SUPPRESS, help="embedded mode's data folder (default var/)")


def build_parser() -> argparse.ArgumentParser:
    """Builds the argument parser."""
    from suite import cli_events, cli_status

    parser = argparse.ArgumentParser(
        prog="youwei",
        description="Youwei: cadre incentive and protection suite",
        epilog="YOUWEI_DEBUG=1 shows the traceback of an unexpected error.",
    )
    parser.add_argument("--var", help="data directory (default ./var or $YOUWEI_VAR)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    up = sub.add_parser("up", help="run the whole suite (embedded mode)")
    up.add_argument("--nats-url", type=nats_url, help="use this NATS server instead of starting one ($YOUWEI_NATS_URL)")
    up.add_argument(
        "--replicas",
        type=positive_int,
        default=1,
        help="processes of each service and of the gateway (more than 1 needs PostgreSQL: --postgres)",
    )
    up.add_argument(
        "--nats-cluster",
        type=positive_int,
        default=1,
        metavar="N",
        help="run N clustered nats-server nodes on loopback (streams keep min(N, 3) copies)",
    )
    up.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server (postgresql+asyncpg://USER@HOST:5432[/PREFIX]): one database per service, "
        "PREFIX_<service> (youwei_<service>), created when missing ($YOUWEI_POSTGRES_URL; <SERVICE>_DATABASE_URL wins)",
    )
    var_option(up)
    up.set_defaults(func=cmd_up)

    cli_status.add_parser(sub, nats_options)

    migrate = sub.add_parser("migrate", help="upgrade the databases to the latest schema (<SERVICE>_DATABASE_URL)")
    migrate.add_argument("--service", action="append", choices=SERVICES)
    migrate.set_defaults(func=cmd_migrate)

    token = sub.add_parser("token", help="mint an access token for trying the API")
    token.add_argument("--role", action="append", required=True, type=role, help="role (repeatable)")
    token.add_argument("--unit", help="org unit whose subtree the token may see")
    token.add_argument("--cadre-id", help="the caller's own cadre id (self-service, own/relatives rule)")
    token.add_argument("--subject", default="dev-user")
    token.add_argument("--ttl", type=positive_int, default=8 * 3600, help="lifetime in seconds")
    token.add_argument("--issuer", default="youwei-embedded")
    token.add_argument("--audience", default="youwei")
    var_option(token)
    token.set_defaults(func=cmd_token)

    topology = sub.add_parser("topology", help="declare the JetStream streams")
    topology.add_argument("--namespace", default="cadre")
    topology.add_argument(
        "--replicas", type=positive_int, default=1, help="copies of each stream (the services' STREAM_REPLICAS)"
    )
    nats_options(topology)
    topology.set_defaults(func=cmd_topology)

    replay = sub.add_parser("outbox-replay", help="publish a service's events again (broker lost its store)")
    replay.add_argument("--service", required=True, choices=SERVICES)
    replay.add_argument(
        "--since", required=True, type=since_time, metavar="TIME", help=f"events published since then; {TIME_FORMS}"
    )
    var_option(replay)
    replay.set_defaults(func=cmd_outbox_replay)

    events = sub.add_parser("events", help="print the event catalogue (Markdown); `events tail`: live events")
    events.add_argument("--write-readme", action="store_true", help="refresh the catalogue block in README.md")
    events.set_defaults(func=cmd_events)
    cli_events.add_parser(events.add_subparsers(dest="events_command", metavar="tail"), nats_options)

    rotate = sub.add_parser("vault-rotate", help="new petitions vault key; re-seal every value (suite stopped)")
    var_option(rotate)
    rotate.set_defaults(func=cmd_vault_rotate)

    dlq = sub.add_parser("dead-letters", help="list each service's dead letters, newest first")
    dlq.add_argument("--service", action="append", choices=SERVICES, help="this service only (repeatable)")
    dlq.add_argument("--limit", type=positive_int, default=50, help="at most this many per service (default 50)")
    var_option(dlq)
    dlq.set_defaults(func=cmd_dead_letters)
    from suite.importing.command import add_parser as add_import

    add_import(sub)
    from suite.demo import add_parser as add_seed

    add_seed(sub)
    return parser


def _expected(exc: BaseException) -> str | None:
    """One line for an operational failure (what failed, what to do); None for a bug."""
    import httpx
    import nats.errors
    from sqlalchemy.exc import DBAPIError

    from suite.launcher import SuiteLocked

    if isinstance(exc, PermissionError):
        return f"permission denied: {exc.filename or exc}; check the owner and mode (var/ is its owner's only)"
    if isinstance(exc, FileNotFoundError):
        return f"no such file or folder: {exc.filename or exc}"
    if isinstance(exc, OSError) and exc.filename:
        return f"cannot use {exc.filename}: {exc.strerror or exc}"
    if isinstance(exc, DBAPIError):
        cause = str(exc.orig or exc).splitlines()[0][:200]
        return f"cannot use the database: {cause}; check <SERVICE>_DATABASE_URL and that the database is up"
    if isinstance(exc, nats.errors.Error):
        return f"NATS: {exc or type(exc).__name__}; is the suite (or --nats-url) running? see `youwei status`"
    if isinstance(exc, httpx.HTTPError):
        where = exc.request.url if isinstance(exc, httpx.RequestError) else ""
        return f"HTTP request to {where} failed: {exc}; is the gateway running? (`youwei status`)"
    if isinstance(exc, ConnectionError | TimeoutError):
        return f"cannot connect: {exc or type(exc).__name__}; is the suite running? (`youwei status`)"
    if isinstance(exc, SuiteLocked):
        return str(exc)
    return None


def run_command(args: argparse.Namespace) -> int:
    """Runs the chosen command behind the guard: one line on stderr instead of a traceback."""
    name = " ".join(["youwei", args.command, *([args.events_command] if getattr(args, "events_command", None) else [])])
    debug = os.environ.get("YOUWEI_DEBUG", "") not in ("", "0")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"\n{name}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `youwei … | head`: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except CliError as exc:
        if debug:
            traceback.print_exc()
        print(f"{name}: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # noqa: BLE001 - the guard: never a bare traceback
        if debug:
            traceback.print_exc()
        message = _expected(exc)
        if message is None:
            first = (str(exc).splitlines() or [""])[0][:300]
            message = f"unexpected error: {type(exc).__name__}: {first}" + (
                "" if debug else "; run with YOUWEI_DEBUG=1 for the traceback"
            )
        print(f"{name}: {message}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `youwei` command."""
    try:
        args = build_parser().parse_args(argv)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(run_command(args))
