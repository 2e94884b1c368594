"""focuslib/net/client.py against tiny real servers on 127.0.0.1:0: timeouts, errors, retries, proxies, close.

The servers here are test doubles at the socket level (a plain http.server, or a
socket that misbehaves on purpose); nothing of requests or urllib3 is mocked.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator

import pytest
import requests

from conftest import t
from focuslib.net.client import USER_AGENT, HttpClient, NetworkError


class Recorder(BaseHTTPRequestHandler):
    """Answers 200 with JSON; records each request line, body and header; counts finished connections."""

    protocol_version = "HTTP/1.1"  # keep-alive, as Twitch does

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.seen.append({"line": self.requestline, "body": body,  # type: ignore[attr-defined]
                                 "headers": dict(self.headers),
                                 "port": self.client_address[1]})
        data = json.dumps({"ok": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = _answer

    def finish(self) -> None:
        super().finish()
        self.server.closed.release()  # type: ignore[attr-defined]


@pytest.fixture
def recorder() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.daemon_threads = True
    server.seen = []  # type: ignore[attr-defined]
    server.closed = threading.Semaphore(0)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(t(5))


def base(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture
def raw_server() -> Iterator[Callable[[Callable[[socket.socket], None]], tuple[int, list[bytes]]]]:
    """A listening socket whose every connection is handled by `serve(conn)`; returns (port, requests read)."""
    listeners: list[socket.socket] = []
    threads: list[threading.Thread] = []

    def start(serve: Callable[[socket.socket], None]) -> tuple[int, list[bytes]]:
        lsock = socket.create_server(("127.0.0.1", 0))
        listeners.append(lsock)
        received: list[bytes] = []

        def loop() -> None:
            while True:
                try:
                    conn, _ = lsock.accept()
                except OSError:
                    return
                with conn:
                    received.append(conn.recv(65536))
                    serve(conn)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        threads.append(thread)
        return lsock.getsockname()[1], received

    yield start
    for lsock in listeners:
        try:
            lsock.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not, on Linux)
        except OSError:
            pass
        lsock.close()
    for thread in threads:
        thread.join(t(5))
        assert not thread.is_alive(), "the test server's thread did not end"


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


def test_a_server_that_never_answers_ends_in_a_network_error_not_a_hang(raw_server, no_proxy_env):
    hold = threading.Event()
    port, received = raw_server(lambda conn: hold.wait(t(10)))  # reads the request, says nothing
    client = HttpClient(timeout=0.3)
    try:
        with pytest.raises(NetworkError) as err:
            client.request("GET", f"http://127.0.0.1:{port}/validate")
    finally:
        hold.set()
        client.close()
    assert err.value.message == "127.0.0.1 did not answer in time" and "retries by itself" in err.value.hint
    assert received and received[0].startswith(b"GET /validate ")


def test_a_refused_connection_says_so_in_one_line(no_proxy_env):
    with socket.create_server(("127.0.0.1", 0)) as sock:
        port = sock.getsockname()[1]  # closed below: nobody listens there any more
    client = HttpClient()
    with pytest.raises(NetworkError) as err:
        client.request("GET", f"http://127.0.0.1:{port}/helix/users")
    client.close()
    assert err.value.message == "cannot reach 127.0.0.1: connection refused"
    assert "\n" not in err.value.message and "Pool" not in err.value.message


def test_not_an_http_url_is_refused_before_any_io():
    with pytest.raises(NetworkError, match="not an http"):
        HttpClient().request("GET", "ftp://127.0.0.1/x")


def test_a_post_that_reached_the_server_is_never_sent_twice_but_a_get_is_retried_once(raw_server, no_proxy_env):
    # The server reads the request and hangs up without an answer: a POST may have been acted on
    # (a rotated refresh token), so it must not be repeated; GET /validate is safe to repeat.
    port, received = raw_server(lambda conn: conn.shutdown(socket.SHUT_RDWR))
    client = HttpClient()
    with pytest.raises(NetworkError):
        client.request("POST", f"http://127.0.0.1:{port}/token", form={"grant_type": "refresh_token"})
    assert [r.split(b" ", 2)[:2] for r in received] == [[b"POST", b"/token"]]
    with pytest.raises(NetworkError):
        client.request("GET", f"http://127.0.0.1:{port}/validate")
    client.close()
    assert [r.split(b" ", 2)[:2] for r in received[1:]] == [[b"GET", b"/validate"]] * 2


def test_form_bodies_carry_secrets_never_the_query_string(recorder, no_proxy_env):
    client = HttpClient()
    resp = client.request("POST", base(recorder) + "/oauth2/token", params={"a": "1"},
                          form={"client_secret": "s3cr3t-value", "code": "abc"})
    client.close()
    seen = recorder.seen[0]  # type: ignore[attr-defined]
    assert resp.status == 200 and resp.json() == {"ok": True} and resp.headers["content-type"] == "application/json"
    assert seen["line"].startswith("POST /oauth2/token?a=1 ") and "s3cr3t" not in seen["line"]
    assert seen["body"] == b"client_secret=s3cr3t-value&code=abc"
    assert seen["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
    assert seen["headers"]["User-Agent"] == USER_AGENT


def test_proxies_come_from_the_environment_and_no_proxy_is_honoured(recorder, no_proxy_env):
    with ThreadingHTTPServer(("127.0.0.1", 0), Recorder) as direct:
        direct.seen, direct.closed = [], threading.Semaphore(0)  # type: ignore[attr-defined]
        thread = threading.Thread(target=direct.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        no_proxy_env.setenv("HTTP_PROXY", base(recorder))  # the recorder plays the proxy
        client = HttpClient()
        try:
            assert client.request("GET", "http://api.twitch.invalid/helix/users").status == 200
            no_proxy_env.setenv("NO_PROXY", "127.0.0.1")
            assert client.request("GET", base(direct) + "/helix/users").status == 200
        finally:
            client.close()
            direct.shutdown()
            thread.join(t(5))
        # Through a proxy the request line carries the absolute URL; NO_PROXY went straight there.
        assert [s["line"] for s in recorder.seen] == ["GET http://api.twitch.invalid/helix/users HTTP/1.1"]
        assert [s["line"] for s in direct.seen] == ["GET /helix/users HTTP/1.1"]  # type: ignore[attr-defined]


def test_each_thread_has_its_own_connection_and_close_ends_them_all(recorder, no_proxy_env):
    client = HttpClient()
    url = base(recorder) + "/validate"
    client.request("GET", url)
    other = threading.Thread(target=client.request, args=("GET", url))
    other.start()
    other.join(t(5))
    client.request("GET", url)  # the main thread's kept-alive connection again
    first, second, third = (s["port"] for s in recorder.seen)  # type: ignore[attr-defined]
    assert first == third != second  # kept alive per thread, never shared between threads
    client.close()
    # Both keep-alive connections are closed by close(): the server sees both end.
    assert recorder.closed.acquire(timeout=t(5)) and recorder.closed.acquire(timeout=t(5))  # type: ignore[attr-defined]
    assert client.request("GET", url).status == 200  # usable again after close (fresh sessions)
    client.close()


def test_close_also_retires_the_sessions_of_threads_that_call_again_later(recorder, no_proxy_env):
    # A long-lived thread (a Helix worker, the token keeper) calls, focus's main thread closes the
    # client, the thread calls again: that connection is one the next close() must end as well.
    client = HttpClient()
    url = base(recorder) + "/validate"
    jobs: queue.SimpleQueue[str | None] = queue.SimpleQueue()
    done: queue.SimpleQueue[int] = queue.SimpleQueue()

    def worker() -> None:
        while (job := jobs.get()) is not None:
            done.put(client.request("GET", job).status)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        jobs.put(url)
        assert done.get(timeout=t(5)) == 200
        client.close()
        assert recorder.closed.acquire(timeout=t(5))  # type: ignore[attr-defined]
        jobs.put(url)
        assert done.get(timeout=t(5)) == 200
        client.close()
        assert recorder.closed.acquire(timeout=t(5))  # type: ignore[attr-defined]
    finally:
        jobs.put(None)
        thread.join(t(5))


def test_netrc_is_honoured_on_every_call_and_an_authorization_header_of_the_caller_is_kept(
        recorder, no_proxy_env, tmp_path):
    """requests reads .netrc for a call without credentials of its own; HttpClient looks it up once per server
    (a lookup a call was three file checks), so every call must still carry it."""
    import base64

    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login proxyuser password netrc-pass-value\n")
    netrc.chmod(0o600)
    no_proxy_env.setenv("NETRC", str(netrc))
    client = HttpClient()
    try:
        for _ in range(2):
            client.request("POST", base(recorder) + "/oauth2/token", form={"grant_type": "x"})
        client.request("GET", base(recorder) + "/helix/users", headers={"Authorization": "Bearer abc"})
    finally:
        client.close()
    with requests.Session() as plain:  # what requests itself does with a caller's own header and that .netrc
        plain.get(base(recorder) + "/helix/users", headers={"Authorization": "Bearer abc"}, timeout=t(10))
    basic = "Basic " + base64.b64encode(b"proxyuser:netrc-pass-value").decode()
    sent = [s["headers"].get("Authorization") for s in recorder.seen]  # type: ignore[attr-defined]
    assert sent[:2] == [basic, basic] and sent[2] == sent[3], sent


def test_a_port_that_does_not_parse_is_a_network_error_not_a_crash(no_proxy_env):
    with pytest.raises(NetworkError):
        HttpClient().request("GET", "http://127.0.0.1:99999/helix/users")
