"""The pure parts of authorization: scopes, the state book, the authorization URL, the redirect URI."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from focuslib.auth.codeflow import STATE_LIFETIME, STATE_LIMIT, StateBook, authorize_url, parse_redirect
from focuslib.errors import ConfigError
from focuslib.twitch.scopes import DEFAULT_SCOPES, PURPOSES, hidden_groups, parse_scopes
from focuslib.sim.catalog import CATALOG
from focuslib.twitch.subscriptions import GROUPS, desired


def test_the_default_scopes_unlock_every_subscription_focus_makes():
    assert hidden_groups(DEFAULT_SCOPES) == {}
    for spec in desired("1", "1"):
        assert set(spec.scopes) & set(DEFAULT_SCOPES) or not spec.scopes, spec.type
        # ...and the simulator (written from the protocol notes) agrees the scope is the right one.
        assert not CATALOG[spec.type][1] or set(CATALOG[spec.type][1]) & set(DEFAULT_SCOPES), spec.type


def test_every_default_scope_says_what_it_is_for():
    assert len(set(DEFAULT_SCOPES)) == len(DEFAULT_SCOPES)
    assert all(PURPOSES[scope] for scope in DEFAULT_SCOPES)


def test_hidden_groups_name_the_scope_that_unlocks_each():
    none = hidden_groups(())
    assert set(none) == set(GROUPS) - {"raids", "stream"}  # the two groups that need no scope
    assert none["chat"] == ("user:read:chat",) and none["follows"] == ("moderator:read:followers",)
    assert none["subs"] == ("channel:read:subscriptions",)
    assert none["moderation"] == ("user:read:chat", "channel:moderate", "moderator:manage:automod",
                                  "moderator:read:warnings or moderator:manage:warnings",
                                  "moderator:read:suspicious_users",
                                  "moderator:read:shield_mode or moderator:manage:shield_mode",
                                  "moderator:read:unban_requests or moderator:manage:unban_requests",
                                  "channel:read:vips or channel:manage:vips")
    assert set(hidden_groups(("user:read:chat",))) == set(GROUPS) - {"chat", "raids", "stream"}
    assert hidden_groups(("user:read:chat",))["moderation"][0] == "channel:moderate"  # partly hidden


def test_parse_scopes_accepts_spaces_and_commas_once_each():
    assert parse_scopes("user:read:chat, bits:read user:read:chat") == ("user:read:chat", "bits:read")
    with pytest.raises(ValueError):
        parse_scopes(" , ")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_state_is_random_accepted_once_and_only_while_fresh():
    clock = Clock()
    book = StateBook(clock)
    a, b = book.issue(), book.issue()
    assert a != b and len(a) >= 32
    assert not book.consume("") and not book.consume(a[:-1]) and not book.consume(a + "x")
    assert book.consume(a)
    assert not book.consume(a)  # replayed
    clock.now += STATE_LIFETIME + 1
    assert not book.consume(b)  # too old: the attempt was abandoned


def test_only_the_latest_attempts_are_kept():
    book = StateBook()
    states = [book.issue() for _ in range(STATE_LIMIT + 1)]
    assert not book.consume(states[0])
    assert all(book.consume(s) for s in states[1:])


def test_the_authorization_url_carries_exactly_what_twitch_expects():
    url = authorize_url("https://id.twitch.tv/oauth2", "cid", "http://localhost:3000", ("user:read:chat", "bits:read"),
                        "st4te", force_verify=True)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://id.twitch.tv/oauth2/authorize"
    assert "scope=user%3Aread%3Achat+bits%3Aread" in parts.query  # §4.1: space-delimited, URL-encoded
    assert {k: v[0] for k, v in parse_qs(parts.query).items()} == {
        "client_id": "cid", "redirect_uri": "http://localhost:3000", "response_type": "code",
        "scope": "user:read:chat bits:read", "state": "st4te", "force_verify": "true"}


@pytest.mark.parametrize(("uri", "port", "path"), [
    ("http://localhost:3000", 3000, "/"),
    ("http://localhost:3000/oauth", 3000, "/oauth"),
    ("http://127.0.0.1:8123/cb/twitch", 8123, "/cb/twitch"),
    ("http://localhost", 80, "/"),
])
def test_the_redirect_uri_gives_port_and_callback_path(uri, port, path):
    redirect = parse_redirect(uri)
    assert (redirect.uri, redirect.port, redirect.path) == (uri, port, path)


@pytest.mark.parametrize("uri", ["https://localhost:3000", "http://example.com:3000", "http://[::1]:3000"])
def test_a_redirect_uri_this_computer_cannot_serve_is_refused(uri):
    with pytest.raises(ConfigError) as caught:
        parse_redirect(uri)
    assert "TWITCH_REDIRECT_URI" in caught.value.message and "http://localhost:3000" in caught.value.hint
