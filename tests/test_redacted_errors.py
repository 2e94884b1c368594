"""A token quoted in an error answer never reaches an output (issue 22, item 3).

Twitch, or a proxy in between, may quote the request in its error text (an echoed Authorization header,
a debugging page).  Only the devlog's copy used to be masked: focus's terminal and the one-shot commands
printed the token.  Every answer's message now goes through the process's redactor (net/client.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator

import pytest

from conftest import N_SUBS, ROOT, t
from secret_guard import seen
from test_oneshot import shell_env  # noqa: F401  (a fixture)

MASK = "[redacted]"


def test_a_helix_error_that_quotes_the_token_is_masked_on_focus_s_terminal(sim, env, start_focus) -> None:
    token = env["TWITCH_USER_ACCESS_TOKEN"]
    sim.fail_subscriptions["channel.follow"] = (400, f"bad request: Authorization: Bearer {token}")
    focus = start_focus()
    sim.wait_subscribed(N_SUBS - 1)
    focus.out.wait_text("channel.follow")
    line = next(line for line in focus.out.lines() if "channel.follow" in line)
    assert f"Bearer {MASK}" in line and token not in focus.out.text


def test_a_one_shot_masks_a_token_twitch_quotes_in_its_refusal(sim, shell_env) -> None:
    token = shell_env["TWITCH_USER_ACCESS_TOKEN"]
    sim.helix.limited["POST /helix/chat/shoutouts"] = f"slow down, {token}"
    done = subprocess.run([sys.executable, str(ROOT / "focus.py"), "shoutout", "rustyraccoon"], cwd=ROOT,
                          env=shell_env, capture_output=True, text=True, timeout=t(30))
    seen("one-shot", done.stdout + done.stderr)
    assert done.returncode == 4 and f"slow down, {MASK}" in done.stderr and token not in done.stderr



def test_a_drop_reason_that_quotes_the_token_is_masked(sim, shell_env) -> None:
    """Send Chat Message answers 200 with `is_sent: false` and a drop reason: that text is the network's too."""
    token = shell_env["TWITCH_USER_ACCESS_TOKEN"]
    sim.helix.drop_next = ("msg_rejected", f"held for review (token {token})")
    done = subprocess.run([sys.executable, str(ROOT / "focus.py"), "say", "hi"], cwd=ROOT, env=shell_env,
                          capture_output=True, text=True, timeout=t(30))
    seen("one-shot", done.stdout + done.stderr)
    assert done.returncode == 4 and done.stderr == f"focus: not sent: held for review (token {MASK})\n", done.stderr


class EchoProxy(BaseHTTPRequestHandler):
    """A proxy that refuses every request with a JSON page quoting its headers (some debugging proxies do)."""

    def _refuse(self) -> None:
        body = json.dumps({"error": "Bad Gateway", "message": f"upstream refused: {dict(self.headers)}"}).encode()
        self.send_response(502)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_DELETE = _refuse

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def echo_proxy() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), EchoProxy)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="test-echo-proxy", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(t(5))


def test_a_proxy_page_that_quotes_the_token_is_masked_in_one_shot_output(sim, shell_env, echo_proxy) -> None:
    token = shell_env["TWITCH_USER_ACCESS_TOKEN"]
    env = {k: v for k, v in shell_env.items() if k.lower() not in ("no_proxy", "all_proxy", "https_proxy")}
    env["HTTP_PROXY"] = echo_proxy
    done = subprocess.run([sys.executable, str(ROOT / "focus.py"), "say", "hi"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=t(30))
    seen("one-shot through a proxy", done.stdout + done.stderr)
    assert done.returncode != 0 and "upstream refused" in done.stderr, done.stderr
    assert MASK in done.stderr and token not in done.stderr
    assert os.environ.get("HTTP_PROXY") != echo_proxy  # the test's own calls never went through it


@pytest.mark.parametrize("proxy", ["http://me:pr0xy-pass{w}@127.0.0.1:99999", "http://me:pr0xy/pass{w}@127.0.0.1:1",
                                   "http://me:pr0xy-pass{w}@127.0.0.1:1"])
def test_a_proxy_password_never_shows_in_an_error(sim, shell_env, proxy) -> None:
    """A proxy setting with a password that urllib3 cannot parse: its error quoted the URL, password and all
    (or the piece before a '/' in it), on focus's terminal and in the one-shots' line."""
    word = "w0rdz"
    env = {k: v for k, v in shell_env.items() if k.lower() not in ("no_proxy", "all_proxy", "https_proxy")}
    env["HTTP_PROXY"] = proxy.format(w=word)
    done = subprocess.run([sys.executable, str(ROOT / "focus.py"), "say", "hi"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=t(30))
    seen("one-shot through a broken proxy setting", done.stdout + done.stderr)
    assert done.returncode != 0 and done.stderr.startswith("focus: cannot reach 127.0.0.1"), done.stderr
    assert "pr0xy" not in done.stderr and word not in done.stderr, done.stderr

