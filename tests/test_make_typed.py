"""The Makefile's talk-back targets take what is typed on make's command line as text, never as code.

GNU make expands a command-line variable once more when it exports it to a recipe's environment, so a
`$(shell ...)` in MSG ran; a `$(EVENT)` spliced unquoted into a recipe ran what followed a `;`; a line break
in MSG split the recipe line into two shell commands (a syntax error, nothing sent).  Each target runs here
with hostile text in every variable it reads: no command runs and every value arrives as typed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator

import pytest

from conftest import ROOT, t
from secret_guard import seen
from test_oneshot import requests, shell_env  # noqa: F401  (a fixture)

# target -> the variables it reads (besides the ones every target has: ARGS for trigger)
TARGETS = {
    "say": ["MSG"], "reply": ["USER", "MSG"], "ban": ["USER", "REASON"], "timeout": ["USER", "DURATION", "REASON"],
    "untimeout": ["USER"], "unban": ["USER"], "announce": ["MSG", "COLOR"], "shoutout": ["USER"],
    "warn": ["USER", "REASON"], "delete": ["USER"], "slow": ["SECONDS"], "followers": ["DURATION"],
    "subs": ["STATE"], "emoteonly": ["STATE"], "raid": ["CHANNEL"], "trigger": ["EVENT"], "shield": ["STATE"],
    "vip": ["USER"], "unvip": ["USER"], "mod": ["USER"], "unmod": ["USER"], "mods": [], "vips": [], "marker": ["MSG"],
    "title": ["MSG"], "game": ["GAME"], "commercial": ["SECONDS"], "unraid": [], "whisper": ["USER", "MSG"],
    "poll": ["QUESTION", "CHOICES", "DURATION"], "endpoll": [], "prediction": ["QUESTION", "OUTCOMES", "DURATION"],
    "endprediction": ["WINNER"], "user": ["USER"],
}


@pytest.fixture
def marks() -> Iterator[Path]:
    """Where a command that should never run leaves its mark: a short path, since the hostile text names it
    five times and a chat message takes at most 500 characters (pytest's tmp_path under xdist is ~90 long)."""
    path = Path(tempfile.mkdtemp(prefix="mk"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def hostile(name: str, marks: Path) -> str:
    """Text that runs `touch` if make, the shell or a quote in between ever takes it for code."""
    return (f"{name} $(shell touch {marks}/{name}-make) `touch {marks}/{name}-tick` $$(touch {marks}/{name}-sub) "
            f"$$ \"dq\" 'sq' \\ ; touch {marks}/{name}-semi\nsecond line; touch {marks}/{name}-line")


def recorder(tmp_path: Path) -> tuple[Path, Path]:
    """A stand-in for the venv's python that writes down its arguments (make's PY, overridden)."""
    log = tmp_path / "argv.jsonl"
    script = tmp_path / "record-argv"
    script.write_text(f"#!{sys.executable}\nimport json, sys\n"
                      f"with open({str(log)!r}, 'a') as f:\n    f.write(json.dumps(sys.argv[1:]) + '\\n')\n")
    script.chmod(0o700)
    return script, log


def make(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["make", "-s", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=t(60))
    seen("make " + " ".join(args[:1]), done.stdout + done.stderr)
    return done


@pytest.mark.parametrize("target", sorted(TARGETS) + ["clear"])
def test_no_variable_of_any_target_runs_a_command_and_each_arrives_as_typed(tmp_path, shell_env, marks, target) -> None:
    script, log = recorder(tmp_path)
    names = TARGETS.get(target, [])
    values = {name: hostile(name, marks) for name in names}
    extra = {"YES": "1", "ARGS": f"$(shell touch {marks}/ARGS-make)"} if target in ("clear", "trigger") else {}
    env = {**shell_env, **{name: hostile(name, marks) for name in ("MSG", "REASON", "COLOR")}}  # the environment's too
    done = make(env, target, f"PY={script}", *(f"{k}={v}" for k, v in {**values, **extra}.items()))
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(marks)) == []
    [argv] = [json.loads(line) for line in log.read_text().splitlines()]
    for name, value in values.items():
        assert value in argv or f"--{name.lower()}={value}" in argv, (name, argv)


def test_a_make_target_sends_hostile_text_and_line_breaks_to_twitch_as_typed(sim, shell_env, marks) -> None:
    text = hostile("MSG", marks)
    done = make(shell_env, "say", f"MSG={text}")
    assert (done.returncode, done.stdout, done.stderr) == (0, "sent\n", ""), done.stderr
    [req] = requests(sim, "POST", "/chat/messages")
    assert json.loads(req.body)["message"] == text
    reason = hostile("REASON", marks)
    done = make(shell_env, "ban", "USER=loud_kettle", f"REASON={reason}")
    assert (done.returncode, done.stdout) == (0, "banned Loud_Kettle\n")
    [req] = requests(sim, "POST", "/moderation/bans")
    assert json.loads(req.body)["data"]["reason"] == reason
    assert os.listdir(marks) == []


def test_make_stop_with_nothing_running_is_one_line_and_success(shell_env) -> None:
    """Stopping what is not running is done already: it ended `make: *** [stop] Error 1`."""
    done = make(shell_env, "stop")
    assert (done.returncode, done.stdout, done.stderr) == (0, "focus is not running; nothing to stop.\n", "")
