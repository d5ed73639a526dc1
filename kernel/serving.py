"""How uvicorn runs every app of the suite (compose, `youwei up`, the test servers): one set of options.

- No `Server: uvicorn` header: the answer does not advertise the server and its version.
"""

from __future__ import annotations

from typing import Any

# Keyword arguments of uvicorn.Config and the same options as command-line flags.
UVICORN_OPTIONS: dict[str, Any] = {"server_header": False}
UVICORN_FLAGS: tuple[str, ...] = ("--no-server-header",)
