"""Fixtures for the IS24 tests: a served sandbox and a client that signs like IS24 wants."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass

import aiohttp
import pytest
import yarl

from providers.is24.oauth import OAuthCredentials, authorization_header
from providers.is24.sandbox import (
    ACCESS_TOKEN,
    API_PREFIX,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    OTHER_ACCESS_TOKEN,
    OTHER_TOKEN_SECRET,
    TOKEN_SECRET,
    Is24Sandbox,
    create_is24_sandbox,
)
from providers.is24.xml_codec import (
    ContactDoc,
    FieldValue,
    MediaType,
    Message,
    contact_to_json,
    contact_to_xml,
    decode_contact,
    decode_contact_list,
    decode_messages,
)
from providers.sandboxing import ServedApp

USER = OAuthCredentials(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, TOKEN_SECRET)
OTHER = OAuthCredentials(CONSUMER_KEY, CONSUMER_SECRET, OTHER_ACCESS_TOKEN, OTHER_TOKEN_SECRET)


def minimal(**fields: FieldValue) -> ContactDoc:
    """A valid contact: the mandatory fields plus `fields`."""
    return {"email": "probe@example.org", "lastname": "Probe", **fields}


@dataclass
class Reply:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def media(self) -> MediaType:
        kind = self.headers.get("Content-Type", "").partition(";")[0]
        return MediaType(kind)

    def messages(self) -> list[Message]:
        return decode_messages(self.body, self.media)

    @property
    def codes(self) -> list[str]:
        return [message.code for message in self.messages()]

    def contact(self) -> ContactDoc:
        return decode_contact(self.body, self.media)

    def contacts(self) -> list[ContactDoc]:
        return decode_contact_list(self.body, self.media)


@dataclass
class Is24Client:
    """Signs every request over the exact URL string it sends (yarl told not to re-quote)."""

    http: aiohttp.ClientSession
    base_url: str
    sandbox: Is24Sandbox
    credentials: OAuthCredentials = USER

    def url(self, tail: str = "", *, username: str = "me") -> str:
        return f"{self.base_url}{API_PREFIX}{username}/contact{tail}"

    async def call(
        self,
        method: str,
        tail: str = "",
        *,
        username: str = "me",
        body: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        url: str | None = None,
        signed_url: str | None = None,
        credentials: OAuthCredentials | None = None,
        nonce: str | None = None,
        timestamp: int | None = None,
        sign: bool = True,
    ) -> Reply:
        target = url or self.url(tail, username=username)
        headers: dict[str, str] = {}
        if sign:
            creds = credentials or self.credentials
            headers["Authorization"] = authorization_header(
                method, signed_url or target, creds, nonce=nonce, timestamp=timestamp
            )
        if accept:
            headers["Accept"] = accept
        if body is not None:
            headers["Content-Type"] = content_type or MediaType.XML.value
        async with self.http.request(
            method, yarl.URL(target, encoded=True), data=body, headers=headers
        ) as response:
            return Reply(response.status, dict(response.headers), await response.read())

    async def send(
        self, method: str, tail: str, doc: ContactDoc, media: MediaType = MediaType.XML
    ) -> Reply:
        """POST/PUT a contact document in the given media type (answers in the same)."""
        body = (
            contact_to_xml(doc, response=False) if media is MediaType.XML else contact_to_json(doc)
        )
        return await self.call(
            method, tail, body=body, content_type=media.value, accept=media.value
        )

    async def create(self, doc: ContactDoc, media: MediaType = MediaType.XML) -> str:
        reply = await self.send("POST", "", doc, media)
        assert reply.status == 201, reply.body
        new_id = reply.messages()[0].id
        assert new_id is not None
        return new_id

    async def read(self, contact_id: str, accept: str = MediaType.XML.value) -> ContactDoc:
        reply = await self.call("GET", f"/{contact_id}", accept=accept)
        assert reply.status == 200, reply.body
        return reply.contact()

    async def control(self, method: str, path: str, json: object = None) -> object:
        async with self.http.request(method, f"{self.base_url}/_sandbox/{path}", json=json) as r:
            return await r.json()


@pytest.fixture
def sandbox() -> Is24Sandbox:
    return create_is24_sandbox()


@pytest.fixture
async def client(sandbox: Is24Sandbox) -> AsyncIterator[Is24Client]:
    async with ServedApp(sandbox.app) as served, aiohttp.ClientSession() as http:
        yield Is24Client(http, served.base_url, sandbox)


@pytest.fixture
def other_client(client: Is24Client) -> Is24Client:
    """The second sandbox user, on the same server and session."""
    return Is24Client(client.http, client.base_url, client.sandbox, OTHER)
