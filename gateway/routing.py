"""Route ownership (docs/permissions.md): the first path segment after /api/v1/ names the owning service.

Paths are checked segment by segment before anything is forwarded: an empty, dot or dot-dot segment (also when
percent-encoded, once or twice), an encoded slash or backslash, or a control character answers 404, so no
request can climb out of /api/v1 on an upstream (docs/reliability.md S8).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

PREFIX = "/api/v1/"
OWNERS: dict[str, str] = {
    **dict.fromkeys(
        (
            "org-units",
            "cadres",
            "ladders",
            "points-schemes",
            "quotas",
            "eligibility",
            "promotion-batches",
            "contracts",
            "development-track",
        ),
        "rank",
    ),
    **dict.fromkeys(
        (
            "performance-records",
            "assessments",
            "assessment-years",
            "regular-assessments",
            "accountability-index",
            "inaction-items",
            "inaction-findings",
            "self-checks",
            "talks",
            "awards",
            "bonus-allocations",
            "incentive-coverage",
        ),
        "appraisal",
    ),
    **dict.fromkeys(
        ("reports", "public", "statements", "false-accusations", "clarifications", "appeals", "deadlines"), "petitions"
    ),
    **dict.fromkeys(
        (
            "incidents",
            "tolerance-cases",
            "sanctions",
            "restrictions",
            "investigations",
            "reinstatements",
            "sanction-catalogue",
        ),
        "tolerance",
    ),
}
# Anonymous callers may use these segments (petitions' public intake and receipt follow-up); rate-limited per address.
PUBLIC_SEGMENTS = frozenset({"public"})
# Characters kept as they are when a decoded segment is encoded again for the upstream (RFC 3986 pchar).
_PCHAR_SAFE = "-._~!$&'()*+,;=:@"


class NotRoutable(Exception):
    """The path names no owned segment, or is malformed (answered 404)."""


@dataclass(frozen=True, slots=True)
class Route:
    """Where a pass-through request goes: the owning service, the encoded target path and whether it is public."""

    service: str
    segment: str
    path: str
    public: bool


def _clean(raw: str) -> str:
    if not raw:
        raise NotRoutable("empty segment")
    decoded = unquote(raw, errors="strict")
    # A '%' left after one decoding is a double encoding (%252e%252e): no id needs it, and an upstream that
    # decodes again would see dots or slashes the gateway never checked.
    if decoded in (".", "..") or "%" in decoded or "/" in decoded or "\\" in decoded:
        raise NotRoutable("unsafe segment")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in decoded):
        raise NotRoutable("control character")
    return decoded


def resolve(raw_path: str) -> Route:
    """Maps a raw (still percent-encoded) request path to its owning service and a normalized target path."""
    if not raw_path.startswith(PREFIX):
        raise NotRoutable("outside /api/v1")
    try:
        segments = [_clean(part) for part in raw_path[len(PREFIX) :].split("/")]
    except UnicodeDecodeError:
        raise NotRoutable("invalid encoding") from None
    owner = OWNERS.get(segments[0])
    if owner is None:
        raise NotRoutable("no service owns this path")
    path = PREFIX + "/".join(quote(segment, safe=_PCHAR_SAFE) for segment in segments)
    return Route(service=owner, segment=segments[0], path=path, public=segments[0] in PUBLIC_SEGMENTS)
