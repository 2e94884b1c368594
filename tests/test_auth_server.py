"""make auth (auth_server.py), the browser flow, against the simulated Twitch over real HTTP.

The "browser" is `requests` following redirects: authorization URL -> the simulator's /oauth2/authorize
-> 302 back to the local server with code and state -> token exchange -> validation -> token store.
Every test uses its own free port through TWITCH_REDIRECT_URI.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
from urllib.parse import parse_qs, urlsplit

import pytest

from authkit import start_auth  # noqa: F401  (fixture)
from authkit import SECRET, auth_env, finish, free_port, read_until, run_script, start_script, store_path, strict
from conftest import Browser
from focuslib.twitch.scopes import DEFAULT_SCOPES


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def http():
    with Browser() as session:
        yield session


@pytest.mark.parametrize("path", ["", "/oauth"])
def test_browser_round_trip_stores_a_validated_token(sim, env, http, path, start_auth):
    port = free_port()
    aenv = auth_env(env, port, path)
    strict(sim, aenv["TWITCH_REDIRECT_URI"])
    run = start_auth(aenv)
    url = run.authorize_url(http)
    asked = query_of(url)
    assert url.startswith(sim.auth_url + "/authorize?")
    assert asked["client_id"] == sim.client_id and asked["response_type"] == "code"
    assert asked["redirect_uri"] == aenv["TWITCH_REDIRECT_URI"]  # exactly as registered (§4.6)
    assert asked["scope"].split() == list(DEFAULT_SCOPES)
    assert len(asked["state"]) >= 32

    page = http.get(url)

    # Twitch sent the browser back with a code and our state; our server answered with the success page.
    (hop,) = page.history
    assert hop.status_code == 302 and hop.url.startswith(sim.auth_url)
    back = hop.headers["Location"]
    assert back.startswith(f"http://127.0.0.1:{port}{path or '/'}?")
    assert query_of(back)["state"] == asked["state"] and query_of(back)["code"]
    assert page.status_code == 200 and "You can close this tab" in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert run.wait() == 0
    stored = json.loads(store_path(aenv).read_text())
    grant = sim.grant_for(stored["access_token"])
    assert grant is not None and grant.refresh_token == stored["refresh_token"]
    assert stored["user_id"] == sim.broadcaster[0] and stored["login"] == sim.broadcaster[1]
    assert tuple(stored["scopes"]) == DEFAULT_SCOPES and stored["expires_at"] > grant.expires_at - 60
    assert sim.validate_calls == 1  # the new token was validated before it was stored
    assert stat.S_IMODE(os.stat(store_path(aenv)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store_path(aenv).parent).st_mode) == 0o700
    out = run.out.text
    assert f"Connected to Twitch as {sim.broadcaster[1]} (user id {sim.broadcaster[0]})" in out
    assert "Granted scopes: user:read:chat, user:write:chat" in out and str(store_path(aenv)) in out
    assert "no need to set TWITCH_USER_ID" in out


def test_the_server_listens_on_loopback_only_and_keeps_tracebacks_off_the_terminal(sim, env):
    from focuslib.auth.codeflow import CodeFlow, Crashed
    from focuslib.auth.server import CallbackServer
    from focuslib.config import Settings
    from focuslib.net.client import HttpClient

    flow = CodeFlow(Settings.from_env(auth_env(env, free_port())), HttpClient(), DEFAULT_SCOPES)
    server = CallbackServer(flow)
    try:
        assert server.server_address[0] == "127.0.0.1"
        for exc in (ConnectionResetError(), ValueError("a bug")):
            try:
                raise exc
            except Exception:
                server.handle_error(None, ("127.0.0.1", 1))  # what socketserver calls
        report = flow.reports.get_nowait()
        assert isinstance(report, Crashed) and report.error == "ValueError" and flow.reports.empty()
    finally:
        server.server_close()


def test_landing_page_has_one_connect_action_and_each_click_is_a_fresh_attempt(sim, env, http, start_auth):
    port = free_port()
    run = start_auth(auth_env(env, port))
    printed = query_of(run.authorize_url(http))["state"]
    landing = http.get(f"http://127.0.0.1:{port}/")
    assert landing.status_code == 200
    assert landing.text.count("href=") == 1 and "href='/connect'>Connect with Twitch</a>" in landing.text
    first = http.get(f"http://127.0.0.1:{port}/connect", allow_redirects=False)
    second = http.get(f"http://127.0.0.1:{port}/connect", allow_redirects=False)
    states = {printed, query_of(first.headers["Location"])["state"], query_of(second.headers["Location"])["state"]}
    assert first.status_code == 302 and len(states) == 3
    assert http.get(f"http://127.0.0.1:{port}/favicon.ico").status_code == 404
    page = http.get(f"http://127.0.0.1:{port}/connect")  # click, Twitch, back
    assert "You can close this tab" in page.text
    assert run.wait() == 0


def test_a_state_we_did_not_issue_is_rejected_and_the_server_keeps_waiting(sim, env, http, start_auth):
    port = free_port()
    aenv = auth_env(env, port)
    run = start_auth(aenv)
    url = run.authorize_url(http)
    for forged in ({"code": "abc", "state": "not-ours"}, {"code": "abc"}):
        page = http.get(f"http://127.0.0.1:{port}/", params=forged)
        assert page.status_code == 400 and "not valid" in page.text
    run.out.wait_text("did not match a sign-in started from the address make auth printed", count=2)
    assert "Start again" in page.text and not store_path(aenv).exists()
    assert sim.token_requests == []  # nothing was exchanged
    assert "You can close this tab" in http.get(url).text  # the real attempt still works
    assert run.wait() == 0


def test_a_state_is_used_once(sim, env, http, start_auth):
    port = free_port()
    aenv = auth_env(env, port)
    run = start_auth(aenv)
    back = http.get(run.authorize_url(http), allow_redirects=False).headers["Location"]
    state = query_of(back)["state"]
    # First use: a wrong code (rejected by the token endpoint); the state is spent anyway.
    assert http.get(f"http://127.0.0.1:{port}/", params={"code": "wrong", "state": state}).status_code == 400
    run.out.wait_text("Twitch rejected the sign-in code")
    replay = http.get(back)  # the genuine code, but with the spent state
    assert replay.status_code == 400 and "not valid" in replay.text
    assert [r["grant_type"] for r in sim.token_requests] == ["authorization_code"]
    assert not store_path(aenv).exists()
    assert run.stop() == 130


def test_access_denied_says_so_and_a_retry_from_the_page_succeeds(sim, env, http, start_auth):
    port = free_port()
    aenv = auth_env(env, port)
    run = start_auth(aenv)
    sim.oauth.deny = True
    page = http.get(run.authorize_url(http))
    assert page.history[0].status_code == 302
    assert page.status_code == 403 and "declined" in page.text and "/connect" in page.text
    run.out.wait_text("access was denied")
    assert "click Start again on the page, or open the address make auth printed again" in run.out.text
    assert not store_path(aenv).exists()
    sim.oauth.deny = False
    assert "You can close this tab" in http.get(f"http://127.0.0.1:{port}/connect").text
    assert run.wait() == 0 and store_path(aenv).exists()


def test_missing_code_and_other_twitch_errors(sim, env, http, start_auth):
    port = free_port()
    aenv = auth_env(env, port)
    run = start_auth(aenv)
    state = query_of(run.authorize_url(http))["state"]
    page = http.get(f"http://127.0.0.1:{port}/", params={"state": state})
    assert page.status_code == 400 and "No sign-in code" in page.text
    run.out.wait_text("had no authorization code")
    state = query_of(http.get(f"http://127.0.0.1:{port}/connect", allow_redirects=False).headers["Location"])["state"]
    page = http.get(f"http://127.0.0.1:{port}/", params={
        "state": state, "error": "redirect_mismatch", "error_description": "Parameter redirect_uri does not match"})
    assert page.status_code == 400 and "redirect_mismatch" in page.text
    run.out.wait_text(f"check that TWITCH_REDIRECT_URI=http://127.0.0.1:{port} is exactly one of your app's")
    assert not store_path(aenv).exists()
    assert run.stop() == 130


def test_a_wrong_client_secret_is_reported_with_what_to_check(sim, env, http, start_auth):
    port = free_port()
    aenv = auth_env(env, port)
    sim.oauth.client_secret = "the-real-secret-differs"
    run = start_auth(aenv)
    page = http.get(run.authorize_url(http))
    assert page.status_code == 400 and "Signing in did not work" in page.text
    run.out.wait_text("Twitch rejected the sign-in code (invalid client secret)")
    assert "check TWITCH_SECRET" in run.out.text
    assert run.stop() == 130 and not store_path(aenv).exists()


def test_requested_scopes_can_be_changed_and_hidden_groups_are_named(sim, env, http, start_auth):
    port = free_port()
    aenv = auth_env(env, port)
    run = start_auth(aenv, "--scopes", "user:read:chat, user:write:chat")
    url = run.authorize_url(http)
    assert query_of(url)["scope"] == "user:read:chat user:write:chat"
    http.get(url)
    assert run.wait() == 0
    out = run.out.text
    assert "follows will stay hidden in focus: it needs moderator:read:followers" in out
    assert "subs will stay hidden in focus: it needs channel:read:subscriptions" in out


def test_port_in_use_is_a_clear_error(sim, env, start_auth):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = start_auth(auth_env(env, port))
        assert run.wait() == 1
        proc = run_script("auth_server.py", auth_env(env, port), "--no-browser")
    assert f"port {port} is already in use" in run.err.text and "run make auth again" in run.err.text
    assert proc.returncode == 1 and f"port {port} is already in use" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(("change", "expect"), [
    ({"TWITCH_SECRET": ""}, "make auth ARGS=--device"),
    ({"TWITCH_REDIRECT_URI": "https://example.com/callback"}, "does not point at this computer"),
])
def test_settings_that_cannot_work_are_reported_before_anything_starts(sim, env, change, expect, start_auth):
    run = start_auth({**auth_env(env, free_port()), **change})
    assert run.wait() == 2
    assert expect in run.err.text and sim.token_requests == []


def test_the_real_script_round_trip_never_logs_the_code(sim, env, http):
    port = free_port()
    aenv = auth_env(env, port, "/oauth")
    strict(sim, aenv["TWITCH_REDIRECT_URI"])
    proc = start_script("auth_server.py", aenv, "--no-browser")
    printed = read_until(proc, "Waiting for Twitch")
    start = next(word for word in printed.split() if word.startswith(f"http://127.0.0.1:{port}/?k="))
    assert http.get(start).status_code == 200
    url = http.get(f"http://127.0.0.1:{port}/connect", allow_redirects=False).headers["Location"]
    back = http.get(url, allow_redirects=False).headers["Location"]
    assert "close this tab" in http.get(back).text
    code, out, err = finish(proc)
    assert code == 0 and "Connected to Twitch as" in out
    secret_code = query_of(back)["code"]
    assert secret_code not in out + err + printed and SECRET not in out + err  # log_message is silent
    assert "GET /" not in err


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_and_sigterm_stop_cleanly_and_store_nothing(sim, env, sig):
    aenv = auth_env(env, free_port())
    proc = start_script("auth_server.py", aenv, "--no-browser")
    read_until(proc, "Waiting for Twitch")
    proc.send_signal(sig)
    code, out, err = finish(proc)
    assert code == 130 and "nothing was stored" in out
    assert "Traceback" not in err and not store_path(aenv).exists()


def test_help_lists_every_scope_with_its_purpose():
    proc = run_script("auth_server.py", {}, "--help")
    assert proc.returncode == 0
    for scope in DEFAULT_SCOPES:
        assert scope in proc.stdout
    assert "show new followers" in proc.stdout and "--device" in proc.stdout


def test_text_a_browser_sends_to_the_callback_never_reaches_the_terminal_as_escapes_or_lines(sim, env, http,
                                                                                             start_auth):
    """Whoever calls the callback chooses error_description: it is shown, but only as one line of text."""
    port = free_port()
    run = start_auth(auth_env(env, port))
    state = query_of(run.authorize_url(http))["state"]
    http.get(f"http://127.0.0.1:{port}/", params={
        "state": state, "error": "x\x1b[5m",
        "error_description": "\x1b]0;owned\x07\x1b[2Jvisible\nConnected to Twitch as forged\r\n! fake"})
    run.out.wait_text("visible")
    run.stop()
    assert "\x1b" not in run.out.text and "\x07" not in run.out.text
    (line,) = [line for line in run.out.lines() if "visible" in line]
    assert "Connected to Twitch as forged" in line and "! fake" in line  # the same line, not new ones
    assert not any(line.startswith(("Connected to Twitch", "! fake")) for line in run.out.lines())
