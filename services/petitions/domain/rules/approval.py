"""Approval levels: the tier of an approving body, from its agency level (诬告陷害 finding, docs/rules.md §2.6)."""

from __future__ import annotations

TIERS = ("TOWNSHIP", "COUNTY", "CITY")
# Sichuan requires a 市(州)-level or higher committee or commission for a 诬告陷害 finding [S]; configurable.
DEFAULT_FALSE_ACCUSATION_TIER = "CITY"
_AGENCY_TIER = {
    "CITY_LEADERSHIP": "CITY",
    "MUNICIPAL_AGENCY": "CITY",
    "COUNTY_LEADERSHIP": "COUNTY",
    "COUNTY_AGENCY": "COUNTY",
    "TOWNSHIP": "TOWNSHIP",
}


def tier_of(agency_levels: list[str]) -> str | None:
    """Returns the tier of a unit from the agency levels of it and its ancestors (nearest first).

    A division (内设处室) inherits the tier of the agency it belongs to.
    """
    for level in agency_levels:
        if level in _AGENCY_TIER:
            return _AGENCY_TIER[level]
    return None


def at_least(tier: str | None, required: str) -> bool:
    """Tells whether a tier is at or above the required one."""
    return tier is not None and TIERS.index(tier) >= TIERS.index(required)
