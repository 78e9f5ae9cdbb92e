"""A faithful local emulator of IS24's realtor-contact resource (a real Starlette app).

    POST   /restapi/api/offer/v1.0/user/{username}/contact            201 + Location
    GET    /restapi/api/offer/v1.0/user/{username}/contact            the list, no paging
    GET    /restapi/api/offer/v1.0/user/{username}/contact/{id}
    GET    /restapi/api/offer/v1.0/user/{username}/contact/ext-{externalId}
    PUT    /restapi/api/offer/v1.0/user/{username}/contact/{id}       200 MESSAGE_RESOURCE_UPDATED
    DELETE /restapi/api/offer/v1.0/user/{username}/contact/{id}       200 MESSAGE_RESOURCE_DELETED

Every request must carry a valid OAuth 1.0a HMAC-SHA1 signature over the URL as
received (`oauth.request_url`), with the sandbox system key and a user's token;
`username` is that user's name or `me`. The path is parsed from the *raw* path:
an encoded "/" (%2F) inside `ext-…` is part of the external id, never a separator,
dot segments are refused, and ids are only dictionary keys of the caller's own
contacts, so no id can reach another resource or another user's contact.

Decisions where IS24 documents nothing (the adapter relies on them):
- Duplicates answer 400 ERROR_RESOURCE_DUPLICATE, naming the existing id (like IS24's
  other validation failures); `rules` says what counts as a duplicate. An externalId
  used by another contact of the same user is refused the same way (it would make
  `ext-…` ambiguous).
- Another user's name in the path → 403 ERROR_COMMON_ACCESS_DENIED; a bad, missing,
  stale or replayed signature → 401 ERROR_COMMON_ACCESS_DENIED.
- PUT replaces the contact (absent fields are cleared), keeping the read-only
  realEstateReferenceCount. `defaultContact` true moves the default to this contact;
  false on the default contact is ignored, as every account keeps one default.
- A complete number sent without parts is read back as sent (no parts are invented).
- Unknown fields and malformed values → 400 ERROR_REQUEST_DATA_NOT_VALID; bodies
  over 64 KiB → 413; other content types → 415; `ext-` supports GET only (405).
- Injected faults answer in XML (the responder does not see the request's Accept).
- Real IS24 requires HTTPS; the sandbox is plain HTTP on loopback.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from providers.is24 import rules
from providers.is24.oauth import (
    OAuthError,
    ReplayGuard,
    SignatureVerifier,
    raw_path,
    request_url,
)
from providers.is24.sandbox_data import (
    ACCESS_TOKEN,
    ACCOUNTS,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    OTHER_ACCESS_TOKEN,
    OTHER_TOKEN_SECRET,
    OTHER_USERNAME,
    TOKEN_SECRET,
    USERNAME,
    Account,
    Is24Store,
    read_view,
)
from providers.is24.xml_codec import (
    MAX_BODY_BYTES,
    ContactDoc,
    Is24CodecError,
    MediaType,
    Message,
    UnsafeXml,
    decode_contact,
    encode_contact,
    encode_contact_list,
    encode_messages,
    xml_safe,
)
from providers.sandboxing import SandboxKit

__all__ = [
    "ACCESS_TOKEN",
    "API_PREFIX",
    "CONSUMER_KEY",
    "CONSUMER_SECRET",
    "OTHER_ACCESS_TOKEN",
    "OTHER_TOKEN_SECRET",
    "OTHER_USERNAME",
    "TOKEN_SECRET",
    "USERNAME",
    "Is24FaultResponder",
    "Is24Sandbox",
    "create_is24_sandbox",
]

API_PREFIX = "/restapi/api/offer/v1.0/user/"
ACCESS_DENIED = "ERROR_COMMON_ACCESS_DENIED"
NOT_FOUND = "ERROR_RESOURCE_NOT_FOUND"
RESOURCE_VALIDATION = "ERROR_RESOURCE_VALIDATION"
INTERNAL_ERROR = "ERROR_COMMON_INTERNAL_SERVER_ERROR"
TOO_MANY_REQUESTS = "ERROR_COMMON_TOO_MANY_REQUESTS"  # inferred; IS24 documents no 429 code
METHOD_NOT_ALLOWED = "ERROR_COMMON_METHOD_NOT_ALLOWED"  # inferred
_USERNAME = re.compile(r"[A-Za-z0-9._@+-]{1,64}")
_CONTACT_ID = re.compile(r"[0-9]{1,19}")
_CONTENT_TYPES = {"application/xml": MediaType.XML, "text/xml": MediaType.XML,
                  "application/json": MediaType.JSON}  # fmt: skip


class ApiError(Exception):
    """An IS24 error answer: status plus one or more `common:messages` entries."""

    def __init__(
        self, status: int, messages: list[Message], headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(messages[0].text if messages else str(status))
        self.status = status
        self.messages = messages
        self.headers = headers or {}


def _error(status: int, code: str, text: str) -> ApiError:
    return ApiError(status, [Message(code, text)])


def messages_response(
    status: int, messages: list[Message], media: MediaType, headers: dict[str, str] | None = None
) -> Response:
    """A `common:messages` answer; texts are made XML-safe since some echo the request."""
    safe = [Message(m.code, xml_safe(m.text), None if m.id is None else xml_safe(m.id))
            for m in messages]  # fmt: skip
    return _document(status, encode_messages(safe, media), media, headers)


def _document(
    status: int, body: bytes, media: MediaType, headers: dict[str, str] | None = None
) -> Response:
    return Response(body, status, headers, media_type=f"{media.value};charset=UTF-8")


# ---------------------------------------------------------------- negotiation


def _quality(params: str) -> float:
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def response_media(accept: str | None) -> MediaType:
    """JSON when the client prefers application/json, else XML (also for no Accept)."""
    best, best_q = MediaType.XML, 0.0
    for item in (accept or "").split(","):
        kind, _, params = item.partition(";")
        media = _CONTENT_TYPES.get(kind.strip().lower())
        quality = _quality(params)
        if media is not None and quality > best_q:
            best, best_q = media, quality
    return best


def request_media(content_type: str | None) -> MediaType:
    """The body's media type from Content-Type; anything else is 415."""
    media = _CONTENT_TYPES.get((content_type or "").partition(";")[0].strip().lower())
    if media is None:
        text = "Content-Type must be application/xml or application/json"
        raise _error(415, rules.NOT_VALID, text)
    return media


# ---------------------------------------------------------------- paths


@dataclass(frozen=True, slots=True)
class Target:
    """What a request path names; `path_username` is the segment exactly as sent."""

    path_username: str
    username: str
    contact_id: str | None = None
    external_id: str | None = None

    @property
    def is_collection(self) -> bool:
        return self.contact_id is None and self.external_id is None


def _not_found(text: str = "no such resource") -> ApiError:
    return _error(404, NOT_FOUND, text)


def _decoded(segment: str) -> str:
    """Percent-decode one raw segment exactly once; invalid UTF-8 names nothing."""
    try:
        return unquote(segment, errors="strict")
    except UnicodeDecodeError as exc:
        raise _not_found() from exc


def _item(path_username: str, username: str, ref: str) -> Target:
    if ref.startswith("ext-"):
        external_id = _decoded(ref.removeprefix("ext-"))
        if not external_id or xml_safe(external_id) != external_id:
            raise _not_found()
        return Target(path_username, username, external_id=external_id)
    if not _CONTACT_ID.fullmatch(ref):
        raise _not_found(f"Resource [contact] with id [{xml_safe(_decoded(ref))}] not found.")
    return Target(path_username, username, contact_id=ref)


def parse_target(raw_path: str) -> Target:
    """Parse the raw (still percent-encoded) path; only a literal '/' separates segments."""
    if not raw_path.startswith(API_PREFIX):
        raise _not_found()
    segments = raw_path.removeprefix(API_PREFIX).split("/")
    if len(segments) == 3 and segments[2] == "":
        segments.pop()  # a trailing slash on the collection
    if len(segments) not in (2, 3) or segments[1] != "contact":
        raise _not_found()
    username = _decoded(segments[0])
    if username in (".", "..") or not _USERNAME.fullmatch(username):
        raise _not_found()
    if len(segments) == 2:
        return Target(segments[0], username)
    return _item(segments[0], username, segments[2])


# ---------------------------------------------------------------- the API


@dataclass(frozen=True, slots=True)
class Call:
    """One authorised request on its way to a handler."""

    request: Request
    username: str
    target: Target
    media: MediaType


Handler = Callable[[Call], Awaitable[Response]]


class ContactApi:
    """Handlers of the contact resource over one store and one signature verifier."""

    def __init__(self, store: Is24Store, verifier: SignatureVerifier) -> None:
        self.store = store
        self.verifier = verifier
        self._accounts = {account.token: account for account in ACCOUNTS}

    def app(self) -> Starlette:
        methods = ["GET", "POST", "PUT", "DELETE"]
        route = Route(API_PREFIX + "{rest:path}", self.endpoint, methods=methods)
        handlers = {404: _http_error, 405: _http_error}
        return Starlette(routes=[route], exception_handlers=handlers)

    async def endpoint(self, request: Request) -> Response:
        media = response_media(request.headers.get("accept"))
        try:
            return await self._handle(request, media)
        except ApiError as exc:
            return messages_response(exc.status, exc.messages, media, exc.headers)

    async def _handle(self, request: Request, media: MediaType) -> Response:
        account = self._authenticate(request)
        target = parse_target(raw_path(request.scope))
        if target.username not in ("me", account.username):
            raise _error(403, ACCESS_DENIED, f"access to user [{target.username}] is denied")
        handler = self._route(request.method, target)
        return await handler(Call(request, account.username, target, media))

    def _authenticate(self, request: Request) -> Account:
        url = request_url(request.scope)
        try:
            verified = self.verifier.verify(
                request.method, url, request.headers.get("authorization")
            )
        except OAuthError as exc:
            error = _error(401, ACCESS_DENIED, f"access denied: {exc}")
            error.headers["WWW-Authenticate"] = 'OAuth realm="is24-sandbox"'
            raise error from exc
        return self._accounts[verified.token]

    def _route(self, method: str, target: Target) -> Handler:
        method = "GET" if method == "HEAD" else method
        if target.is_collection:
            table = {"GET": self._list, "POST": self._create}
        elif target.external_id is not None:
            table = {"GET": self._read}
        else:
            table = {"GET": self._read, "PUT": self._update, "DELETE": self._delete}
        if method not in table:
            raise _error(405, METHOD_NOT_ALLOWED, f"{method} is not allowed on this resource")
        return table[method]

    # ------------------------------------------------------------ handlers

    async def _list(self, call: Call) -> Response:
        docs = [read_view(cid, doc) for cid, doc in self.store.of(call.username).items()]
        return _document(200, encode_contact_list(docs, call.media), call.media)

    async def _read(self, call: Call) -> Response:
        contact_id = self._existing_id(call)
        doc = read_view(contact_id, self.store.of(call.username)[contact_id])
        return _document(200, encode_contact(doc, call.media), call.media)

    async def _create(self, call: Call) -> Response:
        doc = await _read_contact(call.request)
        self._check(call.username, doc, None)
        contact_id = self.store.add(call.username, doc)
        if doc.get("defaultContact") is True:
            self.store.make_default(call.username, contact_id)
        location = (
            f"{_origin(call.request)}{API_PREFIX}{call.target.path_username}/contact/{contact_id}"
        )
        text = f"Resource [contact] with id [{contact_id}] has been created."
        message = Message("MESSAGE_RESOURCE_CREATED", text, contact_id)
        return messages_response(201, [message], call.media, {"Location": location})

    async def _update(self, call: Call) -> Response:
        contact_id = self._existing_id(call)
        current = self.store.of(call.username)[contact_id]
        doc = await _read_contact(call.request)
        self._check(call.username, doc, contact_id)
        doc["realEstateReferenceCount"] = current.get("realEstateReferenceCount", 0)
        becomes_default = doc.get("defaultContact") is True
        doc["defaultContact"] = becomes_default or current.get("defaultContact") is True
        self.store.replace(call.username, contact_id, doc)
        if becomes_default:
            self.store.make_default(call.username, contact_id)
        text = f"Resource [contact] with id [{contact_id}] has been updated."
        return messages_response(200, [Message("MESSAGE_RESOURCE_UPDATED", text)], call.media)

    async def _delete(self, call: Call) -> Response:
        contact_id = self._existing_id(call)
        if self.store.of(call.username)[contact_id].get("defaultContact") is True:
            raise _error(412, RESOURCE_VALIDATION, "default contact can not be deleted")
        self.store.remove(call.username, contact_id)
        text = f"Resource [contact] with id [{contact_id}] has been deleted."
        return messages_response(200, [Message("MESSAGE_RESOURCE_DELETED", text)], call.media)

    # ------------------------------------------------------------ helpers

    def _existing_id(self, call: Call) -> str:
        """The id of the caller's contact the target names, or 404."""
        target = call.target
        if target.external_id is not None:
            found = self.store.id_by_external_id(call.username, target.external_id)
            if found is None:
                text = f"Resource [contact] with external id [{target.external_id}] not found."
                raise _not_found(text)
            return found
        assert target.contact_id is not None
        if self.store.get(call.username, target.contact_id) is None:
            raise _not_found(f"Resource [contact] with id [{target.contact_id}] not found.")
        return target.contact_id

    def _check(self, username: str, doc: ContactDoc, contact_id: str | None) -> None:
        """The documented rules, then the sandbox's externalId uniqueness; 400 on failure."""
        existing = self.store.of(username)
        problems = rules.contact_problems(doc, existing, contact_id=contact_id)
        if problems:
            raise ApiError(400, [Message(p.code, p.message) for p in problems])
        external_id = rules.text_of(doc, "externalId")
        owner = None if external_id is None else self.store.id_by_external_id(username, external_id)
        if owner is not None and owner != contact_id:
            text = f"externalId: already used by the contact with id [{owner}]"
            raise _error(400, rules.DUPLICATE, text)


def _origin(request: Request) -> str:
    host = request.headers.get("host") or request.url.netloc
    return f"{request.url.scheme}://{host}"


async def _read_body(request: Request) -> bytes:
    """The body, refusing (413) anything over the cap before it is read whole."""
    declared = request.headers.get("content-length", "")
    too_large = _error(413, rules.NOT_VALID, f"request body exceeds {MAX_BODY_BYTES} bytes")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    return bytes(body)


async def _read_contact(request: Request) -> ContactDoc:
    """Decode a request body strictly; read-only fields sent by the client are dropped."""
    media = request_media(request.headers.get("content-type"))
    body = await _read_body(request)
    try:
        doc = decode_contact(body, media, strict=True)
    except UnsafeXml as exc:
        text = "request body: DTDs, entities and external references are not allowed"
        raise _error(400, rules.NOT_VALID, text) from exc
    except Is24CodecError as exc:
        raise _error(400, rules.NOT_VALID, f"request body: {exc}") from exc
    doc.pop("@id", None)
    doc.pop("realEstateReferenceCount", None)
    return doc


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (paths outside the resource) in IS24's shape."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    code = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED}.get(status, INTERNAL_ERROR)
    media = response_media(request.headers.get("accept"))
    return messages_response(status, [Message(code, "no such resource or method")], media)


class Is24FaultResponder:
    """IS24-shaped bodies for the kit's injected faults."""

    def error_response(self, status: int) -> Response:
        if status >= 500:
            message = Message(INTERNAL_ERROR, "An internal server error occurred.")
        else:
            message = Message(rules.NOT_VALID, f"injected fault {status}")
        return messages_response(status, [message], MediaType.XML)

    def rate_limited_response(self, retry_after_s: float) -> Response:
        seconds = str(max(0, math.ceil(retry_after_s)))
        message = Message(TOO_MANY_REQUESTS, "Too many requests; retry later.")
        return messages_response(429, [message], MediaType.XML, {"Retry-After": seconds})


@dataclass(slots=True)
class Is24Sandbox:
    """The served app (provider API plus `/_sandbox/*`), its kit and its store."""

    app: Starlette
    kit: SandboxKit
    store: Is24Store
    verifier: SignatureVerifier


def create_is24_sandbox(
    *, seed: int = 11, contact_count: int = 60, clock: Callable[[], float] = time.time
) -> Is24Sandbox:
    """A seeded IS24 sandbox; `clock` is the OAuth timestamp clock (tests may fix it)."""
    store = Is24Store(seed=seed, contact_count=contact_count)
    tokens = {account.token: account.token_secret for account in ACCOUNTS}
    verifier = SignatureVerifier({CONSUMER_KEY: CONSUMER_SECRET}, tokens, ReplayGuard(clock=clock))
    kit = SandboxKit(Is24FaultResponder(), store.reset, seed=seed)
    app = kit.wrap(ContactApi(store, verifier).app())
    return Is24Sandbox(app=app, kit=kit, store=store, verifier=verifier)
