"""Every HTTP answer is bounded in size and time: a huge answer is refused, a trickling one ends at a deadline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from focuslib.net.client import HttpClient, NetworkError

from conftest import N_SUBS, ROOT, t


def test_an_answer_over_the_cap_is_refused_with_one_line(sim):
    sim.pad_answers = 5 * 1024 * 1024  # JSON padded with spaces: valid, and over the 4 MiB cap
    http = HttpClient()
    try:
        with pytest.raises(NetworkError, match="sent an answer over 4,096 KiB; focus refused it"):
            http.request("GET", sim.api_url + "/eventsub/subscriptions")
        sim.pad_answers = 0
        assert http.request("GET", sim.api_url + "/eventsub/subscriptions").status == 401  # the client still works
    finally:
        http.close()


def test_an_answer_under_the_cap_is_read_whole(sim):
    sim.pad_answers = 3 * 1024 * 1024
    http = HttpClient()
    try:
        resp = http.request("GET", sim.api_url + "/eventsub/subscriptions")
        assert len(resp.body) == 3 * 1024 * 1024 and resp.json()["status"] == 401
    finally:
        http.close()


def test_a_trickling_answer_ends_at_the_total_deadline(sim):
    sim.trickle = 5.0  # one byte every 5 s: no per-read timeout ever fires
    http = HttpClient(timeout=10.0, total=1.0)
    try:
        with pytest.raises(NetworkError, match=r"did not answer within 1 s"):
            http.request("GET", sim.api_url + "/eventsub/subscriptions")
    finally:
        http.close()


def test_a_shorter_deadline_that_comes_later_still_ends_its_call_first(sim):
    """One thread keeps every call's deadline: a call made after a longer one must not wait for it."""
    import threading

    sim.trickle = 5.0
    longer = round(1 + t(5))  # time for the second call to start and end first, on a loaded machine too
    long_call, short_call = HttpClient(timeout=10.0, total=longer), HttpClient(timeout=10.0, total=1.0)
    ended: dict[str, BaseException] = {}

    def call(name: str, http: HttpClient) -> None:
        try:
            http.request("GET", sim.api_url + "/eventsub/subscriptions")
        except NetworkError as exc:
            ended[name] = exc

    first = threading.Thread(target=call, args=("long", long_call), daemon=True)
    second = threading.Thread(target=call, args=("short", short_call), daemon=True)
    try:
        first.start()
        sim.wait_for(lambda: len(sim.requests) >= 1, t(10))
        second.start()
        second.join(t(10))
        assert not second.is_alive() and "did not answer within 1 s" in str(ended["short"])
        assert first.is_alive() and "long" not in ended  # its own deadline, later, still to come
        first.join(t(15))
        assert f"did not answer within {longer} s" in str(ended["long"])
    finally:
        first.join(t(15))
        second.join(t(5))
        long_call.close()
        short_call.close()


def test_calls_start_one_deadline_thread_not_one_each_and_it_ends_when_idle(sim, monkeypatch):
    """A Timer thread a call was a third of a Helix call's CPU time; an idle focus has no deadline thread."""
    import threading

    from focuslib.net import client

    started: list[str] = []
    real_start = client.threads.start

    def counting(thread: threading.Thread) -> threading.Thread:  # the one way focuslib starts a thread
        started.append(thread.name)
        return real_start(thread)

    monkeypatch.setattr(client.threads, "start", counting)
    http = HttpClient()
    try:
        for _ in range(20):
            assert http.request("GET", sim.api_url + "/eventsub/subscriptions").status == 401
    finally:
        http.close()
    # The deadline thread, if it had ended since the last test's calls (a Timer a call started 20).
    assert started in ([], ["http-deadlines"]), started
    deadline = time.monotonic() + t(client._Deadlines.LINGER + 5)
    while any(th.name == "http-deadlines" for th in threading.enumerate()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(th.name == "http-deadlines" for th in threading.enumerate()), "the deadline thread stayed"


PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
from focuslib.net.client import HttpClient, NetworkError

def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

http = HttpClient()
try:
    http.request("GET", sys.argv[2])  # warm: requests and its pools are loaded
except NetworkError:
    pass
before = peak()
try:
    http.request("GET", sys.argv[2])
    error = ""
except NetworkError as exc:
    error = exc.message
print(json.dumps({"before": before, "after": peak(), "error": error}))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads the peak RSS from /proc")
@pytest.mark.xdist_group("memory")  # peak RSS: never beside another memory test (conftest.py)
def test_a_64_mib_answer_leaves_the_peak_memory_where_it_was(sim):
    sim.pad_answers = 64 * 1024 * 1024
    out = subprocess.run([sys.executable, "-c", PROBE, str(ROOT), sim.api_url + "/eventsub/subscriptions"],
                         capture_output=True, text=True, timeout=t(60))
    assert out.returncode == 0, out.stderr[-2000:]
    r = json.loads(out.stdout)
    assert "focus refused it" in r["error"]
    assert r["after"] - r["before"] < 8 * 1024, f"peak RSS grew by {(r['after'] - r['before']) // 1024} MiB"


def test_a_helix_that_trickles_does_not_leave_focus_subscribing_forever(sim, start_focus):
    sim.trickle, sim.trickle_prefix = 5.0, "/eventsub/"  # the token check answers; creating subscriptions hangs
    focus = start_focus(timestamps=False, http_deadline=1.5)  # (30 s in focus; the rule is the same)
    focus.out.wait_text("did not answer within 1.5 s", timeout=20)
    focus.out.wait_text("reconnecting", timeout=20)
    assert "could not be created" not in focus.out.text  # one line for the session, not one per subscription
    sim.trickle = 0.0  # Helix recovers: the next session subscribes
    focus.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=30)
    assert focus.stop() == 0


class TricklingProxy:
    """An HTTP proxy on 127.0.0.1:0 that takes the request, then answers one byte at a time, forever."""

    def __init__(self) -> None:
        import socket
        import threading

        self.server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.asked = threading.Event()
        self.stop = threading.Event()
        self.conns: list = []
        threading.Thread(target=self._serve, name="test-proxy", daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.conns.append(conn)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            self.asked.set()
            answer = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n" + b" " * 4096
            for k in range(len(answer)):
                if self.stop.wait(0.2):
                    return
                try:
                    conn.sendall(answer[k:k + 1])
                except OSError:
                    break

    def close(self) -> None:
        self.stop.set()
        self.server.close()
        for conn in self.conns:
            conn.close()


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy"])
def test_the_total_deadline_holds_through_a_proxy(sim, monkeypatch, variable):
    """Through HTTP(S)_PROXY the call's socket is the proxy's: the deadline must still shut it."""
    import threading

    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy",
                 "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    proxy = TricklingProxy()
    monkeypatch.setenv(variable, proxy.url)
    http = HttpClient(timeout=10.0, total=1.0)
    result: list = []

    def call() -> None:
        try:
            result.append(http.request("GET", sim.api_url + "/eventsub/subscriptions"))
        except NetworkError as exc:
            result.append(exc)

    caller = threading.Thread(target=call, daemon=True)
    try:
        caller.start()
        assert proxy.asked.wait(t(10)), "the call did not go through the proxy"
        caller.join(t(15))  # a hang guard: without the deadline the answer takes 15 minutes
        assert not caller.is_alive(), "the call outlived its total deadline"
        assert isinstance(result[0], NetworkError) and "did not answer within 1 s" in str(result[0]), result
    finally:
        proxy.close()
        caller.join(t(5))
        http.close()


def test_a_call_made_as_the_idle_deadline_thread_ends_still_gets_its_deadline(monkeypatch):
    """The thread decides to end and says so under one lock: a call coming just after its decision starts a new
    thread.  (It said so later, after letting go of the lock: a call in between saw it running, started none, and
    its deadline never fired.)  The moment after the decision is stretched here."""
    import threading

    from focuslib.net import client

    ended = threading.Event()

    class Slow(client._Deadlines):
        LINGER = 0.05

        def _keep(self) -> None:
            super()._keep()
            ended.set()
            time.sleep(0.3)  # the moment between the thread's decision and its end, stretched

    deadlines = Slow()
    first = client._Watch()
    deadlines.watch(first, 0.01)
    assert ended.wait(t(10))  # the first watch expired, the heap emptied, the thread decided to end
    expired = threading.Event()

    class Flagged(client._Watch):
        def expire(self) -> None:
            expired.set()

    deadlines.watch(Flagged(), 0.01)
    assert expired.wait(t(5)), "a call made as the deadline thread ended had no deadline"
