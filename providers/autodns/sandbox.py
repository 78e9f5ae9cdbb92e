"""A local emulator of InterNetX AutoDNS's JSON contact tasks, served as a Starlette app.

Routes (base `/v1`; every answer is an AutoDNS envelope with a unique `stid`):

    POST   /v1/contact            ContactCreate 0301   ?keys[]=force_handle_create
    PUT    /v1/contact/{id}       ContactUpdate 0302   sent fields replace stored ones
    DELETE /v1/contact/{id}       ContactDelete 0303   refused while a domain uses it
    GET    /v1/contact/{id}       ContactInfo   0304
    POST   /v1/contact/_search    ContactList   0304   {filters, view, orders}

Auth: HTTP Basic (`USER`/`PASSWORD` or `OTHER_USER`/`OTHER_PASSWORD`) plus
`X-Domainrobot-Context: 4`. Error codes and input rules live in `rules.py`.

Inferred behaviour (AutoDNS documents none of it):
- Auth failures, unknown routes and injected faults answer with status code `E0000`
  (not task-specific); task failures with `E0301` … `E0304` and HTTP 400/403/404/409/500.
- Search uses task 0304 (AutoDNS's info task) and answers
  `object: {"type": "Contact", "summary": <total>}`; `view.limit` is 1..1000, default 50.
- Ids are positive integers; any other `{id}` (`..`, `%2F`, `12?`) is EF03021, 404.
  An empty `{id}` is EF030110. Another account's contact is EF03016, 403.
- Update merges: fields sent (null clears) replace the stored ones, then every create
  rule applies to the result; an `id` in the body must equal the path id.
- Create with alias `__internal_error_13__` / `__internal_error_14__` fails on purpose
  with EF03013 / EF03014 (HTTP 500), so clients can test internal errors.
- The stid counter survives `POST /_sandbox/reset`, so stids never repeat.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import math
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from providers.autodns.envelope import (
    Envelope,
    Message,
    ObjectRef,
    envelope_to_json,
    error_envelope,
    error_message,
    success_envelope,
)
from providers.autodns.rules import WRITABLE_FIELDS, ErrorCode, Problem, contact_problems
from providers.autodns.sandbox_data import (
    ACCOUNTS,
    CONTEXT,
    OTHER_PASSWORD,
    OTHER_USER,
    PASSWORD,
    USER,
    ContactStore,
    StidCounter,
    StoredContact,
)
from providers.autodns.sandbox_search import run_search
from providers.autodns.search import SearchError, parse_search
from providers.sandboxing import SandboxKit

__all__ = [
    "CONTEXT",
    "FORCE_HANDLE_CREATE",
    "INTERNAL_ERROR_ALIASES",
    "OTHER_PASSWORD",
    "OTHER_USER",
    "PASSWORD",
    "USER",
    "AutoDnsSandbox",
    "create_autodns_sandbox",
]

FORCE_HANDLE_CREATE: Final = "force_handle_create"
INTERNAL_ERROR_ALIASES: Final[Mapping[str, ErrorCode]] = {
    "__internal_error_13__": ErrorCode.INTERNAL_NIC_MEMBER,
    "__internal_error_14__": ErrorCode.INTERNAL_INVALID_CONTACT,
}
GENERAL_ERROR: Final = "E0000"
MAX_BODY: Final = 1 << 20
_ID = re.compile(r"[1-9][0-9]{0,17}")
_TEXTS: Final[Mapping[str, tuple[str, str]]] = {
    "0301": ("Domain contact was created successfully.", "Domain contact could not be created."),
    "0302": ("Domain contact was updated successfully.", "Domain contact could not be updated."),
    "0303": ("Domain contact was deleted successfully.", "Domain contact could not be deleted."),
    "0304": (
        "Domain contact information was inquired successfully.",
        "Domain contact information could not be inquired.",
    ),
}
_MESSAGE_TEXT: Final[Mapping[ErrorCode, str]] = {
    ErrorCode.INTERNAL_NIC_MEMBER: "Internal error: NIC member id of the root user not found.",
    ErrorCode.INTERNAL_INVALID_CONTACT: "Internal error: invalid domain contact.",
    ErrorCode.NOT_AUTHORISED: "User is not authorised for this domain contact.",
    ErrorCode.NOT_FOUND: "Domain contact not found.",
    ErrorCode.ID_OR_ALIAS_MISSING: "ID or alias of the domain contact has to be entered.",
    ErrorCode.DUPLICATE: "A domain contact with the same data exists; use force_handle_create.",
    ErrorCode.IN_USE: "Domain contact is still used by a domain.",
}


@dataclass(slots=True)
class AutoDnsSandbox:
    """The served app (`kit.wrap(provider_app)`), its control kit and its data."""

    app: Starlette
    kit: SandboxKit
    store: ContactStore
    stids: StidCounter


def create_autodns_sandbox(*, seed: int = 13, contact_count: int = 120) -> AutoDnsSandbox:
    """A fresh sandbox with `contact_count` seeded contacts for `USER` (and some for OTHER_USER)."""
    store = ContactStore(seed, contact_count)
    stids = StidCounter()
    kit = SandboxKit(_FaultResponder(stids), store.reset, seed=seed)
    app = kit.wrap(_ContactApi(store, stids).app())
    return AutoDnsSandbox(app=app, kit=kit, store=store, stids=stids)


class TaskError(Exception):
    """Ends a task with an error envelope of this HTTP status and these messages."""

    def __init__(self, http_status: int, messages: Sequence[Message]) -> None:
        super().__init__(", ".join(m.code for m in messages))
        self.http_status = http_status
        self.messages = tuple(messages)


@dataclass(frozen=True, slots=True)
class TaskResult:
    """What a successful task returns beside its status."""

    obj: ObjectRef | None = None
    data: tuple[dict[str, Any], ...] = ()


_Task = Callable[[Request, str], Awaitable[TaskResult]]


class _ContactApi:
    """The contact task handlers over one store."""

    def __init__(self, store: ContactStore, stids: StidCounter) -> None:
        self._store = store
        self._stids = stids

    def app(self) -> Starlette:
        by_id = "/v1/contact/{id:path}"
        routes = [
            Route("/v1/contact", self._endpoint("0301", self._create), methods=["POST"]),
            Route("/v1/contact/_search", self._endpoint("0304", self._search), methods=["POST"]),
            Route(by_id, self._endpoint("0304", self._info), methods=["GET"]),
            Route(by_id, self._endpoint("0302", self._update), methods=["PUT"]),
            Route(by_id, self._endpoint("0303", self._delete), methods=["DELETE"]),
            Route("/{rest:path}", self._unknown, methods=_ALL_METHODS),
        ]
        return Starlette(routes=routes)

    def _endpoint(self, task: str, handler: _Task) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            user = _authenticate(request)
            if user is None:
                return self._auth_failed()
            try:
                result = await handler(request, user)
            except TaskError as exc:
                envelope = error_envelope(
                    self._stids.next(), f"E{task}", _TEXTS[task][1], exc.messages
                )
                return _respond(envelope, exc.http_status)
            ok_text = _TEXTS[task][0]
            stid = self._stids.next()
            return _respond(
                success_envelope(stid, f"S{task}", ok_text, obj=result.obj, data=result.data)
            )

        return endpoint

    # --- tasks --------------------------------------------------------------------------

    async def _create(self, request: Request, user: str) -> TaskResult:
        force = _force_flag(request)
        body = await _json_object(request)
        _raise_problems(contact_problems(body), body)
        alias = str(body["alias"]).strip()
        if alias in INTERNAL_ERROR_ALIASES:
            raise _task_error(500, INTERNAL_ERROR_ALIASES[alias], ("alias", alias))
        same = None if force else self._store.find_same(user, body)
        if same is not None:
            raise _task_error(409, ErrorCode.DUPLICATE, ("Contact", str(same.id)))
        return _contact_result(self._store.create(user, body))

    async def _update(self, request: Request, user: str) -> TaskResult:
        contact = self._owned_contact(request, user)
        body = await _json_object(request)
        if "id" in body and str(body["id"]) != str(contact.id):
            raise _bad_request("the id in the body differs from the id in the path")
        merged: dict[str, Any] = {**contact.fields}
        merged.update((k, body[k]) for k in WRITABLE_FIELDS if k in body)
        _raise_problems(contact_problems(merged), merged)
        self._store.update(contact, merged, user)
        return _contact_result(contact)

    async def _delete(self, request: Request, user: str) -> TaskResult:
        contact = self._owned_contact(request, user)
        if contact.domains:
            raise _task_error(409, ErrorCode.IN_USE, *(("domain", d) for d in contact.domains))
        self._store.delete(contact)
        return TaskResult(obj=ObjectRef("Contact", str(contact.id)))

    async def _info(self, request: Request, user: str) -> TaskResult:
        return _contact_result(self._owned_contact(request, user))

    async def _search(self, request: Request, user: str) -> TaskResult:
        body = await _json_object(request, empty_ok=True)
        try:
            page, total = run_search(self._store.owned_by(user), parse_search(body))
        except SearchError as exc:
            raise _bad_request(str(exc)) from exc
        return TaskResult(ObjectRef("Contact", summary=total), tuple(c.to_json() for c in page))

    def _owned_contact(self, request: Request, user: str) -> StoredContact:
        """The contact named by the path id, if this user may see it; else a TaskError."""
        raw = request.path_params["id"]
        if not raw:
            raise _task_error(400, ErrorCode.ID_OR_ALIAS_MISSING, ("id", ""))
        contact = self._store.contacts.get(int(raw)) if _ID.fullmatch(raw) else None
        if contact is None:
            raise _task_error(404, ErrorCode.NOT_FOUND, ("id", raw))
        if contact.owner != user:
            raise _task_error(403, ErrorCode.NOT_AUTHORISED, ("id", raw))
        return contact

    # --- answers outside a task -----------------------------------------------------------

    async def _unknown(self, request: Request) -> Response:
        status = 405 if request.url.path.startswith("/v1/contact") else 404
        text = "Method not allowed." if status == 405 else "Unknown resource."
        message = error_message(ErrorCode.UNKNOWN_RESOURCE, text, [("path", request.url.path)])
        envelope = error_envelope(self._stids.next(), GENERAL_ERROR, text, [message])
        return _respond(envelope, status)

    def _auth_failed(self) -> Response:
        text = "Authentication failed: check user, password and X-Domainrobot-Context."
        message = error_message(ErrorCode.AUTH_FAILED, text)
        envelope = error_envelope(
            self._stids.next(), GENERAL_ERROR, "Authentication error.", [message]
        )
        return _respond(envelope, 401, {"WWW-Authenticate": 'Basic realm="AutoDNS"'})


class _FaultResponder:
    """AutoDNS-shaped bodies for the kit's injected faults."""

    def __init__(self, stids: StidCounter) -> None:
        self._stids = stids

    def error_response(self, status: int) -> Response:
        text = f"Service error (HTTP {status})."
        message = error_message(ErrorCode.SERVER_ERROR, text)
        return _respond(error_envelope(self._stids.next(), GENERAL_ERROR, text, [message]), status)

    def rate_limited_response(self, retry_after_s: float) -> Response:
        seconds = max(0, math.ceil(retry_after_s))
        text = "Too many requests."
        message = error_message(ErrorCode.RATE_LIMITED, text, [("retry-after", str(seconds))])
        envelope = error_envelope(self._stids.next(), GENERAL_ERROR, text, [message])
        return _respond(envelope, 429, {"Retry-After": str(seconds)})


# --- helpers ----------------------------------------------------------------------------

_ALL_METHODS: Final = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _authenticate(request: Request) -> str | None:
    """The account named by valid Basic credentials and the right context, else None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, sep, password = base64.b64decode(token, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    expected = ACCOUNTS.get(user)
    context = request.headers.get("x-domainrobot-context", "")
    if not sep or expected is None or not hmac.compare_digest(password.encode(), expected.encode()):
        return None
    return user if hmac.compare_digest(context.encode(), CONTEXT.encode()) else None


def _force_flag(request: Request) -> bool:
    keys = request.query_params.getlist("keys[]")
    unknown = [k for k in keys if k != FORCE_HANDLE_CREATE]
    if unknown:
        raise _bad_request(f"unknown key {unknown[0]!r}")
    return bool(keys)


async def _json_object(request: Request, *, empty_ok: bool = False) -> dict[str, Any]:
    body = await request.body()
    if not body.strip() and empty_ok:
        return {}
    if len(body) > MAX_BODY:
        raise _bad_request("request body too large")
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise _bad_request("request body is not valid JSON") from exc
    if not isinstance(parsed, dict):
        raise _bad_request("request body must be a JSON object")
    return parsed


def _contact_result(contact: StoredContact) -> TaskResult:
    return TaskResult(ObjectRef("Contact", str(contact.id)), (contact.to_json(),))


def _raise_problems(problems: Sequence[Problem], contact: Mapping[str, Any]) -> None:
    """A 400 TaskError with one message per problem, naming the field and its value."""
    if problems:
        messages = [
            error_message(p.code, p.message, [(p.field, _shown(contact.get(p.field)))])
            for p in problems
        ]
        raise TaskError(400, messages)


def _shown(value: object) -> str:
    """A field value as a message object shows it: lines joined, at most 256 characters."""
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    return "" if value is None else str(value)[:256]


def _task_error(status: int, code: ErrorCode, *objects: tuple[str, str]) -> TaskError:
    return TaskError(status, [error_message(code, _MESSAGE_TEXT.get(code, code.name), objects)])


def _bad_request(text: str) -> TaskError:
    return TaskError(400, [error_message(ErrorCode.BAD_REQUEST, text)])


def _respond(
    envelope: Envelope, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return JSONResponse(envelope_to_json(envelope), status_code=status, headers=headers)
