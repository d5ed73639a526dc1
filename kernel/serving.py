"""How uvicorn runs every app of the suite (compose, `youwei up`, the test servers): one set of options.

- No `Server: uvicorn` header: the answer does not advertise the server and its version.
- No proxy headers: uvicorn's default trusts X-Forwarded-For from 127.0.0.1, so anyone on loopback (or a process
  next to the service) could name any client address and step around the per-address rate limits. A service
  takes X-Forwarded-For only from the peers its settings name (PETITIONS_TRUSTED_PROXIES: the gateway), the
  gateway only from GATEWAY_TRUSTED_PROXIES (a TLS terminator in front of it), both in the app.
"""

from __future__ import annotations

from typing import Any

# Keyword arguments of uvicorn.Config and the same options as command-line flags.
UVICORN_OPTIONS: dict[str, Any] = {"server_header": False, "proxy_headers": False}
UVICORN_FLAGS: tuple[str, ...] = ("--no-server-header", "--no-proxy-headers")
