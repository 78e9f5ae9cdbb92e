"""Every log record of a test run, formatted as the gateway formats them, and a sweep of
them for the sandboxes' seeded personal data and credentials.

Records are taken where they are made (`Logger.makeRecord`), not from handlers: uvicorn
replaces its own loggers' handlers whenever a server starts, and some loggers do not
propagate, so a handler would miss them. Each record is formatted with the gateway's
`JsonFormatter` (with its request id), which is what would reach a real log.

`tests/conftest.py` wires the session hooks below: the whole run is captured to a file
and swept at the end; a hit sets a failing exit status and is reported.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TextIO

import pytest

import providers.autodns.sandbox_data as autodns_data
import providers.is24.sandbox_data as is24_data
import providers.spark.sandbox_data as spark_data
from gateway.logs import JsonFormatter, RequestIdFilter
from providers.phones import parse_phone

OUR_LOGGERS: Final = "contact_gateway"
LOG_DIR_VARIABLE: Final = "CONTACT_GATEWAY_TEST_LOG_DIR"
"""Where a run's capture goes (default: the temp dir); kept only when the sweep finds hits."""
SEEDS: Final = (None, 12, 14)
"""Seeds the tests use (None: each sandbox's default)."""


@contextmanager
def captured(write: Callable[[str], None]) -> Iterator[None]:
    """Pass every log record made inside the block, as a JSON line, to `write`."""
    make_record = logging.Logger.makeRecord
    formatter, request_ids = JsonFormatter(), RequestIdFilter()
    lock = threading.Lock()

    def making(self: logging.Logger, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(self, *args, **kwargs)  # with `extra` applied
        try:
            request_ids.filter(record)
            line = formatter.format(record)
        except Exception as exc:  # a record that cannot be formatted is a finding too
            line = f"UNFORMATTABLE {record.name}: {type(exc).__name__}"
        with lock:
            write(line)
        return record

    logging.Logger.makeRecord = making  # type: ignore[method-assign]
    try:
        yield
    finally:
        logging.Logger.makeRecord = make_record  # type: ignore[method-assign]


# ---------------------------------------------------------------- what must never appear


def _phone_forms(number: object, region: str | None = None) -> set[str]:
    """A number as stored and in E.164 (numbers without +CC are read in `region`)."""
    if not isinstance(number, str) or not number.strip():
        return set()
    parsed = parse_phone(number, region)
    return {number} | ({parsed.e164} if parsed else set())


def _spark_people() -> Iterator[tuple[str | None, str | None, set[str]]]:
    for seed in SEEDS:
        store = spark_data.SparkStore(**({"seed": seed} if seed else {}))
        for contact in [*store.contacts.values(), *store.self_contacts.values()]:
            a = contact.attrs
            numbers = [v for k, v in a.items() if k.endswith("PhoneNumber")]
            phones = {form for n in numbers for form in _phone_forms(n, "US")}
            emails = {a.get("PrimaryEmail"), *(a.get("SecondaryEmails") or [])}
            yield (
                a.get("DisplayName"),
                _full(a.get("GivenName"), a.get("FamilyName")),
                ({e for e in emails if isinstance(e, str)} | phones),
            )


def _is24_people() -> Iterator[tuple[str | None, str | None, set[str]]]:
    for seed in SEEDS:
        store = is24_data.Is24Store(contact_count=200, **({"seed": seed} if seed else {}))
        for contacts in store.contacts.values():
            for doc in contacts.values():
                parts = {
                    " ".join(str(doc.get(f"{kind}{p}") or "") for p in _PARTS).strip()
                    for kind in ("phoneNumber", "faxNumber", "cellPhoneNumber")
                }
                numbers = {str(doc.get(k)) for k in _WHOLE if doc.get(k)} | parts
                emails = {str(doc.get("email") or ""), str(doc.get("secondaryEmail") or "")}
                found = {f for n in numbers for f in _phone_forms(n)} | emails
                yield None, _full(doc.get("firstname"), doc.get("lastname")), found


_PARTS: Final = ("CountryCode", "AreaCode", "Subscriber")
_WHOLE: Final = ("phoneNumber", "faxNumber", "cellPhoneNumber")


def _autodns_people() -> Iterator[tuple[str | None, str | None, set[str]]]:
    for seed in SEEDS:
        store = autodns_data.ContactStore(seed or 13, 200)
        for contact in store.contacts.values():
            f = contact.fields
            numbers = {f.get("phone"), f.get("fax")}
            found = {str(f.get("email") or "")} | {x for n in numbers for x in _phone_forms(n)}
            yield None, _full(f.get("fname"), f.get("lname")), found


def _full(given: object, family: object) -> str | None:
    if isinstance(given, str) and isinstance(family, str) and given and family:
        return f"{given} {family}"
    return None


@functools.cache
def personal_data() -> frozenset[str]:
    """Names (display and full), emails and phone numbers (as stored and E.164) of every
    seeded contact. Single words are left out: a lone 'Wolf' or 'Berlin' is not a person."""
    found: set[str] = set()
    for people in (_spark_people(), _is24_people(), _autodns_people()):
        for display, full, others in people:
            found |= {t for t in (display, full) if t and " " in t.strip()}
            found |= {t for t in others if len(t.strip()) >= 6}
    return frozenset(found)


@functools.cache
def credentials() -> frozenset[str]:
    """Every secret and token the sandboxes accept."""
    return frozenset(
        {
            *spark_data.SPARK_SANDBOX_TOKENS,
            is24_data.CONSUMER_SECRET,
            is24_data.ACCESS_TOKEN,
            is24_data.TOKEN_SECRET,
            is24_data.OTHER_ACCESS_TOKEN,
            is24_data.OTHER_TOKEN_SECRET,
            autodns_data.PASSWORD,
            autodns_data.OTHER_PASSWORD,
        }
    )


@dataclass(frozen=True, slots=True)
class Hit:
    line_number: int
    needle: str
    line: str


def sweep(lines: Iterable[str], needles: Iterable[str]) -> list[Hit]:
    """Each line containing any needle (one alternation: fast over long runs)."""
    ordered = sorted(set(needles), key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(n) for n in ordered))
    return [
        Hit(number, match.group(0), line.rstrip("\n"))
        for number, line in enumerate(lines, 1)
        if (match := pattern.search(line))
    ]


def sweep_file(path: Path) -> list[Hit]:
    with path.open(encoding="utf-8") as lines:
        return sweep(lines, personal_data() | credentials())


# ---------------------------------------------------------------- the session hooks


_RUN: dict[str, Any] = {}


def start_run(session: pytest.Session) -> None:
    """Capture every record of the run (ours at DEBUG) to a scratch file."""
    where = os.environ.get(LOG_DIR_VARIABLE) or None
    handle, name = tempfile.mkstemp(prefix="contact-gateway-run-", suffix=".jsonl", dir=where)
    sink: TextIO = open(handle, "w", encoding="utf-8")  # noqa: SIM115  # closed in finish_run
    ours = logging.getLogger(OUR_LOGGERS)
    context = captured(lambda line: print(line, file=sink))
    context.__enter__()
    _RUN.update(path=Path(name), sink=sink, context=context, level=ours.level, hits=[])
    ours.setLevel(logging.DEBUG)


def finish_run(session: pytest.Session) -> None:
    """Sweep the run's records; a hit fails the run."""
    if not _RUN:
        return
    _RUN["context"].__exit__(None, None, None)
    _RUN["sink"].close()
    logging.getLogger(OUR_LOGGERS).setLevel(_RUN["level"])
    path: Path = _RUN["path"]
    hits = sweep_file(path)
    _RUN["hits"] = hits
    if hits:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        path.unlink(missing_ok=True)


def report_run(terminalreporter: Any) -> None:
    hits: list[Hit] = _RUN.get("hits") or []
    if not hits:
        return
    terminalreporter.section("personal data or credentials in the logs", red=True, bold=True)
    terminalreporter.write_line(f"{len(hits)} log line(s) in {_RUN['path']} carry them:")
    for hit in hits[:20]:
        terminalreporter.write_line(f"  line {hit.line_number}: {hit.needle!r} in {hit.line}")
