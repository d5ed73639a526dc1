"""Configuration use cases: ladder versions, points schemes and quotas (org_admin; versioned, never edited)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kernel.auth import Principal
from kernel.errors import Conflict, Forbidden, NotFound, RuleViolation
from kernel.ids import new_id
from services.rank.adapters import config_repo
from services.rank.domain.ladder import ladder_from_dict
from services.rank.domain.points import DEFAULT_SCHEME as DEFAULT_SCHEME  # the built-in scheme, for the routes
from services.rank.domain.points import scheme_from_dict
from services.rank.domain.rules.ladders import CATEGORY_SERIES
from services.rank.domain.rules.ladders import POSTS as POSTS  # the leadership posts the ladders refer to
from services.rank.service_layer import commands
from services.rank.service_layer.handlers import in_scope
from services.rank.service_layer.unit_of_work import RankUnitOfWork


async def publish_ladder(cmd: commands.PublishLadder, uow: RankUnitOfWork, *, principal: Principal) -> dict[str, Any]:
    """Publishes a new version of a ladder (city-wide: only the root unit's admin)."""
    async with uow:
        root = await uow.org_units.root_id()
        if root is None or principal.unit_id != root:
            raise Forbidden(
                "ladders are city-wide: only the root unit's admin publishes them", rule="ladder.root_admin"
            )
        if cmd.definition.get("series") != cmd.series:
            raise RuleViolation("the definition's series must match the path", rule="ladder.series")
        ladder = ladder_from_dict(cmd.definition)
        if await config_repo.ladder_version_exists(uow.conn, ladder.series, ladder.version):
            raise Conflict(
                f"version {ladder.version} of {ladder.series} exists; versions are never changed",
                rule="ladder.version_exists",
            )
        categories = [c for c, s in CATEGORY_SERIES.items() if s == ladder.series]
        missing = sorted(await config_repo.codes_held(uow.conn, categories) - {r.code for r in ladder.ranks})
        if missing:
            raise Conflict(
                f"ranks held by cadres are missing from the new version: {', '.join(missing)}",
                rule="ladder.codes_in_use",
            )
        await config_repo.add_ladder_version(uow.conn, ladder, created_by=principal.subject)
        await uow.mark_dirty_categories(categories)
        return await uow.commit(
            {"series": ladder.series, "version": ladder.version, "effective_from": ladder.effective_from}
        )


async def create_points_scheme(cmd: commands.CreatePointsScheme, uow: RankUnitOfWork, *, principal: Principal) -> str:
    """Stores a new points-scheme version for an org unit (applies to its subtree)."""
    async with uow:
        unit = await uow.org_units.get(cmd.org_unit_id)
        if unit is None or not in_scope(principal, unit.path):
            raise NotFound("org unit not found", field="org_unit_id", rule="points.org_unit")
        scheme_id = new_id()
        scheme = scheme_from_dict(cmd.definition, scheme_id=scheme_id, org_unit_id=unit.id)
        if await config_repo.scheme_version_exists(uow.conn, unit.id, scheme.version):
            raise Conflict(
                "this version of the unit's points scheme exists; versions are never changed",
                rule="points.version_exists",
                field="definition",
            )
        await config_repo.add_scheme(
            uow.conn,
            scheme_id=scheme_id,
            org_unit_id=unit.id,
            version=scheme.version,
            effective_from=cmd.effective_from,
            definition=cmd.definition,
            created_by=principal.subject,
        )
        await uow.mark_dirty_subtree(unit.path)
        return await uow.commit(scheme_id)


async def set_quota(cmd: commands.SetQuota, uow: RankUnitOfWork, *, principal: Principal, today: dt.date) -> str:
    """Stores a quota (职数) for a bucket of ranks in an org unit, from a date."""
    async with uow:
        unit = await uow.org_units.get(cmd.org_unit_id)
        if unit is None or not in_scope(principal, unit.path):
            raise NotFound("org unit not found", field="org_unit_id", rule="quota.org_unit")
        known = {
            r.code for ladder in (await uow.ladders(max(today, cmd.effective_from))).values() for r in ladder.ranks
        }
        unknown = sorted(set(cmd.rank_codes) - known)
        if unknown:
            raise RuleViolation(f"unknown rank codes: {', '.join(unknown)}", rule="rank.unknown_code")
        if len(set(cmd.rank_codes)) != len(cmd.rank_codes):
            raise RuleViolation("rank codes must be distinct", rule="quota.rank_codes")
        if await config_repo.quota_version_exists(uow.conn, unit.id, cmd.bucket, cmd.effective_from):
            raise Conflict(
                "this quota bucket of the unit already has a version from that date",
                rule="quota.version_exists",
                field="effective_from",
            )
        quota_id = new_id()
        await config_repo.add_quota(
            uow.conn,
            quota_id=quota_id,
            org_unit_id=unit.id,
            bucket=cmd.bucket,
            rank_codes=cmd.rank_codes,
            max_count=cmd.max_count,
            effective_from=cmd.effective_from,
            source=cmd.source,
            created_by=principal.subject,
        )
        return await uow.commit(quota_id)
