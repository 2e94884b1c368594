"""make auth in a real (headless) browser: open the landing page, click "Connect with Twitch", follow the
simulated Twitch back, see the success page.  Runs only where Debian's chromium is installed; skipped
otherwise (the suite never installs a browser).  The browser is driven over the DevTools protocol with
websocket-client, which focus already depends on.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import tempfile
import threading
from typing import Any

import pytest
import websocket

from authkit import start_auth  # noqa: F401  (fixture)
from authkit import auth_env, free_port, store_path
from conftest import Browser, t

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="Debian's chromium is not installed")


class DevTools:
    """Just enough of the DevTools protocol: one page session, commands, and waiting for events."""

    def __init__(self, ws_url: str) -> None:
        self.ws = websocket.create_connection(ws_url, timeout=t(10), suppress_origin=True)
        self.ids = itertools.count(1)
        self.session = ""

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        msg_id = next(self.ids)
        msg: dict[str, Any] = {"id": msg_id, "method": method, "params": params}
        if self.session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == msg_id:
                assert "error" not in reply, reply
                return reply.get("result", {})

    def wait_event(self, method: str) -> dict[str, Any]:
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("method") == method:
                return msg.get("params", {})

    def open(self, url: str) -> None:
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable")
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        return self.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")

    def close(self) -> None:
        try:
            self.session = ""
            self.call("Browser.close")
        finally:
            self.ws.close()


@pytest.fixture
def chromium():
    # The profile lives outside tmp_path: the browser's own cache holds the redirect URL (with the
    # one-time code), and the suite-wide secret check scans tmp_path for what focus wrote.
    profile = tempfile.mkdtemp(prefix="focus-chromium-")
    proc = subprocess.Popen([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--disable-quic", "--remote-debugging-port=0", f"--user-data-dir={profile}",
                             "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    found: list[str] = []
    ready = threading.Event()

    def watch_stderr() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            match = re.search(r"DevTools listening on (ws://\S+)", line)
            if match and not found:
                found.append(match.group(1))
                ready.set()
        ready.set()

    reader = threading.Thread(target=watch_stderr, name="chromium-stderr", daemon=True)
    reader.start()
    try:
        if not ready.wait(t(20)) or not found:
            pytest.skip("chromium did not start its DevTools endpoint here")
        tools = DevTools(found[0])
        yield tools
        tools.close()
    finally:
        proc.kill()
        proc.wait(t(10))
        reader.join(t(5))
        if proc.stderr is not None:
            proc.stderr.close()
        shutil.rmtree(profile, ignore_errors=True)


def test_clicking_connect_in_a_real_browser_signs_in(sim, env, chromium, start_auth):
    port = free_port()
    aenv = auth_env(env, port)
    run = start_auth(aenv)
    chromium.open(run.start_url())  # the address make auth printed (with its key)
    assert chromium.evaluate("document.getElementById('connect').textContent") == "Connect with Twitch"
    assert chromium.evaluate("document.cookie") == ""  # the browser id is HttpOnly: no script reads it
    chromium.evaluate("document.getElementById('connect').click()")
    chromium.wait_event("Page.loadEventFired")  # the page Twitch (the simulator) redirected back to
    assert "You can close this tab" in chromium.evaluate("document.body.innerText")
    assert run.wait() == 0 and store_path(aenv).exists()


def test_a_sign_in_started_in_another_browser_cannot_be_finished_in_this_one(sim, env, chromium, start_auth):
    """The state is bound to the browser that clicked Connect by a cookie the real browser keeps across
    Twitch's cross-site redirect: a browser without it (here chromium, before it got the key) is refused."""
    port = free_port()
    aenv = auth_env(env, port)
    run = start_auth(aenv)
    with Browser() as other:  # the browser that got the key and clicked Connect
        twitch = run.authorize_url(other)
    chromium.open(f"http://127.0.0.1:{port}/")  # no key: the landing page refuses to start anything
    assert "Open the address make auth printed" in chromium.evaluate("document.body.innerText")
    assert chromium.evaluate("document.getElementById('connect')") is None
    chromium.open(twitch)  # the other browser's sign-in, completed here: Twitch sends chromium back
    assert "This sign-in link is not valid" in chromium.evaluate("document.body.innerText")
    run.out.wait_text("another browser")
    assert not store_path(aenv).exists() and sim.token_requests == []
    chromium.open(run.start_url())  # with the key, this browser may sign in
    chromium.evaluate("document.getElementById('connect').click()")
    chromium.wait_event("Page.loadEventFired")
    assert "You can close this tab" in chromium.evaluate("document.body.innerText")
    assert run.wait() == 0 and store_path(aenv).exists()
