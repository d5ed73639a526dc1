"""Rank HTTP routes, assembled in matching order (each module is thin: parse, build a command, call a handler)."""

from __future__ import annotations

from services.rank.api import config_routes, process_routes, read_routes, register_routes

ROUTERS = [register_routes.router, config_routes.router, process_routes.router, read_routes.router]
