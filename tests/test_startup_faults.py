"""Start-up faults end with one line and the documented exit code, never a traceback (issue 12): a malformed
URL setting, a closed stdout, Ctrl-C while the script is still loading (focus.py, devlog.py, auth_server.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT, t

SCRIPTS = {"focus.py": ("focus", 0), "devlog.py": ("devlog", 0), "auth_server.py": ("auth", 130)}

# Ctrl-C at an exact moment of start-up: a real SIGINT the process sends itself when it first imports
# `target` (an import hook at the head of sys.meta_path), then the script runs as `python script.py` would.
TRIP = r"""
import os, runpy, signal, sys
target, script = sys.argv[1], sys.argv[2]

class Trip:
    def find_spec(self, name, path=None, module=None):
        if name == target:
            sys.meta_path.remove(self)
            sys.stderr.write("tripped\n")
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Trip())
sys.argv = sys.argv[2:]
runpy.run_path(script, run_name="__main__")
"""


def _env(env: dict[str, str], **extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
    return {**base, **env, **extra}


def _run(cmd: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=t(30), **kw)


@pytest.mark.parametrize("script", sorted(SCRIPTS))
@pytest.mark.parametrize("name", ["TWITCH_EVENTSUB_URL", "TWITCH_API_URL", "TWITCH_AUTH_URL"])
def test_a_malformed_url_setting_is_one_line_and_exit_2(sim, env, script, name):
    done = _run([sys.executable, script], _env(env, **{name: "http://[::1"}), stdin=subprocess.DEVNULL)
    prog = SCRIPTS[script][0]
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{prog}: {name}='http://[::1' is not a valid"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 2  # what happened, what to do


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_a_closed_stdout_is_one_line_and_exit_1(sim, env, script):
    proc = subprocess.Popen([sys.executable, script], cwd=ROOT, env=_env(env), stdin=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: os.close(1))  # python focus.py >&-
    _, err = proc.communicate(timeout=t(30))
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    assert err.startswith(f"{SCRIPTS[script][0]}: stdout is closed"), err


STARTS = [("focus.py", m) for m in ("focuslib", "focuslib.cli.focus", "focuslib.config", "focuslib.runtime.setup",
                                    "focuslib.net.websocket", "requests")]
STARTS += [("devlog.py", m) for m in ("focuslib", "focuslib.cli.devlog", "focuslib.config", "focuslib.devlog.pipe")]
STARTS += [("auth_server.py", m) for m in ("focuslib", "focuslib.cli.auth", "focuslib.config")]


@pytest.mark.parametrize(("script", "module"), STARTS)
def test_ctrl_c_while_the_script_loads_ends_quietly(sim, env, script, module):
    done = _run([sys.executable, "-c", TRIP, module, script, *(["--no-browser"] if script == "auth_server.py" else [])],
                _env(env), stdin=subprocess.DEVNULL)
    assert done.stderr.startswith("tripped"), done.stderr  # the Ctrl-C came while `module` loaded
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == SCRIPTS[script][1], done.stderr
