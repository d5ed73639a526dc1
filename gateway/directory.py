"""An in-memory org directory kept from rank's stream: where each cadre and org unit sits in the tree.

The gateway owns no database, yet the live feed must scope events to the caller's subtree (an org admin of a
county never sees events about cadres outside it). Rank's snapshot events carry each cadre's and unit's full
path, so replaying rank's stream gives the tree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# rank events that carry the tree (full snapshots: the latest one for a subject wins).
TREE_EVENTS = ("rank.org_unit_changed.v1", "rank.cadre_registered.v1", "rank.cadre_updated.v1")


class Directory:
    """Cadre and org-unit paths (root first)."""

    def __init__(self) -> None:
        self.units: dict[str, tuple[str, ...]] = {}
        self.cadres: dict[str, tuple[str, ...]] = {}
        self.caught_up = False

    def apply(self, key: str, data: dict[str, Any]) -> None:
        """Applies one of rank's tree events (camelCase data as on the wire)."""
        if key == "rank.org_unit_changed.v1":
            unit, path = data.get("orgUnitId"), data.get("path")
            if isinstance(unit, str) and isinstance(path, list):
                self.units[unit] = tuple(str(p) for p in path)
        elif key in TREE_EVENTS:
            cadre, path = data.get("cadreId"), data.get("orgPath")
            if isinstance(cadre, str) and isinstance(path, list):
                self.cadres[cadre] = tuple(str(p) for p in path)
                unit = data.get("orgUnitId")
                if isinstance(unit, str) and unit not in self.units:
                    self.units[unit] = tuple(str(p) for p in path)

    def unit_path(self, unit_id: str | None) -> tuple[str, ...] | None:
        """Returns an org unit's path, or None when unknown."""
        return self.units.get(unit_id) if unit_id else None

    def within(self, scope: tuple[str, ...], data: dict[str, Any]) -> bool:
        """Tells whether every cadre and org unit an event names lies in the subtree `scope` (none named: no)."""
        found = False
        for kind, value in references(data):
            found = True
            if kind == "cadre":
                path = self.cadres.get(value)
            elif kind == "unit":
                path = self.units.get(value)
            else:
                path = value
            if path is None or tuple(path[: len(scope)]) != scope:
                return False
        return found


def references(data: Any) -> Iterator[tuple[str, Any]]:
    """Yields the cadres ("cadre", id), org units ("unit", id) and paths ("path", tuple) an event's data names."""
    if isinstance(data, dict):
        for key, value in data.items():
            lowered = key.lower()
            if lowered.endswith("cadreid") and isinstance(value, str):
                yield "cadre", value
            elif lowered.endswith("cadreids") and isinstance(value, list):
                yield from (("cadre", v) for v in value if isinstance(v, str))
            elif lowered.endswith("orgunitid") and isinstance(value, str):
                yield "unit", value
            elif lowered.endswith("orgunitids") and isinstance(value, list):
                yield from (("unit", v) for v in value if isinstance(v, str))
            elif lowered in ("orgpath", "path") and isinstance(value, list):
                yield "path", tuple(str(v) for v in value)
            elif isinstance(value, (dict, list)):
                yield from references(value)
    elif isinstance(data, list):
        for item in data:
            yield from references(item)
