"""Structured JSON logs on stdout, with the request and correlation ids of the current context."""

from __future__ import annotations

import logging
import sys
from typing import Any

import orjson

from kernel import context

_RESERVED = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON object per line (newlines in values are escaped, never split a line)."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name, var in (("request_id", context.request_id), ("correlation_id", context.correlation_id)):
            value = var.get()
            if value:
                body[name] = value
        for key, value in record.__dict__.items():
            if key not in _RESERVED and not key.startswith("_"):
                body[key] = value
        if record.exc_info:
            body["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(body, default=str).decode()


def configure_logging(service: str, level: str = "INFO") -> None:
    """Sends every log record to stdout as JSON (idempotent: replaces earlier handlers of ours)."""
    logging.Formatter.converter = __import__("time").gmtime
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_youwei", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    handler._youwei = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
