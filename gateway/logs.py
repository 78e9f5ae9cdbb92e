"""Structured (JSON lines) logging with the request id on every line.

Log records carry only what operators need — request id, provider, status,
timing, codes. Never names, emails, phones, credentials or GraphQL variables:
callers log those fields as ids and codes, and this formatter has no place for
free-form payloads beyond the message itself.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Final

from gateway.request_ids import current_request_id

EXTRA_FIELDS: Final = (
    "provider",
    "status",
    "ms",
    "operation",
    "outcome",
    "code",
    "path",
    "method",
    "error_id",
)


PAYLOAD_LOGGERS: Final = {"aiosqlite": logging.WARNING, "oauthlib": logging.WARNING}
"""Libraries that log payloads at DEBUG — aiosqlite each statement's parameters (cached
contacts), oauthlib the OAuth signature base string (the access token) — held at
WARNING whatever `log_level` says."""


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        entry.update({k: getattr(record, k) for k in EXTRA_FIELDS if hasattr(record, k)})
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name, floor in PAYLOAD_LOGGERS.items():
        logging.getLogger(name).setLevel(floor)
