"""The Spark Platform sandbox: a local emulator of Spark's contacts API over seeded data.

`create_spark_sandbox()` returns the Starlette app (provider paths plus the `/_sandbox`
control API from `providers.sandboxing`), the kit and the store. It speaks the API of
`shared/providers/spark.md`:

    GET/POST        /v1/contacts                list (search + paging) / create
    GET             /v1/contacts/unconnected    the office's Unconnected contacts
    GET/PUT/DELETE  /v1/contacts/{Id}           one contact / update or transfer / delete
    GET/PUT         /v1/my/contact              the token user's own contact

Checks run in this order: path (404) and method (405, Code 405), token (401, Code 1000),
role (VOW/Portal off `/my/contact` 403/1500; Public writes 405/1017), body (400/1035),
then parameters and attributes. HTTPS (1030) is not enforced: the sandbox serves loopback.

Decisions on points spark.md leaves open (the adapter is written against these):
- a transfer to an agent of another office is 403 with Code 1018; to an unknown agent 400/1053;
  transfers do not check duplicate emails at the new owner;
- validation reports every problem in one `Errors` list; the Code is 1050 when a required
  attribute is missing and 1053 otherwise; an empty update body is a successful no-op;
- a contact created with `RecordStatus: "Unconnected"` has no owner and joins the office's
  unconnected pool; an Unconnected contact updated to Connected joins the caller;
- duplicate primary emails (409/1055) are checked among the same owner's contacts (or the
  office's unconnected pool), case-insensitively;
- VowActive counts 30 days back from the store's fixed reference time (2026-01-01Z).
See `sparkql` for the `_filter` decisions and `sandbox_query` for paging and ordering.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from providers.sandboxing import SandboxKit
from providers.spark.sandbox_data import (
    AGENT_A_ID,
    AGENT_B_ID,
    AGENT_C_ID,
    IDX_TOKEN,
    OTHER_AGENT_TOKEN,
    PORTAL_TOKEN,
    PRIVATE_TOKEN,
    PUBLIC_TOKEN,
    REPLICATION_TOKEN,
    SPARK_SANDBOX_TOKENS,
    VOW_TOKEN,
    SparkStore,
)
from providers.spark.sandbox_query import parse_expand, parse_list, parse_select, run_list
from providers.spark.sandbox_records import Principal, StoredContact
from providers.spark.sandbox_render import View, render
from providers.spark.sandbox_schema import (
    MY_CONTACT_PERMITTED,
    SparkApiError,
    check_transfer,
    check_write,
    error_item,
)

__all__ = [
    "AGENT_A_ID",
    "AGENT_B_ID",
    "AGENT_C_ID",
    "IDX_TOKEN",
    "OTHER_AGENT_TOKEN",
    "PORTAL_TOKEN",
    "PRIVATE_TOKEN",
    "PUBLIC_TOKEN",
    "REPLICATION_TOKEN",
    "SPARK_SANDBOX_TOKENS",
    "VOW_TOKEN",
    "SparkFaultResponder",
    "SparkSandbox",
    "SparkStore",
    "create_spark_sandbox",
]

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_WRITES = frozenset({"POST", "PUT", "DELETE"})
_CONTACT_ID = re.compile(r"\d{23}")
_FAULT_CODES = {503: 1510, 504: 1515}
_FAULT_MESSAGES = {1510: "temporarily unavailable", 1515: "took too long and was cancelled"}

Handler = Callable[[Request, Principal], Awaitable[Response]]


class SparkFaultResponder:
    """Injected faults in Spark's own terms: `D` envelopes with Spark codes."""

    def error_response(self, status: int) -> Response:
        code = _FAULT_CODES.get(status, status)
        message = _FAULT_MESSAGES.get(code, "injected failure")
        return _envelope({"Success": False, "Code": code, "Message": message}, status)

    def rate_limited_response(self, retry_after_s: float) -> Response:
        seconds = max(1, math.ceil(retry_after_s))
        body = {"D": {"Success": False, "Code": 1550, "Message": "over rate limit"}}
        return JSONResponse(body, status_code=429, headers={"Retry-After": str(seconds)})


@dataclass(frozen=True, slots=True)
class SparkSandbox:
    app: Starlette
    kit: SandboxKit
    store: SparkStore


def create_spark_sandbox(*, seed: int = 7, contact_count: int = 300) -> SparkSandbox:
    """A ready sandbox: the same seed always gives the same data."""
    store = SparkStore(seed=seed, contact_count=contact_count)
    kit = SandboxKit(SparkFaultResponder(), reseed=store.reseed, seed=seed)
    return SparkSandbox(app=kit.wrap(_SparkApi(store).app()), kit=kit, store=store)


def _envelope(inner: Mapping[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse({"D": inner}, status_code=status)


def _success(results: list[dict[str, Any]] | None = None, status: int = 200) -> JSONResponse:
    inner: dict[str, Any] = {"Success": True}
    if results is not None:
        inner["Results"] = results
    return _envelope(inner, status)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (unknown path, exotic method) in Spark's envelope."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = "not found" if status == 404 else "method not allowed"
    return _envelope({"Success": False, "Code": status, "Message": message}, status)


def _now() -> datetime:
    return datetime.now(UTC)


class _SparkApi:
    """The provider paths; every handler gets an authenticated, authorized principal."""

    def __init__(self, store: SparkStore) -> None:
        self.store = store

    def app(self) -> Starlette:
        routes = [
            self._route("/v1/contacts", GET=self.list_contacts, POST=self.create_contact),
            self._route("/v1/contacts/unconnected", GET=self.list_unconnected),
            self._route(
                "/v1/contacts/{contact_id}",
                GET=self.get_contact,
                PUT=self.update_contact,
                DELETE=self.delete_contact,
            ),
            self._route("/v1/my/contact", my=True, GET=self.get_my_contact, PUT=self.update_my),
        ]
        app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
        app.router.redirect_slashes = False
        return app

    def _route(self, path: str, *, my: bool = False, **handlers: Handler) -> Route:
        async def endpoint(request: Request) -> Response:
            try:
                handler = handlers.get(request.method)
                if handler is None:
                    raise SparkApiError(405, 405, "method not allowed on this resource")
                principal = self._authenticate(request)
                _authorize(principal, request.method, my)
                return await handler(request, principal)
            except SparkApiError as exc:
                return JSONResponse(exc.body(), status_code=exc.status)

        return Route(path, endpoint, methods=_METHODS)

    def _authenticate(self, request: Request) -> Principal:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        principal = None
        if scheme.lower() in ("bearer", "oauth"):
            principal = self.store.principal(token.strip())
        if principal is None:
            raise SparkApiError(401, 1000, "Invalid API key and/or request signed improperly")
        return principal

    # ------------------------------------------------------------------ reads

    async def list_contacts(self, request: Request, principal: Principal) -> Response:
        return self._list(request, principal, unconnected=False)

    async def list_unconnected(self, request: Request, principal: Principal) -> Response:
        return self._list(request, principal, unconnected=True)

    def _list(self, request: Request, principal: Principal, *, unconnected: bool) -> Response:
        params = parse_list(request.query_params, principal)
        candidates = self.store.listed(principal, unconnected=unconnected)
        result = run_list(candidates, params, self.store.reference_time)
        view = self._view(params.select, params.expand, single=False)
        inner: dict[str, Any] = {"Success": True, "Results": [render(c, view) for c in result.rows]}
        if result.pagination is not None:
            inner["Pagination"] = result.pagination
        return _envelope(inner)

    async def get_contact(self, request: Request, principal: Principal) -> Response:
        contact = self._reachable(request, principal)
        return self._one(request, principal, contact, my=False)

    async def get_my_contact(self, request: Request, principal: Principal) -> Response:
        return self._one(request, principal, self._own(principal), my=True)

    def _one(
        self, request: Request, principal: Principal, contact: StoredContact, *, my: bool
    ) -> Response:
        expand = parse_expand(request.query_params, principal, my=my)
        view = self._view(parse_select(request.query_params), expand, single=True)
        return _success([render(contact, view)])

    def _view(self, select: frozenset[str] | None, expand: tuple[str, ...], single: bool) -> View:
        counts = self.store.email_counts() if "UniquePrimaryEmail" in expand else None
        return View(select, expand, single, self.store.reference_time, counts)

    def _reachable(self, request: Request, principal: Principal) -> StoredContact:
        contact_id = str(request.path_params["contact_id"])
        contact = None
        if _CONTACT_ID.fullmatch(contact_id):
            contact = self.store.reachable(principal, contact_id)
        if contact is None:
            raise SparkApiError(404, 404, "contact not found")
        return contact

    def _own(self, principal: Principal) -> StoredContact:
        contact = self.store.own_contact(principal)
        if contact is None:
            raise SparkApiError(404, 404, "this user has no contact record")
        return contact

    # ------------------------------------------------------------------ writes

    async def create_contact(self, request: Request, principal: Principal) -> Response:
        changes = check_write(await _read_body(request), current=None)
        connected = changes.get("RecordStatus", "Connected") == "Connected"
        owner = principal.agent_id if connected else None
        self._refuse_duplicate(changes["PrimaryEmail"], owner, principal.office_id, skip="")
        contact = self.store.create(changes, principal, _now())
        uri = contact.attrs["ResourceUri"]
        return _success([{"ResourceUri": uri, "Id": contact.id}], status=201)

    async def update_contact(self, request: Request, principal: Principal) -> Response:
        contact = self._reachable(request, principal)
        body = await _read_body(request)
        if "OwnerId" in body:
            return self._transfer(contact, body, principal)
        self._apply(contact, check_write(body, current=contact.attrs), principal)
        return _success()

    async def update_my(self, request: Request, principal: Principal) -> Response:
        contact = self._own(principal)
        body = await _read_body(request)
        changes = check_write(body, current=contact.attrs, permitted=MY_CONTACT_PERMITTED)
        self._apply(contact, changes, principal)
        return _success()

    async def delete_contact(self, request: Request, principal: Principal) -> Response:
        contact = self._reachable(request, principal)
        self.store.delete(contact.id)
        return _success()

    def _apply(self, contact: StoredContact, changes: dict[str, Any], principal: Principal) -> None:
        becomes_connected = not contact.connected and changes.get("RecordStatus") == "Connected"
        if "PrimaryEmail" in changes or becomes_connected:
            owner = principal.agent_id if becomes_connected else contact.owner_id
            email = changes.get("PrimaryEmail", contact.attrs["PrimaryEmail"])
            self._refuse_duplicate(email, owner, contact.office_id, skip=contact.id)
        self.store.update(contact, changes, principal, _now())

    def _refuse_duplicate(self, email: str, owner: str | None, office: str, skip: str) -> None:
        if self.store.email_taken(email, owner, office, skip):
            raise SparkApiError(409, 1055, "a contact with this primary email already exists")

    def _transfer(
        self, contact: StoredContact, body: Mapping[str, Any], principal: Principal
    ) -> Response:
        agent = self.store.agents.get(check_transfer(body))
        if agent is None:
            message = "OwnerId is not a known agent"
            item = error_item("InvalidAttribute", "OwnerId", message)
            raise SparkApiError(400, 1053, message, [item])
        if agent.office_id != principal.office_id:
            raise SparkApiError(403, 1018, "transfers are limited to agents of your office")
        self.store.transfer(contact, agent, _now())
        return _success()


def _authorize(principal: Principal, method: str, my: bool) -> None:
    """Spark's role table: VOW/Portal see only /my/contact; Public never writes."""
    if principal.role in ("VOW", "Portal") and not my:
        raise SparkApiError(403, 1500, f"not available to the {principal.role} role")
    if principal.role == "Public" and method in _WRITES:
        raise SparkApiError(405, 1017, "read-only access: POST, PUT and DELETE are forbidden")


async def _read_body(request: Request) -> dict[str, Any]:
    """The `D` object of a JSON body, or 1035 for anything else."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json":
        raise SparkApiError(400, 1035, "Content-Type must be application/json")
    try:
        payload = json.loads(await request.body(), parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise SparkApiError(400, 1035, "the body is not valid JSON") from exc
    inner = payload.get("D") if isinstance(payload, dict) and set(payload) == {"D"} else None
    if not isinstance(inner, dict):
        raise SparkApiError(400, 1035, 'the body must be a JSON object {"D": {...}}')
    return inner


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")
