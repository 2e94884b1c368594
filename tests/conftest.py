"""Shared fixtures: the simulated Twitch on 127.0.0.1:0 and focus running against it.

Timeouts scale with FOCUS_TEST_TIMEOUT_SCALE (e.g. 3 on a slow machine).
Every test ends by checking that the threads it started have ended.

`make test` runs the suite in eight pytest-xdist workers on 2 cores (`--dist loadgroup`).  Tests that measure
memory (RSS, peak memory) and the bench are marked `pytest.mark.xdist_group("memory")`, tests that bound a stop in time
(signals, stdout nobody reads) `xdist_group("stops")`: each group runs in one worker, one test after another, so
no two of them ever run side by side.  Everything else waits on conditions with scaled timeouts, so it holds on a
loaded machine too.
"""

from __future__ import annotations

import os
import re
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A shell starts a background job (`make test &`, a CI runner) with SIGINT ignored, and children inherit
# that: the Ctrl-C tests would then see focus ignore SIGINT.  The suite runs as if started at a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def without_make(env: dict[str, str]) -> dict[str, str]:
    """`env` without what a `make` running the suite tells its children: its flags (MAKEFLAGS carries the command
    line's variables) and the variables the Makefile exports from its command line (TYPED_VARS).  `make test
    ARGS="--durations=0"` gave every make the tests run ARGS=--durations=0, and `make trigger` passed it to the
    simulator.  USER stays: the Makefile exports it as it found it, the login name."""
    typed = re.search(r"^TYPED_VARS\s*:=(.*)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    drop = {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", *(typed.group(1).split() if typed else ())} - {"USER"}
    return {k: v for k, v in env.items() if k not in drop}


# The suite runs as if typed at a shell, whatever `make test ARGS=...` it came from: every process it starts and
# every environment a test copies from this one is free of make's variables (the workers inherit it).
for _name in set(os.environ) - set(without_make(dict(os.environ))):
    del os.environ[_name]

# The suite starts some 450 Python processes (focus.py, make's recipes, the documented commands) and each
# worker rewrites the asserts of every test module.  Under PYTHONDONTWRITEBYTECODE (set by some shells, images
# and CI runners) each of them compiled focuslib and the tests from source again: about a fifth of the suite's
# CPU time on 2 cores.  The suite writes bytecode as Python does by default (`__pycache__/`, ignored by git).
# Not to a cache of its own (PYTHONPYCACHEPREFIX): Python then reads bytecode only there, so the standard
# library's and the virtualenv's, compiled once when they were installed, were compiled again by the processes
# of every fresh run (~1,700 modules, several processes at a time).
if sys.flags.dont_write_bytecode or os.environ.get("PYTHONDONTWRITEBYTECODE"):
    sys.dont_write_bytecode = False
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)


# Rewrites the asserts of the test modules named on its command line into pytest's cache, without importing them.
# The rewrite takes no setting of ours (`enable_assertion_pass_hook` is off: checked before this runs), so the
# result is what a worker's import writes.  pytest's private helpers: if they move, this fails and the workers
# rewrite the modules themselves, as they would without it.
_REWRITE = """
import compileall
import sys
from pathlib import Path
from _pytest.assertion.rewrite import PYC_TAIL, _rewrite_test, _write_pyc, get_cache_dir

class Quiet:
    def trace(self, message):
        pass

for name in sys.argv[1:]:
    module = Path(name)
    if not module.name.startswith("test_"):  # focuslib and the tests' helpers: plain bytecode, if out of date
        compileall.compile_file(name, quiet=2)
        continue
    cache = get_cache_dir(module)
    cache.mkdir(parents=True, exist_ok=True)
    stat, code = _rewrite_test(module, None)
    _write_pyc(Quiet(), code, stat, cache / (module.name[:-3] + PYC_TAIL))
"""


def pytest_configure(config: pytest.Config) -> None:
    """In xdist's controller, before the workers start: rewrite the test modules' asserts once, into the cache.

    On a fresh clone each of the workers rewrote all of them, side by side (~7 s of CPU each: 19 s before
    the first test on 2 cores).  Two processes rewrite half the modules each (parse, rewrite, compile: ~3.6 s of
    CPU for all), without importing or collecting them (two `pytest --collect-only` took ~6.6 s)."""
    if not config.getoption("numprocesses", None) or hasattr(config, "workerinput"):
        return
    if config.getini("enable_assertion_pass_hook") or sys.dont_write_bytecode:
        return
    import importlib.util
    import subprocess

    def fresh(module: Path) -> bool:
        cache = Path(importlib.util.cache_from_source(str(module))).parent
        return any(pyc.stat().st_mtime >= module.stat().st_mtime for pyc in cache.glob(f"{module.stem}.*-pytest-*.pyc"))

    asked = [Path(config.invocation_params.dir, arg.split("::")[0]).resolve() for arg in config.args]
    modules = sorted({module for path in asked
                      for module in ([path] if path.is_file() else path.glob("**/test_*.py"))})
    cold = [str(module) for module in modules if module.name.startswith("test_") and not fresh(module)]
    if len(cold) < 8:  # a few modules asked or edited: the workers rewrite them
        return
    # With them, the bytecode of focuslib and of the tests' helpers, which the workers would otherwise
    # compile side by side as they start.
    plain = [str(path) for path in sorted([*(ROOT / "focuslib").glob("**/*.py"), *(ROOT / "tests").glob("*.py")])
             if not path.name.startswith("test_") and path.name != "conftest.py"]
    work = cold + plain
    rewriters = [subprocess.Popen([sys.executable, "-c", _REWRITE, *half], cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for half in (work[0::2], work[1::2])]
    for rewriter in rewriters:  # one that fails only leaves the work to the workers
        try:
            rewriter.wait(t(120))
        except subprocess.TimeoutExpired:
            rewriter.kill()
            rewriter.wait()


from focuslib.config import Settings  # noqa: E402
from focuslib.runtime.setup import FocusHandle, Options, run  # noqa: E402
from focuslib.settings import read as read_settings  # noqa: E402
from focuslib.twitch.session import Timings  # noqa: E402
from focuslib.sim import SimTwitch  # noqa: E402
from secret_guard import SINKS, pytest_runtest_makereport  # noqa: E402,F401  (no secret in any output)

from focuslib.twitch.subscriptions import desired  # noqa: E402

N_SUBS = len(desired("1", "1"))  # focus subscribes to the whole catalog by default
SCALE = float(os.environ.get("FOCUS_TEST_TIMEOUT_SCALE", "1"))
# Reconnects wait 50-100 ms instead of Twitch-friendly 0.5-1 s (tests/test_eventsub.py proves the real backoff).
FAST_SESSION = Timings(backoff_base=0.05)
ESC = re.compile(r"[\x1b\x9b]")


def t(seconds: float) -> float:
    """A timeout scaled for this machine."""
    return seconds * SCALE


class Browser(requests.Session):
    """The tests' own HTTP client (not focus's): every call has a timeout, so a server that hangs fails the test."""

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", t(20))
        return super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]


class Sink:
    """A thread-safe stand-in for stdout that tests can wait on."""

    def __init__(self, tty: bool = False) -> None:
        self.chunks: list[str] = []
        self._cond = threading.Condition()
        self._tty = tty
        SINKS.append(self)

    def write(self, text: str) -> int:
        with self._cond:
            self.chunks.append(text)
            self._cond.notify_all()
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return self._tty

    @property
    def text(self) -> str:
        with self._cond:
            return "".join(self.chunks)

    def lines(self) -> list[str]:
        return self.text.splitlines()

    def wait_for(self, predicate: Callable[[str], Any], timeout: float = 10.0) -> Any:
        # The predicate runs outside the lock: one that waits for focus (`on_main`) must not hold up focus's
        # own writes here, which may come from the thread it waits for (the websocket thread handles chat).
        deadline = time.monotonic() + t(timeout)
        while True:
            with self._cond:
                seen = len(self.chunks)
                text = "".join(self.chunks)
            value = predicate(text)
            if value:
                return value
            with self._cond:
                while len(self.chunks) == seen:  # nothing new since the predicate looked
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise AssertionError("timed out waiting for output; got:\n" + "".join(self.chunks)[-3000:])
                    self._cond.wait(left)

    def wait_text(self, needle: str, timeout: float = 10.0, count: int = 1) -> None:
        self.wait_for(lambda text: text.count(needle) >= count, timeout)


class Focus:
    """focus itself (`runtime.setup.run`), in a thread, against a simulator; output in a Sink."""

    def __init__(self, env: dict[str, str], options: Options, sink: Sink) -> None:
        self.settings = Settings.from_env(env)
        self.options = options
        self.out = sink
        self.control = FocusHandle()
        self.result: Any = None
        self.thread = threading.Thread(target=self._run, name="focus-under-test", daemon=True)

    def _run(self) -> None:
        try:
            self.result = run(self.settings, self.options, self.out, self.control)
        except KeyboardInterrupt:
            self.result = "interrupted"
        except Exception as exc:  # the test inspects it
            self.result = exc

    def start(self) -> Focus:
        self.thread.start()
        return self

    def stop(self) -> Any:
        self.control.stop()
        self.thread.join(t(5))
        assert not self.thread.is_alive(), "focus did not stop"
        return self.result

    @property
    def app(self) -> Any:
        return self.control.app


@pytest.fixture
def sim() -> Iterator[SimTwitch]:
    with SimTwitch(ping_interval=None, wait_timeout=t(10)) as s:
        yield s


@pytest.fixture
def env(tmp_path: Path, sim: SimTwitch) -> dict[str, str]:
    """A clean environment pointing at the simulator, with a fresh token and private dirs."""
    grant = sim.issue_token()
    runtime = tmp_path / "run"
    return {
        **sim.env(grant.access_token),
        "TWITCH_REFRESH_TOKEN": grant.refresh_token,
        "TWITCH_SECRET": "sim-client-secret-value",
        "FOCUS_DATA_DIR": str(tmp_path / "data"),
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
    }


@pytest.fixture
def start_focus(env: dict[str, str]) -> Iterator[Callable[..., Focus]]:
    started: list[Focus] = []

    def start(extra_env: dict[str, str] | None = None, *, sink: Sink | None = None, **options: Any) -> Focus:
        options.setdefault("devlog", False)
        options.setdefault("session", FAST_SESSION)
        merged = {**env, **(extra_env or {})}
        # As cli/focus.py does: every setting from the environment (focuslib/settings.py), the test's options over it.
        focus = Focus(merged, Options(**{**read_settings(merged).options(), **options}), sink or Sink()).start()
        started.append(focus)
        return focus

    yield start
    for focus in started:
        if focus.thread.is_alive():
            focus.stop()


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + t(3)
    ours = ("eventsub-ws", "helix", "devlog-writer", "focus-under-test", "token-refresh", "auth-")
    for th in threading.enumerate():
        if th not in before and th.name.startswith(ours):
            th.join(max(0.0, deadline - time.monotonic()))
    left = [th.name for th in threading.enumerate() if th not in before and th.name.startswith(ours)]
    assert not left, f"threads still running after the test: {left}"
