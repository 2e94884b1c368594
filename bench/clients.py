"""The clients under measurement: focus, the floor and the peer, each a real process.

Every client reads the same environment variables as focus (TWITCH_EVENTSUB_URL,
TWITCH_API_URL, ...), gets a token of its own from the simulator (so the
simulator can tell whose subscription arrived when), a private HOME, runtime
and data directory, and writes its chat lines to a pipe that a `LineReader`
thread in the bench reads.  The environment is built from scratch: the
caller's PYTHONUNBUFFERED would change how the clients write, and
PYTHONDONTWRITEBYTECODE would make every start-up compile from source.
"""

from __future__ import annotations

import fcntl
import itertools
import os
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from . import procstat
from .frames import MARK_RE
from .simctl import ROOT, SimProc


class BenchError(RuntimeError):
    pass


@dataclass(frozen=True)
class Kind:
    name: str
    argv: tuple[str, ...]
    needs_user_id: bool = False  # the floor does not look the user up, so it is told
    pty: bool = False  # stdin and stdout a pseudo-terminal: focus's input line is on
    screen: bool = False  # with pty: screen mode (the full-screen app), read through bench/screenreader.py


def focus_kind(python: str = sys.executable) -> Kind:
    return Kind("focus", (python, str(ROOT / "focus.py"), "--color", "always"))


def focus_pty_kind(python: str = sys.executable) -> Kind:
    return Kind("focus (input line)", (python, str(ROOT / "focus.py"), "--color", "always"), pty=True)


def focus_screen_kind(python: str = sys.executable) -> Kind:
    return Kind("focus (screen)", (python, str(ROOT / "focus.py"), "--color", "always"), pty=True, screen=True)


PTY_SIZE = (40, 120)  # rows, columns of the pseudo-terminal


def floor_kind(python: str = sys.executable) -> Kind:
    return Kind("floor", (python, str(ROOT / "bench" / "floor.py")), needs_user_id=True)


def peer_kind(python: str) -> Kind:
    return Kind("pyTwitchAPI", (python, str(ROOT / "bench" / "peer.py")))


TWURPLE_DIR = ROOT / "bench" / "twurple"  # its package.json; `make bench` installs node_modules beside it


def twurple_kind(node: str) -> Kind:
    """The Node.js peer (twurple's EventSub WebSocket listener); told the user id, as the floor is."""
    return Kind("twurple", (node, str(TWURPLE_DIR / "peer.mjs")), needs_user_id=True)


def twurple_missing(node: str | None) -> str:
    """Why the Node.js peer cannot run here ("" when it can)."""
    if node is None:
        return "node is not installed"
    if not (TWURPLE_DIR / "node_modules" / "@twurple" / "eventsub-ws").is_dir():
        return "bench/twurple/node_modules is missing (make bench installs it with npm)"
    return ""


class LineReader(threading.Thread):
    """Reads a client's stdout; counts numbered chat lines and, when asked, when each arrived."""

    def __init__(self, fd: int) -> None:
        super().__init__(name="bench-reader", daemon=True)
        self.fd = fd
        self.count = 0
        self.last = 0.0  # monotonic time the newest numbered line was read
        self.times: dict[int, float] | None = None
        self.watch: bytes | None = None  # `expect`: the bytes whose next appearance is timed
        self.seen: float | None = None
        self.eof = False
        self.tail = b""  # the last unnumbered output, for error messages
        self.cond = threading.Condition()

    def record(self, on: bool) -> None:
        """Start (or stop) noting the arrival time of every numbered line."""
        with self.cond:
            self.times = {} if on else None

    def expect(self, token: bytes) -> None:
        """Time the next appearance of `token` in the output (`wait_seen`)."""
        with self.cond:
            self.watch, self.seen = token, None

    def wait_seen(self, timeout: float) -> float | None:
        """When the expected bytes appeared (monotonic), None if not within `timeout`."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.seen is None and not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            self.watch = None
            return self.seen

    def chunks(self) -> Iterator[tuple[bytes, float]]:
        """Each read of the output and when it returned, until the end; the `expect`ed bytes timed on the way."""
        read, now = os.read, time.monotonic
        carry = b""  # the end of the previous read: a watched token may straddle two reads
        while True:
            try:
                data = read(self.fd, 1 << 20)
            except OSError:  # a pseudo-terminal's master reads EIO once the child is gone
                data = b""
            t = now()
            if not data:
                return
            if self.watch is not None:
                with self.cond:
                    if self.watch is not None and self.watch in carry + data:
                        self.seen, self.watch = t, None
                        self.cond.notify_all()
            carry = data[-8:]
            yield data, t

    def ended(self) -> None:
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def run(self) -> None:
        findall = MARK_RE.findall
        pending = b""
        for data, t in self.chunks():
            pending += data
            cut = pending.rfind(b"\n") + 1
            if not cut:  # a pseudo-terminal's redraws end without one: kept for the error messages too
                self.tail = (self.tail + data)[-2000:]
                continue
            lines, pending = pending[:cut], pending[cut:]
            seqs = findall(lines)
            with self.cond:
                if seqs:
                    self.count += len(seqs)
                    self.last = t
                    if self.times is not None:
                        for s in seqs:
                            self.times.setdefault(int(s), t)
                else:
                    self.tail = (self.tail + lines)[-2000:]
                self.cond.notify_all()
        self.ended()

    def wait_count(self, n: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.count < n and not self.eof:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
            return self.count >= n


_serial = itertools.count(1)
QUIET_WINDOW = 0.2  # seconds
QUIET_CPU = 0.002  # CPU seconds in a window: 1 % of a core (idle focus uses 0.01 %)


def visible(data: bytes) -> str:
    """A client's output for the bench's own error lines: control characters and escapes written out as
    `\\xNN`, so a client's stdout (a pty's redraws) or stderr cannot drive the terminal running the bench."""
    text = data.decode("utf-8", "replace").strip()
    return "".join(ch if ch.isprintable() or ch == "\n" else f"\\x{ord(ch):02x}" for ch in text)


class Client:
    """One client process against the simulator, from spawn to subscribed to stopped."""

    def __init__(self, kind: Kind, sim: SimProc, workdir: Path, *, devlog_reader: bool = False) -> None:
        self.kind = kind
        self.sim = sim
        self.home = workdir / f"{kind.name}-{next(_serial)}"
        self.home.mkdir(parents=True)
        grant = sim.call("token")
        self.token = grant["access_token"]
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "TERM": "xterm-256color",
            "HOME": str(self.home), "XDG_RUNTIME_DIR": str(self.home / "run"),
            "FOCUS_DATA_DIR": str(self.home / "data"),
            **sim.env(grant["access_token"], grant["refresh_token"]),
            **({"TWITCH_USER_ID": sim.broadcaster_id} if kind.needs_user_id else {}),
            # FOCUS_HISTORY=off in the bench's environment measures focus without its history (its cost)
            **{k: os.environ[k] for k in ("FOCUS_HISTORY",) if k in os.environ},
        }
        self._stderr = open(self.home / "stderr.txt", "wb")
        self.devlog: subprocess.Popen[bytes] | None = None
        self.master = -1  # the pseudo-terminal's side the bench reads and types into (pty kinds)
        self.spawned_at = time.monotonic()
        if kind.pty:
            # The bench is the terminal.  It has no screen to report a cursor position from, so
            # prompt_toolkit is told not to ask (it would wait for an answer, then warn).
            self.master, slave = os.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *PTY_SIZE, 0, 0))
            # line mode unless the kind is screen mode's: the input phase measures lines above the input line
            mode = {} if kind.screen else {"FOCUS_SCREEN": "lines"}
            self.proc = subprocess.Popen(kind.argv, stdin=slave, stdout=slave, stderr=self._stderr,
                                         env={**mode, **self.env, "PROMPT_TOOLKIT_NO_CPR": "1"},
                                         cwd=self.home,
                                         start_new_session=True)
            os.close(slave)
            if kind.screen:
                from .screenreader import ScreenReader  # pyte: only when screen mode is measured
                self.reader: LineReader = ScreenReader(self.master, *PTY_SIZE)
            else:
                self.reader = LineReader(self.master)
        else:
            self.proc = subprocess.Popen(kind.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=self._stderr, env=self.env, cwd=self.home)
            assert self.proc.stdout is not None
            self.reader = LineReader(self.proc.stdout.fileno())
        self.reader.start()
        if devlog_reader:
            self.devlog = subprocess.Popen([sys.executable, str(ROOT / "devlog.py"), "--raw"],
                                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                           stderr=subprocess.DEVNULL, env=self.env, cwd=self.home)
        self.session = ""
        self.subscribed_at = 0.0
        self.steps: dict[str, float] = {}

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def startup(self) -> float:
        """Seconds from spawning the process to its chat subscription being created."""
        return self.subscribed_at - self.spawned_at

    def wait_subscribed(self, timeout: float = 30.0) -> Client:
        try:
            ready = self.sim.call("wait_client", token=self.token, timeout=timeout)
        except Exception as exc:
            raise BenchError(f"{self.kind.name} did not subscribe ({exc}){self.diagnose()}") from None
        self.session, self.subscribed_at = ready["session"], ready["subscribed_at"]
        self.steps = {"first_api_call": ready["first_api_call_at"] - self.spawned_at,
                      "welcomed": ready["welcomed_at"] - self.spawned_at, "subscribed": self.startup}
        self.wait_quiet(timeout)
        return self

    def wait_quiet(self, timeout: float) -> None:
        """Until the client's start-up is over: less than QUIET_CPU of CPU time in a QUIET_WINDOW.

        focus creates its chat subscription first, then fifty more, then loads its view and (with the
        history on) its writer settles: ~0.5 s of work after the moment `wait_subscribed` hears of, which
        a phase starting right then measured as chat (the burst's rate, the long run's RSS at start).
        Its CPU going quiet is the one sign that works for every client and terminal."""
        deadline = time.monotonic() + timeout
        used = procstat.cpu_seconds(self.pid)
        while True:
            time.sleep(QUIET_WINDOW)  # a sampling interval, not a wait for a condition
            now = procstat.cpu_seconds(self.pid)
            if now - used < QUIET_CPU:
                return
            if time.monotonic() > deadline:
                raise BenchError(f"{self.kind.name} kept busy for {timeout:.0f} s after subscribing{self.diagnose()}")
            used = now

    def wait_lines(self, n: int, timeout: float) -> None:
        if not self.reader.wait_count(n, timeout):
            raise BenchError(f"{self.kind.name} showed {self.reader.count} of {n} messages within "
                             f"{timeout:.0f} s{self.diagnose()}")

    def diagnose(self) -> str:
        self._stderr.flush()
        err = visible((self.home / "stderr.txt").read_bytes()[-1500:])
        out = visible(self.reader.tail[-500:])  # a pty's escapes
        code = self.proc.poll()
        parts = [f"exit code {code}" if code is not None else "", f"stderr: {err}" if err else "",
                 f"stdout: {out}" if out else ""]
        text = "; ".join(p for p in parts if p)
        return f" [{text}]" if text else ""

    def stop(self) -> None:
        for proc in (self.proc, self.devlog):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (self.proc, self.devlog):
            if proc is None:
                continue
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.reader.join(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self.master >= 0:
            os.close(self.master)
            self.master = -1
        self._stderr.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
