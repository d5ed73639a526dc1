"""`youwei import`: templates, dry runs with a row-level report (.json and .xlsx), and real runs with progress."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from suite.importing.plan import Plan, build
from suite.importing.report import write as write_report
from suite.importing.sheets import KINDS, ORDER, read, write_template


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "import",
        help="bring in org units, cadres, grades, sanctions, awards, appeals from .xlsx or .csv",
        description="Reads 单位, 干部, 考核, 处分, 奖励 and 申诉 sheets (Chinese or English headers) "
        "and writes them through the gateway. Run with --dry-run first: it writes "
        "nothing and reports every row it would skip and why.",
    )
    parser.add_argument("file", nargs="?", type=Path, help="the .xlsx workbook or .csv file")
    parser.add_argument(
        "--template",
        choices=[*KINDS, "all"],
        metavar="KIND",
        help=f"write an empty workbook for KIND ({', '.join(KINDS)} or all) to FILE "
        "(default youwei-template-KIND.xlsx)",
    )
    parser.add_argument("--kind", choices=list(KINDS), help="what a .csv file holds")
    parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
    parser.add_argument("--report", type=Path, help="where to write the report (.json; an .xlsx beside it)")
    parser.add_argument("--gateway", default="http://127.0.0.1:8000", help="the gateway's base URL")
    parser.add_argument(
        "--token",
        help="a bearer token with org_admin (and discipline_officer for party and "
        "government sanctions and appeals against them); default: minted with the "
        "embedded key",
    )
    parser.add_argument("--unit", default=None, help="with the embedded key: the admin's unit (default: the root)")
    # SUPPRESS: without --var here, the top-level `youwei --var X import …` keeps its value (a default would hide it).
    parser.add_argument("--var", default=argparse.SUPPRESS, help="embedded mode's data folder (default var/)")
    parser.add_argument("--parallel", type=int, default=8, help="rows written at a time (default 8)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.template is not None:
        path = args.file or Path(f"youwei-template-{args.template}.xlsx")
        write_template(path, list(ORDER) if args.template == "all" else [args.template])
        print(f"template written: {path}")
        return 0
    if args.file is None or not args.file.exists():
        print(
            "usage: youwei import FILE [--dry-run] (no such file)" if args.file else "usage: youwei import FILE",
            file=sys.stderr,
        )
        return 2
    from kernel.deps import china_today

    try:
        sheets, ignored = read(args.file, args.kind)
    except (ValueError, OSError) as error:
        print(f"cannot read {args.file.name}: {error}", file=sys.stderr)
        return 2
    if not sheets:
        print(
            f"{args.file.name}: no sheet named {', '.join(k.sheet_names[0] for k in KINDS.values())}", file=sys.stderr
        )
        return 2
    plan = build(sheets, today=china_today(), ignored=ignored)
    report: dict[str, Any] = {"file": args.file.name, "dry_run": args.dry_run, **plan.report()}
    if not args.dry_run:
        outcome = asyncio.run(_apply(args, plan)).summary()
        report["counts"] = outcome["counts"]
        report["issues"] = report["issues"] + outcome["issues"]
    _write_report(args, report)
    _print(report)
    return 0 if not report["issues"] else 1


async def _apply(args: argparse.Namespace, plan: Plan):  # noqa: ANN202 - Outcome
    import os

    import httpx

    from suite.importing.apply import BATCH, Importer

    token = args.token or _embedded_token(args)
    headers = {"Authorization": f"Bearer {token}"}
    total = len(plan.records)
    # Rows per batch request (default apply.BATCH, at most the routes' 500): to tune, or to watch a run in small steps.
    batch = int(os.environ.get("YOUWEI_IMPORT_BATCH") or BATCH)
    async with httpx.AsyncClient(base_url=args.gateway, timeout=120) as client:
        if sys.stdout.isatty():
            from rich.progress import Progress

            with Progress() as progress:
                task = progress.add_task("importing", total=total)
                return await Importer(
                    client, headers, lambda: progress.advance(task), parallel=args.parallel, batch=batch
                ).run(plan)
        outcome = await Importer(client, headers, parallel=args.parallel, batch=batch).run(plan)
        print("seconds per phase:", outcome.seconds, file=sys.stderr)
        return outcome


def _embedded_token(args: argparse.Namespace) -> str:
    from kernel import keys
    from suite.cli_common import var_dir
    from suite.launcher import AUDIENCE, ISSUER

    var = var_dir(args)
    key = keys.load_or_generate(var / "keys")
    # Units, cadres and grades are the organization department's; party and government sanctions are recorded by
    # discipline inspection: the embedded importer acts as both.
    return key.mint(
        subject="importer",
        roles=["org_admin", "discipline_officer"],
        unit=args.unit or _root_unit(args),
        issuer=ISSUER,
        audience=AUDIENCE,
        ttl_s=4 * 3600,
    )


def _root_unit(args: argparse.Namespace) -> str:
    sheets, _ = read(args.file, args.kind)
    for sheet in sheets:
        if sheet.kind.name == "org-units":
            columns, _ = sheet.kind.header_map(sheet.headers)
            code_at = next(i for i, c in columns.items() if c.field == "code")
            parent_at = next((i for i, c in columns.items() if c.field == "parent_id"), None)
            for _, cells in sheet.rows:
                if parent_at is None or not cells[parent_at]:
                    return str(cells[code_at]).strip()
    raise SystemExit("name the admin's unit with --unit (the file has no root unit)")


def _write_report(args: argparse.Namespace, report: dict[str, Any]) -> None:
    write_report(args.report or args.file.with_suffix(".report.json"), report)


def _print(report: dict[str, Any]) -> None:
    head = "dry run: nothing written" if report["dry_run"] else "import done"
    print(f"{head}; rows ready: " + ", ".join(f"{k} {n}" for k, n in report["rows_ok"].items()))
    for name, count in report.get("counts", {}).items():
        print(f"  {name}: {count}")
    if report["issues"]:
        print(f"{len(report['issues'])} issue(s):")
        for issue in report["issues"][:50]:
            print(f"  {issue['sheet']} row {issue['row']} [{issue['column']}]: {issue['reason']}")
        if len(report["issues"]) > 50:
            print("  … (all of them in the report)")
    else:
        print("no issues")
