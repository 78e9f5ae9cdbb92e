"""HTTP to IS24's realtor-contact resource: one aiohttp session, OAuth 1.0a, both media types.

Every request is signed (HMAC-SHA1, `oauth.authorization_header`) over the exact URL
string that is then sent: the string is built already percent-encoded and handed to
aiohttp as `yarl.URL(url, encoded=True)`, so yarl cannot re-quote it after signing.
Ids are checked before any URL exists: contact ids are digits only; external ids go
into ONE path segment `ext-…` quoted with `safe=""` ("/" becomes %2F, "%" becomes
%25, and behind the `ext-` prefix a segment can never be "." or ".."); the final
path is asserted to be the user's contact collection or one segment below it.
Redirects are not followed (a redirect would need a new signature, and could lead
anywhere).

Bodies are capped while they stream in, then decoded with `xml_codec` by the
response's own Content-Type (IS24 may answer errors in XML to a JSON request); XML
is parsed by defusedxml with DTDs and entities forbidden, so a bomb or an external
entity fails before anything expands or is fetched. Everything aiohttp or the codec
raises becomes a `providers.errors` type here:

    timeout                           ProviderTimeout
    connection refused/reset          ProviderUnavailable
    401 / 403 (ACCESS_DENIED)         ProviderAuthFailed
    404                               NotFound
    400 ERROR_RESOURCE_DUPLICATE      DuplicateContact (existing id from the message)
    400 / 413 other codes             ValidationFailed, one FieldIssue per message,
                                      provider_code = IS24's message code
    412 (default contact delete)      ValidationFailed NOT_ALLOWED, ERROR_RESOURCE_VALIDATION
    405                               Unsupported
    429                               RateLimited (Retry-After)
    5xx                               ProviderUnavailable
    unreadable, unsafe, wrong type    ProviderProtocolError
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeVar
from urllib.parse import quote

import aiohttp
from yarl import URL

from providers.errors import (
    DuplicateContact,
    ErrorContext,
    FieldIssue,
    IssueCode,
    NotFound,
    ProviderAuthFailed,
    ProviderError,
    ProviderProtocolError,
    ProviderUnavailable,
    RateLimited,
    Unsupported,
    ValidationFailed,
)
from providers.http import DEFAULT_MAX_BODY, exchange, require_https
from providers.is24 import rules
from providers.is24.oauth import OAuthCredentials, authorization_header
from providers.is24.validation import CONTACT_ID, is_contact_id, is_external_id
from providers.is24.xml_codec import (
    ContactDoc,
    Is24CodecError,
    MediaType,
    Message,
    UnsafeXml,
    contact_list_from_json,
    contact_list_from_xml,
    contact_to_json,
    contact_to_xml,
    decode_contact,
    decode_messages,
)
from providers.model import ProviderName
from providers.telemetry import UpstreamObserver, new_session

MAX_BODY_BYTES: Final = DEFAULT_MAX_BODY
"""A whole contact list (IS24 has no paging); single contacts are capped by the codec."""
RESOURCE_VALIDATION: Final = "ERROR_RESOURCE_VALIDATION"
_PROVIDER: Final = ProviderName.IS24
_USERNAME: Final = re.compile(r"[A-Za-z0-9._@+-]{1,64}")
_RESPONSE_TYPES: Final[Mapping[str, MediaType]] = {
    "application/xml": MediaType.XML,
    "text/xml": MediaType.XML,
    "application/json": MediaType.JSON,
}
_EXISTING_ID: Final = re.compile(r"id \[([0-9]{1,19})\]")
_FIELD_NAME: Final = re.compile(r"[A-Za-z][A-Za-z.]*")
_LOCATION_ID: Final = re.compile(r"/contact/([0-9]{1,19})/?")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Is24ClientConfig:
    """Where and how to reach IS24; timeouts in seconds (RELIABILITY.md defaults)."""

    base_url: str
    consumer_key: str
    consumer_secret: str
    access_token: str
    token_secret: str
    username: str = "me"
    media_type: MediaType = MediaType.JSON
    connect_timeout: float = 2.0
    total_timeout: float = 4.0
    pool_limit: int = 20

    def __post_init__(self) -> None:
        require_https(self.base_url, "IS24")
        url = URL(self.base_url)
        if url.query_string or url.fragment:
            raise ValueError("the IS24 base URL takes no query or fragment")
        if self.username in (".", "..") or not _USERNAME.fullmatch(self.username):
            raise ValueError("the IS24 username is a login name or 'me'")

    @property
    def credentials(self) -> OAuthCredentials:
        return OAuthCredentials(
            self.consumer_key, self.consumer_secret, self.access_token, self.token_secret
        )


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def media(self) -> MediaType | None:
        kind = self.headers.get("Content-Type", "").partition(";")[0].strip().lower()
        return _RESPONSE_TYPES.get(kind)


class Is24Client:
    """The contact resource of one IS24 user; each method is one signed request."""

    def __init__(
        self,
        config: Is24ClientConfig,
        session: aiohttp.ClientSession | None = None,
        observers: Sequence[UpstreamObserver] = (),
    ) -> None:
        self.config = config
        self._credentials = config.credentials
        self._owns_session = session is None
        self._session = session or new_session(
            _PROVIDER,
            pool_limit=config.pool_limit,
            connect_timeout=config.connect_timeout,
            total_timeout=config.total_timeout,
            observers=observers,
        )
        base = str(URL(config.base_url)).rstrip("/")
        user = quote(config.username, safe="")
        self.collection_url = f"{base}/offer/v1.0/user/{user}/contact"
        self._collection_path = URL(self.collection_url, encoded=True).raw_path

    async def aclose(self) -> None:
        if self._owns_session:
            await self._session.close()

    # -- URLs ----------------------------------------------------------------------------

    def contact_url(self, contact_id: str) -> str:
        """The URL of one contact; only digits can get this far."""
        if not is_contact_id(contact_id):
            raise NotFound(f"no IS24 contact {contact_id!r}", provider=_PROVIDER)
        return self._checked(f"{self.collection_url}/{contact_id}")

    def external_url(self, external_id: str) -> str:
        """The URL of a contact by external id: one `ext-…` segment, quoted with safe=""."""
        if not is_external_id(external_id):
            raise NotFound("no IS24 contact with this external id", provider=_PROVIDER)
        return self._checked(f"{self.collection_url}/ext-{quote(external_id, safe='')}")

    def _checked(self, url: str) -> str:
        """Assert the URL names the collection or one segment right below it."""
        path = URL(url, encoded=True).raw_path
        tail = path.removeprefix(self._collection_path + "/")
        if tail == path or not tail or "/" in tail or tail in (".", ".."):
            raise NotFound("path escapes the IS24 contact resource", provider=_PROVIDER)
        return url

    # -- operations ----------------------------------------------------------------------

    async def list_contacts(self) -> list[ContactDoc]:
        """Every contact of the user (IS24's list has no paging and no filter)."""
        reply = await self._call("GET", self.collection_url)
        return _decoded(reply, _list_reader(_media(reply)))

    async def get(self, contact_id: str) -> ContactDoc:
        reply = await self._call("GET", self.contact_url(contact_id))
        return _decoded(reply, lambda body: decode_contact(body, _media(reply)))

    async def get_external(self, external_id: str) -> ContactDoc:
        reply = await self._call("GET", self.external_url(external_id))
        return _decoded(reply, lambda body: decode_contact(body, _media(reply)))

    async def create(self, doc: ContactDoc) -> str:
        """POST the contact; the new id from the Location header (else the message body)."""
        reply = await self._call("POST", self.collection_url, doc)
        if reply.status != 201:
            raise ProviderProtocolError(
                f"IS24 answered a create with HTTP {reply.status}", provider=_PROVIDER
            )
        return self._created_id(reply)

    async def update(self, contact_id: str, doc: ContactDoc) -> None:
        _acknowledged(await self._call("PUT", self.contact_url(contact_id), doc))

    async def delete(self, contact_id: str) -> None:
        _acknowledged(await self._call("DELETE", self.contact_url(contact_id)))

    def _created_id(self, reply: Reply) -> str:
        location = reply.headers.get("Location", "")
        match = _LOCATION_ID.search(URL(location).raw_path) if location else None
        if match is not None and match.end() == len(URL(location).raw_path):
            return match.group(1)
        ids = [m.id for m in _messages(reply) if m.id is not None]
        if ids and CONTACT_ID.fullmatch(ids[0]):
            return ids[0]
        raise ProviderProtocolError("IS24 did not say the new contact's id", provider=_PROVIDER)

    # -- the wire ------------------------------------------------------------------------

    async def _call(self, method: str, url: str, doc: ContactDoc | None = None) -> Reply:
        media = self.config.media_type
        headers = {
            "Authorization": authorization_header(method, url, self._credentials),
            "Accept": media.value,
        }
        body = None if doc is None else _encoded(doc, media)
        if body is not None:
            headers["Content-Type"] = f"{media.value};charset=UTF-8"
        reply = await self._send(method, url, headers, body)
        if reply.status >= 300:
            raise error_for(reply)
        return reply

    async def _send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> Reply:
        raw = await exchange(
            self._session,
            method,
            URL(url, encoded=True),
            provider=_PROVIDER,
            data=body,
            headers=headers,
            max_body=MAX_BODY_BYTES,
        )
        return Reply(raw.status, dict(raw.headers), raw.body)


def _encoded(doc: ContactDoc, media: MediaType) -> bytes:
    """A request body; XML declares only the `common` and `xlink` namespaces."""
    try:
        return (
            contact_to_xml(doc, response=False) if media is MediaType.XML else contact_to_json(doc)
        )
    except Is24CodecError as exc:  # validation runs first; this is the last line of defence
        field = (exc.field,) if exc.field else ()
        issue = FieldIssue(field, IssueCode.INVALID, str(exc), rules.NOT_VALID)
        raise ValidationFailed([issue], provider=_PROVIDER, provider_code=rules.NOT_VALID) from exc


# ---------------------------------------------------------------- decoding


def _media(reply: Reply) -> MediaType:
    media = reply.media
    if media is None:
        kind = reply.headers.get("Content-Type", "")
        raise ProviderProtocolError(f"IS24 answered with content type {kind!r}", provider=_PROVIDER)
    return media


def _list_reader(media: MediaType) -> Callable[[bytes], list[ContactDoc]]:
    reader = contact_list_from_xml if media is MediaType.XML else contact_list_from_json
    return lambda body: reader(body, max_bytes=MAX_BODY_BYTES)


def _decoded(reply: Reply, read: Callable[[bytes], T]) -> T:
    try:
        return read(reply.body)
    except UnsafeXml as exc:
        raise ProviderProtocolError(
            "IS24 answered with a DTD, entities or external references; refused unread",
            provider=_PROVIDER,
        ) from exc
    except Is24CodecError as exc:
        raise ProviderProtocolError(
            f"unreadable IS24 response (HTTP {reply.status}): {exc}", provider=_PROVIDER
        ) from exc


def _acknowledged(reply: Reply) -> None:
    """A 2xx write answer must be IS24's own (its messages, or nothing): an HTML page or a
    broken document with 200 may come from something in between, not from IS24."""
    if reply.body:
        _decoded(reply, lambda body: decode_messages(body, _media(reply)))


def _messages(reply: Reply) -> list[Message]:
    """The `common:messages` of a reply; empty when there are none we can read."""
    media = reply.media
    if media is None or not reply.body:
        return []
    try:
        return decode_messages(reply.body, media)
    except Is24CodecError:
        return []


# ---------------------------------------------------------------- errors


def error_for(reply: Reply) -> ProviderError:
    """The provider error for a failed IS24 answer; clients branch on the message code."""
    status = reply.status
    messages = _messages(reply)
    first = messages[0] if messages else None
    text = first.text if first else f"IS24 answered HTTP {status}"
    ctx: ErrorContext = {"provider": _PROVIDER, "provider_code": first.code if first else None}
    if status == 429:
        return RateLimited(text, retry_after=_retry_after(reply.headers), **ctx)
    if status in (401, 403):
        return ProviderAuthFailed(text, **ctx)
    if status == 404:
        return NotFound(text, **ctx)
    if status >= 500:
        return ProviderUnavailable(text, retry_after=_retry_after(reply.headers), **ctx)
    if status == 412:
        ctx["provider_code"] = ctx["provider_code"] or RESOURCE_VALIDATION
        issue = FieldIssue((), IssueCode.NOT_ALLOWED, text, ctx["provider_code"])
        return ValidationFailed([issue], **ctx)
    if status == 405:
        return Unsupported(text, **ctx)
    if status in (400, 413, 422) and messages:
        return _rejection(messages, ctx)
    return ProviderProtocolError(f"unexpected IS24 answer HTTP {status}: {text}", **ctx)


def _rejection(messages: list[Message], ctx: ErrorContext) -> ProviderError:
    duplicate = next((m for m in messages if m.code == rules.DUPLICATE), None)
    if duplicate is not None:
        field = _field_of(duplicate.text)
        found = _EXISTING_ID.search(duplicate.text)
        return DuplicateContact(
            duplicate.text,
            field=(field,) if field and field != "contact" else (),
            existing_id=found.group(1) if found else None,
            provider=_PROVIDER,
            provider_code=rules.DUPLICATE,
        )
    return ValidationFailed([_issue(m) for m in messages], **ctx)


def _field_of(text: str) -> str:
    """IS24's message texts name the field first ("lastname: is mandatory")."""
    name, colon, _ = text.partition(":")
    return name if colon and _FIELD_NAME.fullmatch(name) else ""


def _issue(message: Message) -> FieldIssue:
    lowered = message.text.lower()
    kind = (
        IssueCode.REQUIRED if "mandatory" in lowered or "required" in lowered else IssueCode.INVALID
    )
    field = _field_of(message.text)
    return FieldIssue((field,) if field else (), kind, message.text, message.code)


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
