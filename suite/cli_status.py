"""`youwei status`: the supervisor and its children, each process's URL and readiness, the NATS address, and per
service the outbox lag, the lag of its durable consumers and its dead letters. Works with the suite down (it says
so and reads what the databases hold); --json for machines."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from suite.cli_args import CliError
from suite.cli_common import (
    NatsTarget,
    connect_nats,
    database_url,
    nats_target,
    no_database,
    open_database,
    redact,
    var_dir,
)
from suite.composition import SERVICES

GATEWAY = "gateway"
HOST = "127.0.0.1"  # the launcher's host


def suite_pid(var: Path) -> int | None:
    """The pid of the launcher running on var/, None when none runs: the launcher holds an exclusive flock on
    var/.lock (which names its pid) while it runs, so a pid left in the file by a stopped suite does not count."""
    import fcntl

    try:
        fd = os.open(var / ".lock", os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # held: a launcher runs
            text = os.read(fd, 64).decode("ascii", errors="replace").strip()
            return int(text) if text.isdigit() else 0
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def children(pid: int) -> list[dict[str, Any]]:
    """The launcher's child processes named by what they run (Linux /proc; empty elsewhere)."""
    try:
        pids = Path(f"/proc/{pid}/task/{pid}/children").read_text(encoding="utf-8").split()
    except OSError:
        return []
    out = []
    for child in pids:
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [w.decode(errors="replace") for w in cmdline if w]
        name = next(
            (w.split(".")[1] if w.startswith("services.") else "gateway" for w in words if w.endswith(":create_app")),
            None,
        )
        if name is None and words and words[0].endswith("nats-server"):
            name = "nats-server"
        out.append({"name": name or " ".join(words)[:60], "pid": int(child)})
    return out


def ports() -> dict[str, int]:
    """Each process's port from its settings (<SVC>_PORT), as the launcher chooses them."""
    from gateway.settings import GatewaySettings
    from suite.composition import settings_class

    return {**{s: settings_class(s)().port for s in SERVICES}, GATEWAY: GatewaySettings().port}


async def _probe(client: Any, url: str) -> str:
    try:
        response = await client.get(f"{url}/health/ready")
    except Exception:  # noqa: BLE001 - any failure means it does not answer
        return "not answering"
    return "ready" if response.status_code == 200 else f"not ready (HTTP {response.status_code})"


async def _database(service: str, var: Path) -> dict[str, Any]:
    from sqlalchemy import func, select

    url = database_url(service, var)
    if url is None:
        return {"database": None, "error": no_database(service, var)}
    out: dict[str, Any] = {"database": redact(url)}
    try:
        db, tables = open_database(service, url)
    except CliError as exc:
        return {**out, "error": str(exc)}
    try:
        async with db.reader.connect() as conn:
            t = tables.outbox
            pending, oldest = (
                await conn.execute(select(func.count(), func.min(t.c.created_at)).where(t.c.published_at.is_(None)))
            ).one()
            dead = (await conn.execute(select(func.count()).select_from(tables.dead_letter))).scalar_one()
    except Exception as exc:  # noqa: BLE001 - reported per service, the others still shown
        return {**out, "error": f"cannot read the database: {str(exc).splitlines()[0][:200]}"}
    finally:
        await db.dispose()
    age = None
    if oldest is not None:
        oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=dt.UTC)
        age = round(max(0.0, (dt.datetime.now(dt.UTC) - oldest).total_seconds()), 1)
    return {**out, "outbox": {"unpublished": int(pending), "oldest_age_s": age}, "dead_letters": int(dead)}


async def _consumers(target: NatsTarget, namespace: str) -> list[dict[str, Any]]:
    from nats.js.errors import NotFoundError

    from kernel.subjects import PRODUCERS, stream_name

    nc = await connect_nats(target)
    try:
        js = nc.jetstream(timeout=3)
        found = []
        for producer in PRODUCERS:
            stream = stream_name(namespace, producer)
            try:
                infos = await js.consumers_info(stream)
            except NotFoundError:
                continue
            for info in infos:
                found.append(
                    {
                        "stream": stream,
                        "name": info.name,
                        "pending": info.num_pending or 0,
                        "unacked": info.num_ack_pending or 0,
                        "redelivered": info.num_redelivered or 0,
                    }
                )
        return found
    finally:
        await nc.close()


async def collect(args: argparse.Namespace) -> dict[str, Any]:
    """Everything status shows, as one JSON-ready dict."""
    import httpx

    from suite.composition import settings_class

    var = var_dir(args)
    pid = suite_pid(var)
    target = nats_target(args)
    port_of = ports()
    report: dict[str, Any] = {
        "data": str(var.resolve()),
        "suite": {"running": pid is not None, "pid": pid or None, "children": children(pid) if pid else []},
        "nats": {"url": target.url, "embedded": target.embedded, "user": target.user, "reachable": None, "error": None},
        GATEWAY: {"url": f"http://{HOST}:{port_of[GATEWAY]}"},
        "services": {
            s: {
                "url": f"http://{HOST}:{port_of[s]}",
                "state": None,
                "database": None,
                "outbox": None,
                "dead_letters": None,
                "consumers": None,
                "error": None,
            }
            for s in SERVICES
        },
        "other_consumers": [],
    }
    async with httpx.AsyncClient(timeout=1.0, trust_env=False) as client:
        states = await asyncio.gather(
            *(_probe(client, entry["url"]) for entry in [report[GATEWAY], *report["services"].values()])
        )
    report[GATEWAY]["state"] = states[0]
    for service, state in zip(SERVICES, states[1:], strict=True):
        report["services"][service]["state"] = state
    for service, found in zip(SERVICES, await asyncio.gather(*(_database(s, var) for s in SERVICES)), strict=True):
        report["services"][service].update(found)
    if target.embedded and not (var / "nats.port").is_file():
        report["nats"]["error"] = "not chosen yet: the first `youwei up` takes 4222, or a free port when 4222 is busy"
    if target.embedded and pid is None:
        report["nats"]["error"] = report["nats"]["error"] or "not running (the embedded server runs with the suite)"
        return report
    try:
        consumers = await _consumers(target, settings_class(SERVICES[0])().events_namespace)
    except CliError as exc:
        report["nats"].update(reachable=False, error=str(exc))
        return report
    report["nats"]["reachable"] = True
    for service in SERVICES:
        report["services"][service]["consumers"] = [c for c in consumers if c["name"].startswith(f"{service}__")]
    report["other_consumers"] = [c for c in consumers if c["name"].split("__")[0] not in SERVICES]
    return report


def _outbox(entry: dict[str, Any]) -> str:
    outbox = entry.get("outbox")
    if outbox is None:
        return "?"
    if not outbox["unpublished"]:
        return "0 unpublished"
    return f"{outbox['unpublished']} unpublished, oldest {outbox['oldest_age_s']} s"


def _consumer_line(c: dict[str, Any]) -> str:
    return f"{c['name']} on {c['stream']}: {c['pending']} pending, {c['unacked']} unacked"


def render(report: dict[str, Any]) -> list[str]:
    """The text form of the report."""
    suite = report["suite"]
    lines = [f"data       {report['data']}"]
    if suite["running"]:
        kids = ", ".join(f"{c['name']} pid {c['pid']}" for c in suite["children"]) or "none found"
        lines.append(f"suite      running (launcher pid {suite['pid']}; children: {kids})")
    else:
        lines.append("suite      not running (start it with `youwei up`); what the databases hold:")
    gateway = report[GATEWAY]
    lines.append(f"gateway    {gateway['url']}  {gateway['state']}")
    nats = report["nats"]
    where = "embedded" if nats["embedded"] else "$YOUWEI_NATS_URL / --nats-url: not the embedded server"
    state = "reachable" if nats["reachable"] else (nats["error"] or "not checked")
    lines.append(f"nats       {nats['url']} ({where})  {state}")
    for service, entry in report["services"].items():
        lines.append(f"{service:<10} {entry['url']}  {entry['state']}")
        if entry.get("error"):
            lines.append(f"           database: {entry['error']}")
        else:
            lines.append(f"           outbox: {_outbox(entry)}; dead letters: {entry['dead_letters']}")
        consumers = entry.get("consumers")
        if consumers is None:
            lines.append("           consumers: unknown (NATS not reachable)")
        elif not consumers:
            lines.append("           consumers: none on the broker")
        for consumer in consumers or []:
            lines.append(f"           consumer {_consumer_line(consumer)}")
    for consumer in report["other_consumers"]:
        lines.append(f"other      consumer {_consumer_line(consumer)}")
    return lines


def subscriber_lines(var: Path, nats_url: str) -> list[str]:
    """How another department subscribes (docs/subscribers.md)."""
    from suite import nats_users

    password = nats_users.password_path(var / "keys", nats_users.SUBSCRIBER).resolve()
    kept = "" if password.exists() else " (written by the next `youwei up`)"
    departments = nats_users.departments_from_env()
    return [
        f"subscriber user {nats_users.SUBSCRIBER}, password in {password}{kept}",
        f"           durables dept_<department>__<feed> for departments {', '.join(departments)} "
        f"(${nats_users.DEPARTMENTS_VARIABLE})",
        "           feeds " + ", ".join(f"{f.name} ({f.filter_subject})" for f in nats_users.public_feeds()),
        f"example    python examples/subscriber/subscriber.py --url {nats_url} --password-file {password} "
        f"--department {departments[0]}",
        f"AsyncAPI   python -m kernel.asyncapi --var {var} --out <dir>   (documents with this address)",
    ]


def cmd_status(args: argparse.Namespace) -> int:
    """Prints the report (exit 0 whether the suite runs or not)."""
    report = asyncio.run(collect(args))
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    print("\n".join(render(report)))
    print("\n".join(subscriber_lines(var_dir(args), report["nats"]["url"])))
    return 0


def add_parser(sub: Any, nats_options: Any) -> None:
    """The status subcommand."""
    status = sub.add_parser(
        "status", help="processes, URLs, NATS, outbox and consumer lag, dead letters", description=__doc__
    )
    status.add_argument("--json", action="store_true", help="print the report as JSON")
    nats_options(status)
    status.set_defaults(func=cmd_status)
