"""make auth on a machine with other users: only the person who sees make auth's output may start a sign-in;
the server answers only at localhost/127.0.0.1 on its port; every answer forbids framing and caching; a flood
of idle connections costs a bounded number of threads.
"""

from __future__ import annotations

import socket
import threading

import pytest
import requests

from authkit import start_auth  # noqa: F401  (fixture)
from authkit import auth_env, free_port, store_path
from conftest import Browser, t
from focuslib.auth.codeflow import StateBook
from focuslib.auth.server import QUEUED, WORKERS
from test_auth_server import query_of


WANTED_HEADERS = {"X-Frame-Options": "DENY", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def assert_guarded(resp: requests.Response) -> None:
    for name, value in WANTED_HEADERS.items():
        assert resp.headers.get(name) == value, (resp.status_code, name, resp.headers)
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "form-action 'none'" in csp
    assert "script-src" not in csp and "unsafe" not in csp  # no script may run at all


def test_without_the_printed_key_nobody_can_start_a_sign_in(sim, env, start_auth):
    """Another local user can reach the server but never saw make auth's output: no state for them."""
    port = free_port()
    aenv = auth_env(env, port)
    run = start_auth(aenv)
    start = run.start_url()
    key = query_of(start)["k"]
    assert len(key) >= 32
    wrong = key[:-1] + ("y" if key.endswith("x") else "x")  # one character off (a key ending in x: 1 run in 64)
    with Browser() as intruder:
        for path, params in (("/", {}), ("/connect", {}), ("/", {"k": wrong}), ("/", {"k": ""})):
            page = intruder.get(f"http://127.0.0.1:{port}{path}", params=params, allow_redirects=False)
            assert page.status_code == 403 and "Open the address make auth printed" in page.text
            assert "Set-Cookie" not in page.headers and "/authorize" not in page.text
        forged = intruder.get(f"http://127.0.0.1:{port}/connect", cookies={"focus_auth": "guessed"},
                              allow_redirects=False)
        assert forged.status_code == 403
    with Browser() as owner:
        landing = owner.get(start)
        assert landing.status_code == 200 and "focus_auth" in landing.headers["Set-Cookie"]
        assert "HttpOnly" in landing.headers["Set-Cookie"] and "SameSite=Lax" in landing.headers["Set-Cookie"]
        assert owner.get(f"http://127.0.0.1:{port}/connect", allow_redirects=False).status_code == 302
    run.stop()
    assert not store_path(aenv).exists()


def test_a_state_works_only_in_the_browser_it_was_issued_to_and_only_once(sim, env, start_auth):
    port = free_port()
    aenv = auth_env(env, port)
    run = start_auth(aenv)
    with Browser() as owner, Browser() as intruder:
        twitch = run.authorize_url(owner)
        back = intruder.get(twitch, allow_redirects=False).headers["Location"]  # Twitch sends the intruder back
        page = intruder.get(back)
        assert page.status_code == 400 and "not valid" in page.text
        assert "/connect" not in page.text  # no "Start again" for a browser without the key
        run.out.wait_text("another browser")
        replay = owner.get(back)  # the state was spent by the refused attempt
        assert replay.status_code == 400 and sim.token_requests == []
        assert "You can close this tab" in owner.get(run.authorize_url(owner)).text
    assert run.wait() == 0 and store_path(aenv).exists()


def test_state_book_binds_each_state_to_one_browser():
    book = StateBook()
    state = book.issue("browser-a")
    assert not book.consume(state, "browser-b")
    assert not book.consume(state, "browser-a")  # single use, whoever presented it first
    other = book.issue("browser-a")
    assert book.consume(other, "browser-a")


@pytest.mark.parametrize("host", ["evil.example:{port}", "localhost:{other}", "127.0.0.1", "localhost.evil:{port}",
                                  ""])
def test_a_host_header_that_is_not_this_server_is_refused(sim, env, start_auth, host):
    """DNS rebinding: a web page whose name resolves to 127.0.0.1 sends its own name as Host."""
    port = free_port()
    run = start_auth(auth_env(env, port))
    start = run.start_url()
    resp = requests.get(start, headers={"Host": host.format(port=port, other=port + 1)}, allow_redirects=False,
                        timeout=t(20))
    assert resp.status_code == 421 and "Set-Cookie" not in resp.headers
    assert_guarded(resp)
    ok = requests.get(start, headers={"Host": f"localhost:{port}"}, timeout=t(20))
    assert ok.status_code == 200  # localhost with the port is this server too
    run.stop()


def test_every_answer_forbids_framing_caching_and_scripts(sim, env, start_auth):
    port = free_port()
    run = start_auth(auth_env(env, port))
    base = f"http://127.0.0.1:{port}"
    start = run.start_url()  # waits until the server listens (a request before that is refused)
    with Browser() as browser:
        answers = [browser.get(base + "/"), browser.get(base + "/favicon.ico"), browser.get(start),
                   browser.get(base + "/connect", allow_redirects=False),
                   browser.get(base + "/", params={"state": "x", "code": "y"}),
                   browser.post(base + "/"),  # http.server's own 501 page
                   browser.get(base + "/", headers={"Host": "evil.example"})]
        answers.append(browser.get(run.authorize_url(browser)))  # the success page
    assert [a.status_code for a in answers] == [403, 404, 200, 302, 400, 501, 421, 200]
    for answer in answers:
        assert_guarded(answer)
    assert run.wait() == 0


def test_300_idle_connections_use_a_bounded_number_of_threads(sim, env):
    from focuslib.auth.codeflow import CodeFlow
    from focuslib.auth.server import CallbackServer
    from focuslib.config import Settings
    from focuslib.net.client import HttpClient
    from focuslib.twitch.scopes import DEFAULT_SCOPES

    flow = CodeFlow(Settings.from_env(auth_env(env, free_port())), HttpClient(), DEFAULT_SCOPES)
    server = CallbackServer(flow)
    serving = threading.Thread(target=server.serve_forever, args=(0.05,), name="auth-http-test", daemon=True)
    serving.start()
    before = threading.active_count()
    idle: list[socket.socket] = []
    try:
        for _ in range(300):
            idle.append(socket.create_connection(("127.0.0.1", flow.redirect.port), timeout=t(5)))
        assert server.wait_seen(300, t(20))
        assert threading.active_count() <= before  # the workers exist from the start: not one more
        assert len([th for th in threading.enumerate() if th.name.startswith("auth-http-")]) == WORKERS + 1
        assert server.refused >= 300 - WORKERS - QUEUED
        for sock in idle:
            sock.close()
        idle.clear()
        page = requests.get(flow.start_url, timeout=t(20))  # the real person still gets in
        assert page.status_code == 200
    finally:
        for sock in idle:
            sock.close()
        server.shutdown()
        server.server_close()
        serving.join(t(5))
