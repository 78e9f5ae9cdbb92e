"""OAuth 1.0a: published test vectors through our helpers, and the verifier's refusals."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from providers.is24.oauth import (
    OAuthCredentials,
    OAuthError,
    ReplayGuard,
    SignatureVerifier,
    authorization_header,
    raw_path,
    request_url,
    sign_base_string,
    signature_base_string,
)

PHOTOS_URL = "http://photos.example.net/photos?file=vacation.jpg&size=original"
# The consumer and access token of the classic "photos" example. Its access token
# secret is pfkkdhi9sl3r4s00 (pfkkd7ohfdk4rms8 yields another signature).
PHOTOS = OAuthCredentials(
    "dpf43f3p2l4k3l03", "kd94hf93k423kf44", "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00"
)
NOW = 1_700_000_000


def header_params(header: str) -> dict[str, str]:
    assert header.startswith("OAuth ")
    pairs = (item.strip().split("=", 1) for item in header.removeprefix("OAuth ").split(","))
    return {key: unquote(value.strip('"')) for key, value in pairs}


def test_classic_photos_vector_through_the_signing_helper() -> None:
    header = authorization_header(
        "GET", PHOTOS_URL, PHOTOS, nonce="kllo9940pd9333jh", timestamp=1191242096
    )
    params = header_params(header)
    assert params["oauth_signature"] == "tR3+Ty81lMeYAr/Fid0kMTYa/WM="
    assert params["oauth_version"] == "1.0"


def test_rfc5849_section_1_2_vector() -> None:
    params = {
        "oauth_consumer_key": "dpf43f3p2l4k3l03",
        "oauth_token": "nnch734d00sl2jdk",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "137131202",
        "oauth_nonce": "chapoH",
    }
    base = signature_base_string("GET", PHOTOS_URL, params)
    signature = sign_base_string(base, PHOTOS.consumer_secret, PHOTOS.token_secret)
    assert signature == "MdpQcU8iPSUjWoN/UDMsK2sui9I="


def test_rfc5849_section_3_4_1_base_string() -> None:
    params = {
        "realm": "Example",
        "oauth_consumer_key": "9djdj82h48djs9d2",
        "oauth_token": "kkk9d7dh3k39sjv7",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": "137131201",
        "oauth_nonce": "7d8f3e4a",
        "oauth_signature": "ignored",
    }
    url = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b"
    base = signature_base_string("post", url, params, form_body="c2&a3=2+q")
    assert base == (
        "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q"
        "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key"
        "%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method"
        "%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7"
    )


def test_the_encoded_path_is_signed_as_sent() -> None:
    plain = signature_base_string("GET", "http://h/contact/ext-a/b", {})
    encoded = signature_base_string("GET", "http://h/contact/ext-a%2Fb", {})
    assert "ext-a%252Fb" in encoded
    assert plain != encoded


def verifier(clock: float = NOW) -> SignatureVerifier:
    return SignatureVerifier(
        {PHOTOS.consumer_key: PHOTOS.consumer_secret},
        {PHOTOS.token: PHOTOS.token_secret},
        ReplayGuard(clock=lambda: clock),
    )


def signed(url: str = PHOTOS_URL, nonce: str = "n1", creds: OAuthCredentials = PHOTOS) -> str:
    return authorization_header("GET", url, creds, nonce=nonce, timestamp=NOW)


WRONG_SECRETS = OAuthCredentials(PHOTOS.consumer_key, "wrong", PHOTOS.token, "wrong")


def test_verifier_accepts_what_the_helper_signs() -> None:
    url = "http://127.0.0.1:8080/restapi/contact/ext-a%2F..%2Fb?q=a%20b"
    verified = verifier().verify("GET", url, signed(url))
    assert (verified.consumer_key, verified.token, verified.nonce) == (
        PHOTOS.consumer_key,
        PHOTOS.token,
        "n1",
    )


@pytest.mark.parametrize(
    ("method", "url", "header"),
    [
        ("GET", PHOTOS_URL + "&extra=1", signed()),  # query changed after signing
        ("GET", PHOTOS_URL.replace("photos?", "photo5?"), signed()),  # path changed
        ("POST", PHOTOS_URL, signed()),  # method changed
        ("GET", PHOTOS_URL, signed(creds=WRONG_SECRETS)),  # signed with other secrets
        ("GET", PHOTOS_URL, None),
        ("GET", PHOTOS_URL, "Basic dXNlcjpwYXNz"),
        ("GET", PHOTOS_URL, signed().replace("HMAC-SHA1", "PLAINTEXT")),
        ("GET", PHOTOS_URL, signed().replace('oauth_version="1.0"', 'oauth_version="2.0"')),
        ("GET", PHOTOS_URL, signed(creds=OAuthCredentials("unknown", "k", PHOTOS.token, "t"))),
        ("GET", PHOTOS_URL + "&oauth_nonce=n2", signed(PHOTOS_URL + "&oauth_nonce=n2")),
    ],
)
def test_verifier_refuses(method: str, url: str, header: str | None) -> None:
    with pytest.raises(OAuthError):
        verifier().verify(method, url, header)


def test_replayed_nonce_is_refused() -> None:
    check = verifier()
    check.verify("GET", PHOTOS_URL, signed(nonce="once"))
    with pytest.raises(OAuthError, match="already used"):
        check.verify("GET", PHOTOS_URL, signed(nonce="once"))
    check.verify("GET", PHOTOS_URL, signed(nonce="twice"))


@pytest.mark.parametrize("offset", [-301, 301, -3600])
def test_timestamps_more_than_five_minutes_off_are_refused(offset: int) -> None:
    with pytest.raises(OAuthError, match="off"):
        verifier(clock=NOW + offset).verify("GET", PHOTOS_URL, signed())


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_timestamps_within_five_minutes_pass(offset: int) -> None:
    verifier(clock=NOW + offset).verify("GET", PHOTOS_URL, signed())


def test_replay_guard_forgets_only_what_the_clock_check_already_refuses() -> None:
    now = [float(NOW)]
    guard = ReplayGuard(clock=lambda: now[0])
    guard.check(("c", "t", "n"), NOW)
    now[0] += 299
    with pytest.raises(OAuthError, match="already used"):
        guard.check(("c", "t", "n"), NOW)
    now[0] += 2
    with pytest.raises(OAuthError, match="off"):
        guard.check(("c", "t", "n"), NOW)
    guard.check(("c", "t", "n"), NOW + 301)
    assert len(guard._seen) == 1


def test_replay_guard_capacity_is_bounded() -> None:
    guard = ReplayGuard(clock=lambda: NOW, capacity=2)
    guard.check(("c", "t", "1"), NOW)
    guard.check(("c", "t", "2"), NOW)
    with pytest.raises(OAuthError, match="too many"):
        guard.check(("c", "t", "3"), NOW)


def test_request_url_uses_the_raw_path_and_query() -> None:
    scope = {
        "type": "http",
        "scheme": "http",
        "path": "/contact/ext-a/b",
        "raw_path": b"/contact/ext-a%2Fb",
        "query_string": b"x=%2F",
        "headers": [(b"host", b"127.0.0.1:9")],
    }
    assert raw_path(scope) == "/contact/ext-a%2Fb"
    assert request_url(scope) == "http://127.0.0.1:9/contact/ext-a%2Fb?x=%2F"
