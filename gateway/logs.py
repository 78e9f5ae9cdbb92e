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

import msgspec

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


_ENCODER: Final = msgspec.json.Encoder(enc_hook=str)

PAYLOAD_LOGGERS: Final = {"aiosqlite": logging.WARNING, "oauthlib": logging.WARNING}
"""Libraries that log payloads at DEBUG — aiosqlite each statement's parameters (cached
contacts), oauthlib the OAuth signature base string (the access token) — held at
WARNING whatever `log_level` says."""


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line; every request logs one, so it is made cheaply: the
    timestamp's seconds are formatted once per second, the line encoded by msgspec."""

    def __init__(self) -> None:
        super().__init__()
        self._second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": self._timestamp(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        fields = record.__dict__
        entry.update({k: fields[k] for k in EXTRA_FIELDS if k in fields})
        try:
            return _ENCODER.encode(entry).decode("utf-8")
        except (msgspec.EncodeError, UnicodeEncodeError, OverflowError):
            return json.dumps(entry, ensure_ascii=False, default=str)  # e.g. a lone surrogate

    def _timestamp(self, record: logging.LogRecord) -> str:
        """ISO 8601 in UTC with milliseconds, e.g. 2026-01-02T03:04:05.678+00:00."""
        second, stamp = self._second
        if second != int(record.created):
            second = int(record.created)
            stamp = datetime.fromtimestamp(second, UTC).isoformat(timespec="seconds")[:-6]
            self._second = (second, stamp)
        return f"{stamp}.{int(record.msecs):03d}+00:00"


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The JSON lines never show a record's thread or process: skip looking them up.
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    for name, floor in PAYLOAD_LOGGERS.items():
        logging.getLogger(name).setLevel(floor)
