"""Keeping the token good while focus runs (protocol notes §4.2, §4.3, §5.1, §5.10), against the simulator.

At start: an expired token is refreshed; a refused refresh stops focus with "run make auth" (exit 3).
While running: the token-refresh thread validates on its schedule and refreshes before expiry or when
Twitch stops accepting the token, without touching the websocket; a Helix 401 gets exactly one refresh
and one retry; a rotated refresh token is stored at once; a 429 waits for Ratelimit-Reset, on the status
line.
"""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path

import pytest

from authkit import run_script, store_path
from conftest import N_SUBS, t
from focuslib.auth import refresh
from focuslib.devlog.pipe import ensure_fifo, read_lines
from focuslib.errors import AuthError
from focuslib.net.helix import Helix
from focuslib.net.client import HttpClient
from focuslib.net.oauth import refresh as oauth_refresh
from focuslib.sim import payloads
from focuslib.auth.tokens import Redactor, StoredToken, TokenHolder, TokenStore
from secret_guard import seen

NO_ENV_TOKEN = {"TWITCH_USER_ACCESS_TOKEN": "", "TWITCH_REFRESH_TOKEN": ""}


def stored(env) -> dict:
    return json.loads(store_path(env).read_text())


def store_token(sim, env, *, expired: bool = False, **issue):
    """A token in the store, as `make auth` leaves it; focus then starts without env tokens."""
    grant = sim.issue_token(**issue)
    uid, login, _ = sim.broadcaster
    TokenStore(Path(env["FOCUS_DATA_DIR"]), sim.client_id).save(
        StoredToken(grant.access_token, grant.refresh_token, grant.scopes, uid, login, grant.expires_at))
    if expired:
        sim.expire_token(grant.access_token)
    return grant


def refreshes(sim) -> int:
    with sim.lock:
        return sum(1 for r in sim.token_requests if r["grant_type"] == "refresh_token")


@pytest.fixture
def fast_checks() -> refresh.RefreshSchedule:
    """A schedule for focus's refresh thread (`start_focus(refresh=...)`): validate every 50 ms, not hourly."""
    return refresh.RefreshSchedule(validate_every=0.05)


# -- at start ------------------------------------------------------------------------------------------


def test_an_expired_token_at_start_is_refreshed_and_stored(sim, env, start_focus):
    old = store_token(sim, env, expired=True)
    focus = start_focus(NO_ENV_TOKEN)
    sim.wait_subscribed(N_SUBS)
    now = stored(env)
    assert now["access_token"] != old.access_token and sim.grant_for(now["access_token"]) is not None
    assert now["refresh_token"] == old.refresh_token  # not rotated by this simulator setting
    assert now["user_id"] == sim.broadcaster[0] and now["login"] == sim.broadcaster[1]
    assert "-- the token has expired; refreshing it" in focus.out.lines()
    assert refreshes(sim) == 1
    assert focus.stop() == 0


def test_a_rotated_refresh_token_is_stored_at_once_and_works_next_time(sim, env, start_focus):
    sim.rotate_refresh = True
    old = store_token(sim, env, expired=True)
    focus = start_focus(NO_ENV_TOKEN)
    sim.wait_subscribed(N_SUBS)
    rotated = stored(env)["refresh_token"]
    assert rotated != old.refresh_token and old.refresh_token not in sim.refresh_tokens
    assert focus.stop() == 0
    sim.expire_token(stored(env)["access_token"])
    again = start_focus(NO_ENV_TOKEN)  # a new focus, from the store alone
    sim.wait_for(lambda: refreshes(sim) == 2 and sim.live_sessions() and stored(env)["refresh_token"] != rotated)
    sim.wait_subscribed(N_SUBS)
    assert again.stop() == 0


def test_a_revoked_refresh_token_stops_focus_with_run_make_auth(sim, env):
    old = store_token(sim, env, expired=True)
    sim.revoke_refresh_token(old.refresh_token)
    fenv = {**env, **NO_ENV_TOKEN}
    proc = run_script("focus.py", fenv, "--no-devlog")
    assert proc.returncode == 3
    assert "run make auth" in proc.stderr and "Invalid refresh token" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- Helix 401 and 429 ---------------------------------------------------------------------------------


def test_a_401_mid_session_gets_one_refresh_and_one_retry(sim, env, start_focus):
    focus = start_focus()
    first = sim.wait_subscribed(N_SUBS)
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])  # Twitch stopped accepting it
    sim.drop(first)  # focus reconnects and must subscribe again, with a token that now gets 401
    second = sim.wait_for(lambda: [s for s in sim.live_sessions() if s is not first and len(s.subscriptions) == N_SUBS])
    assert second
    assert refreshes(sim) == 1  # three subscription calls got 401; the holder refreshed once
    assert sim.grant_for(stored(env)["access_token"]) is not None
    assert focus.stop() == 0


def test_a_second_401_after_the_refresh_is_not_retried_again(sim, http):
    holder = holder_for(sim, sim.issue_token(), http)
    helix = Helix(http, sim.api_url, "some-other-client-id", holder)  # Twitch: a Client-Id mismatch is 401
    assert helix.call("GET", "/users").status == 401
    assert refreshes(sim) == 1


def test_a_429_waits_until_ratelimit_reset_and_says_so(sim, start_focus):
    sim.rate_limited = 1  # the simulator then keeps the bucket empty until the reset it announced
    focus = start_focus()
    sim.wait_subscribed(N_SUBS)
    focus.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}")
    assert sim.rate_limit_hits >= 1
    assert any(line.startswith("-- Twitch rate limit reached; retrying in") for line in focus.out.lines())
    assert "could not" not in focus.out.text  # every subscription made it after the wait
    assert focus.stop() == 0


# -- the token-refresh thread --------------------------------------------------------------------------


def test_the_refresh_thread_validates_on_schedule_and_refreshes_without_touching_chat(
        sim, env, start_focus, fast_checks):
    focus = start_focus(refresh=fast_checks)
    session = sim.wait_subscribed(N_SUBS)
    calls = sim.validate_calls
    sim.wait_for(lambda: sim.validate_calls >= calls + 3)  # it keeps validating
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])
    sim.wait_for(lambda: refreshes(sim) == 1)
    # The store is written after the refresh answer arrives: wait for the file, then for its token to work.
    sim.wait_for(lambda: store_path(env).exists() and sim.grant_for(stored(env)["access_token"]) is not None)
    sim.notify("channel.chat.message", payloads.chat_message(("1", "ann", "Ann"), "still here after the refresh"))
    focus.out.wait_text("Ann: still here after the refresh")
    assert sim.live_sessions() == [session]  # the same websocket session throughout
    assert focus.stop() == 0


def test_a_refused_refresh_mid_session_stops_focus_with_run_make_auth(sim, env, start_focus, fast_checks):
    focus = start_focus(refresh=fast_checks)
    sim.wait_subscribed(N_SUBS)
    sim.revoke_refresh_token(env["TWITCH_REFRESH_TOKEN"])
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])
    focus.thread.join(t(10))
    assert not focus.thread.is_alive()
    assert isinstance(focus.result, AuthError) and focus.result.exit_status == 3
    assert "Twitch refused to refresh it" in focus.result.message and "run make auth" in focus.result.hint


@pytest.fixture
def http():
    client = HttpClient()
    yield client
    client.close()


def holder_for(sim, grant, http: HttpClient, store: TokenStore | None = None) -> TokenHolder:
    """A TokenHolder for `grant` that refreshes against the simulator (as a public client)."""
    return TokenHolder(grant.access_token, grant.refresh_token, store=store, redactor=Redactor(),
                       refresher=lambda rt: oauth_refresh(http, sim.auth_url, sim.client_id, "", rt))


def keeper(holder: TokenHolder, http: HttpClient, auth_url: str, notices: list[str]) -> refresh.TokenKeeper:
    """A keeper whose checks the test runs itself (`check()`), recording what it would say."""
    return refresh.TokenKeeper(holder, http, auth_url, threading.Event(), expires_in=0,
                               on_fatal=lambda exc: notices.append(f"FATAL {exc}"), on_notice=notices.append,
                               on_event=lambda name, **detail: None)


def test_the_refresh_thread_refreshes_shortly_before_expiry(sim, http):
    grant = sim.issue_token(expires_in=refresh.REFRESH_MARGIN - 60)
    holder = holder_for(sim, grant, http)
    notices: list[str] = []
    wait = keeper(holder, http, sim.auth_url, notices).check()
    assert refreshes(sim) == 1 and holder.access_token != grant.access_token
    assert refresh.MIN_WAIT <= wait <= refresh.VALIDATE_EVERY and notices == []
    assert holder.identity.user_id == sim.broadcaster[0]  # whose token it is survives the refresh


def test_network_trouble_only_delays_the_next_check_and_is_said_once(sim, http):
    holder = holder_for(sim, sim.issue_token(), http)
    notices: list[str] = []
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        k = keeper(holder, http, f"http://127.0.0.1:{closed.getsockname()[1]}/oauth2", notices)
        waits = [k.check(), k.check()]
    assert waits == [refresh.RETRY_WAITS[0], refresh.RETRY_WAITS[1]]
    assert len(notices) == 1 and "cannot check the token with Twitch" in notices[0] and "chat goes on" in notices[0]


def test_no_secret_reaches_the_devlog_through_refreshes(sim, env, start_focus, fast_checks):
    sim.rotate_refresh = True
    pipe = ensure_fifo(Path(env["XDG_RUNTIME_DIR"]) / "focus" / "devlog.fifo", private_parent=True)
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        for line in read_lines(pipe):
            if line is None:
                break
            lines.append(line)
        done.set()

    reader = threading.Thread(target=read, name="devlog-test-reader", daemon=True)
    reader.start()
    focus = start_focus(devlog=True, refresh=fast_checks)
    sim.wait_subscribed(N_SUBS)
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])
    sim.wait_for(lambda: refreshes(sim) == 1)
    sim.wait_for(lambda: any('"token_refreshed"' in line for line in lines))
    assert focus.stop() == 0
    assert done.wait(t(5))
    reader.join(t(5))
    text = "\n".join(lines)
    seen("devlog", text)
    assert '"identity"' in text and '"token_refreshed"' in text
    assert not [s for s in sim.oauth.secrets() if s in text]


def test_a_refreshed_token_that_cannot_be_saved_is_said_and_focus_goes_on(sim, http, tmp_path):
    grant = sim.issue_token()
    sim.expire_token(grant.access_token)
    (tmp_path / "a-file").write_text("")
    store = TokenStore(tmp_path / "a-file" / "data", sim.client_id)  # its directory can never be made
    holder = holder_for(sim, grant, http, store)
    notices: list[str] = []
    holder.warn = notices.append
    wait = keeper(holder, http, sim.auth_url, notices).check()
    assert sim.grant_for(holder.access_token) is not None  # the new token is in use all the same
    assert len(notices) == 1 and "could not be saved" in notices[0] and "saves it again later" in notices[0]
    assert not any(n.startswith("FATAL") for n in notices) and wait > 0
