"""The IS24 client on its own: configuration, URLs that cannot leave the contact resource,
signatures the sandbox verifies, and every IS24 answer translated to a provider error."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
import yarl

from providers.errors import (
    DuplicateContact,
    IssueCode,
    NotFound,
    ProviderAuthFailed,
    ProviderProtocolError,
    ProviderUnavailable,
    RateLimited,
    Unsupported,
    ValidationFailed,
)
from providers.is24.client import Is24Client, Is24ClientConfig, Reply, error_for
from providers.is24.oauth import OAuthCredentials, authorization_header
from providers.is24.sandbox import (
    ACCESS_TOKEN,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    TOKEN_SECRET,
    USERNAME,
    create_is24_sandbox,
)
from providers.is24.xml_codec import MediaType, Message, encode_messages
from providers.sandboxing import ServedApp
from tests.contract.test_is24_contract import is24_config

BASE = "https://rest.immobilienscout24.de/restapi/api"


def _config(base_url: str = BASE, username: str = "me") -> Is24ClientConfig:
    return Is24ClientConfig(base_url, "key", "secret", "token", "token-secret", username)


# --- configuration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [BASE, "http://127.0.0.1:8080/restapi/api", "http://localhost/restapi/api", "https://x.test"],
)
def test_https_or_loopback_is_accepted(base_url: str) -> None:
    assert _config(base_url).base_url == base_url


@pytest.mark.parametrize(
    "base_url",
    [
        "http://rest.immobilienscout24.de/restapi/api",
        "http://10.0.0.1/restapi/api",
        "ftp://127.0.0.1/x",
        f"{BASE}?x=1",
        f"{BASE}#frag",
    ],
)
def test_plain_http_elsewhere_is_refused(base_url: str) -> None:
    with pytest.raises(ValueError, match=r"HTTPS|query"):
        _config(base_url)


@pytest.mark.parametrize("username", ["", ".", "..", "a/b", "a b", "x" * 65, "%2F"])
def test_usernames_are_login_names(username: str) -> None:
    with pytest.raises(ValueError, match="username"):
        _config(username=username)


# --- URLs ---------------------------------------------------------------------------------


@pytest.fixture
async def offline() -> AsyncIterator[Is24Client]:
    """A client that is never asked to send anything (its session needs a running loop)."""
    client = Is24Client(_config())
    yield client
    await client.aclose()


async def test_urls_name_the_users_contact_resource() -> None:
    client = Is24Client(_config(username="max@makler.de"))
    await client.aclose()
    collection = f"{BASE}/offer/v1.0/user/max%40makler.de/contact"
    assert client.collection_url == collection
    assert client.contact_url("124308575") == f"{collection}/124308575"


@pytest.mark.parametrize(
    ("external_id", "segment"),
    [
        ("crm-1", "ext-crm-1"),
        ("office/berlin/7", "ext-office%2Fberlin%2F7"),
        ("..", "ext-.."),
        ("../../admin", "ext-..%2F..%2Fadmin"),
        ("x%2Fy", "ext-x%252Fy"),
        ("a b?c=d#e&f", "ext-a%20b%3Fc%3Dd%23e%26f"),
    ],
)
def test_an_external_id_is_one_quoted_segment(
    offline: Is24Client, external_id: str, segment: str
) -> None:
    assert offline.external_url(external_id) == f"{offline.collection_url}/{segment}"


@pytest.mark.parametrize(
    "contact_id", ["", "../1", "1/2", "1?x", "-1", "1" * 20, "ext-1", "\uff11"]
)
def test_only_digits_are_contact_ids(offline: Is24Client, contact_id: str) -> None:
    with pytest.raises(NotFound):
        offline.contact_url(contact_id)


@pytest.mark.parametrize("external_id", ["", "x" * 256, "bell\x07", "nul\x00"])
def test_unusable_external_ids_name_nothing(offline: Is24Client, external_id: str) -> None:
    with pytest.raises(NotFound):
        offline.external_url(external_id)


# --- against the sandbox ------------------------------------------------------------------


@pytest.fixture
async def served() -> AsyncIterator[str]:
    async with ServedApp(create_is24_sandbox().app) as served:
        yield served.base_url


@pytest.mark.parametrize("media", list(MediaType))
async def test_signed_requests_pass_the_sandboxs_verification(
    served: str, media: MediaType
) -> None:
    client = Is24Client(is24_config(served, media))
    try:
        new_id = await client.create({"lastname": "Signed", "email": "s@example.org",
                                      "externalId": "a/b%2F../c"})  # fmt: skip
        assert (await client.get(new_id))["lastname"] == "Signed"
        assert (await client.get_external("a/b%2F../c"))["@id"] == new_id
        await client.update(new_id, {"lastname": "Signed again", "email": "s@example.org"})
        await client.delete(new_id)
        with pytest.raises(NotFound):
            await client.get(new_id)
    finally:
        await client.aclose()


async def test_a_wrong_secret_is_refused_by_the_sandbox(served: str) -> None:
    client = Is24Client(is24_config(served, token_secret="guessed"))
    try:
        with pytest.raises(ProviderAuthFailed) as info:
            await client.list_contacts()
        assert info.value.provider_code == "ERROR_COMMON_ACCESS_DENIED"
    finally:
        await client.aclose()


async def test_the_sandbox_verifies_a_signature_made_with_fixed_nonce_and_time(
    served: str,
) -> None:
    """The signing helper the client uses, with RFC 5849 inputs pinned, verifies upstream."""
    credentials = OAuthCredentials(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, TOKEN_SECRET)
    url = f"{served}/restapi/api/offer/v1.0/user/{USERNAME}/contact/ext-a%2Fb"
    header = authorization_header("GET", url, credentials, nonce="kllo9940pd9333jh",
                                  timestamp=int(time.time()))  # fmt: skip
    async with (
        aiohttp.ClientSession() as http,
        http.get(yarl.URL(url, encoded=True), headers={"Authorization": header}) as resp,
    ):
        assert resp.status == 404  # verified, and no contact has that external id
    assert 'oauth_nonce="kllo9940pd9333jh"' in header


# --- answers to errors --------------------------------------------------------------------


def _reply(
    status: int, *messages: Message, media: MediaType = MediaType.XML, **headers: str
) -> Reply:
    body = encode_messages(messages, media) if messages else b""
    return Reply(status, {"Content-Type": f"{media.value};charset=UTF-8", **headers}, body)


def test_field_messages_become_issues_with_is24_codes() -> None:
    error = error_for(
        _reply(
            400,
            Message("ERROR_REQUEST_DATA_NOT_VALID", "lastname: is mandatory"),
            Message("ERROR_REQUEST_DATA_NOT_VALID", "phoneNumberAreaCode: may not start with 0"),
            Message("ERROR_REQUEST_DATA_NOT_VALID", "something without a field"),
            media=MediaType.JSON,
        )
    )
    assert isinstance(error, ValidationFailed)
    assert [(i.field, i.code, i.provider_code) for i in error.issues] == [
        (("lastname",), IssueCode.REQUIRED, "ERROR_REQUEST_DATA_NOT_VALID"),
        (("phoneNumberAreaCode",), IssueCode.INVALID, "ERROR_REQUEST_DATA_NOT_VALID"),
        ((), IssueCode.INVALID, "ERROR_REQUEST_DATA_NOT_VALID"),
    ]


def test_a_duplicate_names_the_existing_contact() -> None:
    text = "contact: a contact with the same data already exists with id [124308575]"
    error = error_for(_reply(400, Message("ERROR_RESOURCE_DUPLICATE", text)))
    assert isinstance(error, DuplicateContact)
    assert (error.existing_id, error.field, error.provider_code) == (
        "124308575",
        (),
        "ERROR_RESOURCE_DUPLICATE",
    )


def test_the_default_contact_delete_is_not_allowed() -> None:
    text = "default contact can not be deleted"
    error = error_for(_reply(412, Message("ERROR_RESOURCE_VALIDATION", text)))
    assert isinstance(error, ValidationFailed)
    assert [(i.code, i.provider_code) for i in error.issues] == [
        (IssueCode.NOT_ALLOWED, "ERROR_RESOURCE_VALIDATION")
    ]


@pytest.mark.parametrize(
    ("reply", "kind"),
    [
        (_reply(401, Message("ERROR_COMMON_ACCESS_DENIED", "no")), ProviderAuthFailed),
        (_reply(403, Message("ERROR_COMMON_ACCESS_DENIED", "no")), ProviderAuthFailed),
        (_reply(404, Message("ERROR_RESOURCE_NOT_FOUND", "gone")), NotFound),
        (_reply(405, Message("ERROR_COMMON_METHOD_NOT_ALLOWED", "no")), Unsupported),
        (_reply(429, **{"Retry-After": "3"}), RateLimited),
        (_reply(500, Message("ERROR_COMMON_INTERNAL_SERVER_ERROR", "oops")), ProviderUnavailable),
        (Reply(503, {"Content-Type": "text/html"}, b"<html/>"), ProviderUnavailable),
        (_reply(400), ProviderProtocolError),
        (Reply(400, {"Content-Type": "text/plain"}, b"bad"), ProviderProtocolError),
        (_reply(302, Location="https://elsewhere.test/"), ProviderProtocolError),
    ],
)
def test_statuses_map_to_provider_errors(reply: Reply, kind: type[Exception]) -> None:
    error = error_for(reply)
    assert type(error) is kind
    if isinstance(error, RateLimited):
        assert error.retry_after == 3.0
