"""focus as a package: the wheel built and installed offline into a fresh virtualenv, its `focus` command,
`python -m focuslib`, a clone's scripts on the wrong Python, and Tab completion in a real bash."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import N_SUBS, ROOT, Sink, t

# One worker builds and installs the wheel once (a session fixture, ~10-40 s) and runs all these tests against it;
# spread over the workers, each of them built its own.
pytestmark = pytest.mark.xdist_group("package")

BASE_PYTHON = getattr(sys, "_base_executable", sys.executable)
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "requirements.txt", "focuslib")


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path

    @property
    def focus(self) -> str:
        return str(self.venv / "bin" / "focus")

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")


@pytest.fixture(scope="session")  # once per worker: its tests may not follow each other (xdist_group above)
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The wheel, built from a copy of the sources with no network and no build isolation, installed into a
    fresh virtualenv whose only way to the dependencies is this test run's own site-packages (a .pth line):
    `pip install --no-index` then resolves every requirement as already installed, offline."""
    tmp = tmp_path_factory.mktemp("package")
    src = tmp / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy(ROOT / name, src / name)
    quiet = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    # pyproject.toml's build backend called as `pip wheel --no-build-isolation` calls it, without pip around it
    # (pip's own start-up was ~1 s of CPU of the build's ~1.7).
    backend = ("import importlib, sys, tomllib; name = tomllib.load(open('pyproject.toml', 'rb'))['build-system']"
               "['build-backend']; importlib.import_module(name).build_wheel(sys.argv[1])")
    build = subprocess.run([sys.executable, "-c", backend, str(tmp / "dist")], cwd=src, capture_output=True,
                           text=True, env=quiet, timeout=t(120))
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = (tmp / "dist").glob("*.whl")
    venv = tmp / "venv"
    subprocess.run([BASE_PYTHON, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=t(60))
    where = "import sysconfig; print(sysconfig.get_path('purelib'))"
    purelib = subprocess.run([str(venv / "bin" / "python"), "-c", where], capture_output=True, text=True,
                             check=True).stdout.strip()
    Path(purelib, "focus-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                              "--no-index", str(wheel)], capture_output=True, text=True, env=quiet, timeout=t(120))
    assert install.returncode == 0, install.stdout + install.stderr
    return Installed(wheel, venv)


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR", "XDG_"))}
    env.update({"HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path / "run"), "PYTHONUNBUFFERED": "1",
                "FOCUS_DEMO_SPEED": "4", **extra})
    return env


def requirement_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            names.add(re.split(r"[<>=!~;\[ ]", line, 1)[0].lower().replace("_", "-"))
    return names


def test_the_wheel_holds_focuslib_alone_with_requirements_txt_as_its_dependencies(installed):
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = wheel.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = wheel.read(info).decode()
        entry_points = wheel.read(info.replace("METADATA", "entry_points.txt")).decode()
    assert {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")} == {"focuslib"}
    assert "focuslib/sim/server.py" in names and "focuslib/__main__.py" in names
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]
    wanted = requirement_names((ROOT / "requirements.txt").read_text())
    declared = requirement_names("\n".join(line.split(":", 1)[1] for line in metadata.splitlines()
                                           if line.startswith("Requires-Dist:")))
    assert declared == wanted
    assert "Requires-Python: >=3.11" in metadata and "License-Expression: MIT" in metadata
    assert "focus = focuslib.cli.entry:main" in entry_points


def test_the_installed_focus_and_python_m_focuslib_answer_from_any_directory(installed, tmp_path):
    env = clean_env(tmp_path)
    for argv, usage in [([installed.focus, "--help"], "usage: focus "),
                        ([installed.focus, "say", "--help"], "usage: focus say"),
                        ([installed.focus, "devlog", "--help"], "usage: focus devlog"),
                        ([installed.focus, "auth", "--help"], "usage: focus auth"),
                        ([installed.focus, "history", "--help"], "usage: focus history"),
                        ([installed.python, "-m", "focuslib", "--help"], "usage: python -m focuslib")]:
        res = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=t(30))
        assert res.returncode == 0 and res.stdout.startswith(usage) and res.stderr == "", (argv, res)
    where = subprocess.run([installed.python, "-c", "import focuslib; print(focuslib.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, timeout=t(30)).stdout
    assert where.startswith(str(installed.venv))  # the installed copy, not the checkout
    res = subprocess.run([installed.focus, "stop"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=t(30))
    assert (res.returncode, res.stdout, res.stderr) == (0, "focus is not running; nothing to stop.\n", "")
    res = subprocess.run([installed.focus, "say", "hi"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=t(30))  # nothing set up yet: the way in that an installed focus has (no .env.example)
    assert res.returncode == 2 and "TWITCH_CLIENT_ID is not set; run focus setup" in res.stderr, res.stderr


def test_the_installed_focus_plays_the_demo_in_line_mode_from_another_directory(installed, tmp_path):
    elsewhere = tmp_path / "another-project"
    elsewhere.mkdir()
    out = Sink()
    proc = subprocess.Popen([installed.focus, "--demo", "--no-devlog"], cwd=elsewhere, env=clean_env(tmp_path),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + t(30)
        while time.monotonic() < deadline and not (f"subscribed {N_SUBS}/{N_SUBS}" in out.text
                                                   and out.text.count(": ") >= 2):
            line = proc.stdout.readline()
            if not line:
                break
            out.write(line)
        assert f"subscribed {N_SUBS}/{N_SUBS}" in out.text and out.text.count(": ") >= 2, out.text
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(t(5)) == 0
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert list(elsewhere.iterdir()) == []  # nothing written where it was started


# -- a clone's scripts on the wrong Python ----------------------------------------------------------------------------


def test_the_bootstrap_knows_every_requirement_by_its_import_name():
    from importlib.metadata import packages_distributions

    from focuslib.cli.bootstrap import REQUIRED

    wanted = requirement_names((ROOT / "requirements.txt").read_text())
    assert {dist.lower().replace("_", "-") for dist, _ in REQUIRED} == wanted
    provides = packages_distributions()
    for dist, name in REQUIRED:
        assert dist.lower().replace("_", "-") in {d.lower().replace("_", "-") for d in provides.get(name, [])}, name


def bare_python(tmp_path: Path) -> str:
    """A Python 3.11+ with none of focus's requirements (a fresh venv of the base interpreter)."""
    subprocess.run([BASE_PYTHON, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True, timeout=t(60))
    python = str(tmp_path / "bare" / "bin" / "python")
    assert subprocess.run([python, "-c", "import websocket"], capture_output=True).returncode != 0
    return python


def test_focus_py_on_a_python_without_the_requirements_runs_again_with_the_checkouts_venv(tmp_path):
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip("needs the checkout's .venv (make test makes it)")
    python = bare_python(tmp_path)
    for script, args, code, line in [("focus.py", ["stop"], 0, ""),
                                     ("devlog.py", ["--help"], 0, ""), ("auth_server.py", ["--help"], 0, "")]:
        res = subprocess.run([python, str(ROOT / script), *args], cwd=tmp_path, env=clean_env(tmp_path),
                             capture_output=True, text=True, timeout=t(30))
        assert res.returncode == code and res.stderr == line, (script, res)


def test_focus_py_linked_from_elsewhere_runs_with_the_checkouts_venv(tmp_path):
    """~/bin/focus -> the clone's focus.py: the .venv is the clone's, beside the real file (it looked beside the
    link and said to run `make venv` in ~/bin)."""
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip("needs the checkout's .venv (make test makes it)")
    python = bare_python(tmp_path)
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "focus").symlink_to(ROOT / "focus.py")
    res = subprocess.run([python, str(tmp_path / "bin" / "focus"), "stop"], cwd=tmp_path, env=clean_env(tmp_path),
                         capture_output=True, text=True, timeout=t(30))
    assert (res.returncode, res.stdout, res.stderr) == (0, "focus is not running; nothing to stop.\n", ""), res


def test_focus_py_without_a_venv_says_in_one_line_to_run_make_venv(tmp_path):
    python = bare_python(tmp_path)
    clone = tmp_path / "clone"
    shutil.copytree(ROOT / "focuslib", clone / "focuslib", ignore=shutil.ignore_patterns("__pycache__"))
    for script in ("focus.py", "devlog.py", "auth_server.py"):
        shutil.copy(ROOT / script, clone / script)
        res = subprocess.run([python, str(clone / script), "stop"], cwd=tmp_path, env=clean_env(tmp_path),
                             capture_output=True, text=True, timeout=t(30))
        assert res.returncode == 2 and res.stdout == "", res
        assert len(res.stderr.splitlines()) == 1 and "Traceback" not in res.stderr
        assert "lacks websocket-client" in res.stderr and f"run `make venv` in {clone}" in res.stderr
    (clone / ".venv" / "bin").mkdir(parents=True)  # a .venv that is as bare: said, never run again in a loop
    (clone / ".venv" / "bin" / "python").symlink_to(python)
    res = subprocess.run([python, str(clone / "focus.py"), "stop"], cwd=tmp_path, env=clean_env(tmp_path),
                         capture_output=True, text=True, timeout=t(30))
    assert res.returncode == 2 and "the checkout's .venv lacks websocket-client" in res.stderr, res


# -- Tab completion ---------------------------------------------------------------------------------------------------


def completions(installed: Installed, tmp_path: Path, line: str, env: dict[str, str] | None = None) -> list[str]:
    """What bash offers for `line` + Tab, through the script `focus completion bash` prints."""
    script = ('eval "$(focus completion bash)"\n'
              'COMP_LINE="$LINE" COMP_POINT=${#LINE} _python_argcomplete focus\n'
              'printf "%s\\n" "${COMPREPLY[@]}"\n')
    path = f"{installed.venv / 'bin'}:{os.environ['PATH']}"
    res = subprocess.run(["bash", "--norc", "--noprofile", "-c", script], cwd=tmp_path,
                         env={**(env or clean_env(tmp_path)), "PATH": path, "LINE": line},
                         capture_output=True, text=True, timeout=t(30))
    assert res.returncode == 0, res.stderr
    return [word.strip() for word in res.stdout.splitlines() if word.strip()]


def test_bash_completes_commands_options_and_event_groups(installed, tmp_path):
    assert set(completions(installed, tmp_path, "focus ba")) == {"ban"}
    assert {"say", "devlog", "auth", "history", "doctor", "completion"} <= set(completions(installed, tmp_path,
                                                                                          "focus "))
    assert "--no-history" in completions(installed, tmp_path, "focus --no-h")
    assert completions(installed, tmp_path, "focus --events chat,fo") == ["chat,follows"]
    assert "--reason" in completions(installed, tmp_path, "focus ban x --r")
    assert completions(installed, tmp_path, "focus completion z") == ["zsh"]


def test_bash_completes_a_user_with_the_chatters_in_the_history(installed, tmp_path):
    from focuslib.store.schema import db_path, open_write

    data = tmp_path / "data"
    conn = open_write(db_path(data))
    for ts, login in [(1.0, "pixel_otter"), (2.0, "pixel_panda"), (3.0, "moss_lantern")]:
        conn.execute("INSERT INTO messages (message_id, ts, channel, user_id, login, name, color, text, badges, "
                     "reply_to, kind) VALUES (?, ?, '1', ?, ?, ?, '', 'hi', '', '', 'text')",
                     (f"m{ts}", ts, login, login, login))
    conn.close()
    env = clean_env(tmp_path, FOCUS_DATA_DIR=str(data))
    assert completions(installed, tmp_path, "focus ban pix", env) == ["pixel_panda", "pixel_otter"]  # newest first
    assert completions(installed, tmp_path, "focus history moss", env) == ["moss_lantern"]
    assert completions(installed, tmp_path, "focus ban pix") == []  # no history there: nothing, and no error


def test_a_tab_walks_the_newest_messages_down_their_time_index_never_the_whole_history(tmp_path, monkeypatch):
    """What a Tab costs must not grow with the history: it sorted every message by login (GROUP BY, ORDER BY
    max(ts)), 3.5 s at a million, on every Tab; the plan of the statement it runs shows which."""
    from focuslib.cli.completion import recent_logins
    from focuslib.store import schema

    data = tmp_path / "data"
    conn = schema.open_write(schema.db_path(data))
    conn.executemany("INSERT INTO messages (message_id, ts, channel, user_id, login, name, color, text, badges, "
                     "reply_to, kind) VALUES (?, ?, '1', ?, ?, ?, '', 'hi', '', '', 'text')",
                     [(f"m{n}", float(n), login, login, login) for n, login in enumerate(["ann", "bob", "ann", "cy"])])
    conn.commit()
    conn.close()
    for name, value in clean_env(tmp_path, FOCUS_DATA_DIR=str(data)).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    statements: list[str] = []
    real_open = schema.open_read

    def traced(path: Path, busy_ms: int | None = None) -> sqlite3.Connection:
        conn = real_open(path, busy_ms)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(schema, "open_read", traced)
    assert recent_logins() == ["cy", "ann", "bob"]  # newest first, each once
    [query] = [text for text in statements if "FROM messages" in text]
    with sqlite3.connect(schema.db_path(data)) as db:
        plan = " | ".join(row[-1] for row in db.execute("EXPLAIN QUERY PLAN " + query))
    assert "USING INDEX messages_ts" in plan and "TEMP B-TREE" not in plan, plan


def test_zsh_gets_a_completion_script_of_its_own(installed, tmp_path):
    res = subprocess.run([installed.focus, "completion", "zsh"], cwd=tmp_path, env=clean_env(tmp_path),
                         capture_output=True, text=True, timeout=t(30))
    assert res.returncode == 0 and res.stdout.startswith("#compdef focus") and "compdef _python_argcomplete focus" \
        in res.stdout
    if shutil.which("zsh"):
        check = subprocess.run(["zsh", "-n"], input=res.stdout, capture_output=True, text=True, timeout=t(30))
        assert check.returncode == 0, check.stderr
    res = subprocess.run([installed.focus, "completion", "fish"], cwd=tmp_path, env=clean_env(tmp_path),
                         capture_output=True, text=True, timeout=t(30))
    assert res.returncode == 2 and "invalid choice: 'fish'" in res.stderr


def test_a_database_it_cannot_read_completes_nothing_and_says_nothing(installed, tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "history.sqlite3").write_bytes(b"not a database at all" * 100)
    assert completions(installed, tmp_path, "focus ban x", clean_env(tmp_path, FOCUS_DATA_DIR=str(data))) == []
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(data / "history.sqlite3").execute("SELECT 1 FROM messages").fetchall()


def test_the_installed_focus_talks_to_twitch_with_the_settings_of_the_xdg_config_file(installed, sim, env, tmp_path):
    config = tmp_path / "cfg" / "focus" / "config.env"
    config.parent.mkdir(parents=True, mode=0o700)
    config.write_text("".join(f"{name}={value}\n" for name, value in env.items() if name.startswith("TWITCH_")))
    config.chmod(0o600)
    shell = clean_env(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "cfg"), FOCUS_DATA_DIR=str(tmp_path / "data"))
    elsewhere = tmp_path / "another-project"
    elsewhere.mkdir()
    res = subprocess.run([installed.focus, "say", "hello from the package"], cwd=elsewhere, env=shell,
                         capture_output=True, text=True, timeout=t(30))
    assert res.returncode == 0 and res.stdout == "sent\n", res.stderr
    [req] = sim.requests_to("POST", "/helix/chat/messages")
    assert json.loads(req.body)["message"] == "hello from the package"
    res = subprocess.run([installed.focus, "config"], cwd=elsewhere, env=shell, capture_output=True, text=True,
                         timeout=t(30))
    assert res.returncode == 0
    rows = [line.partition("  # ")[0].split() for line in res.stdout.splitlines()[1:]]  # `  # what it is` aside
    shown = {row[0]: row[1:] for row in rows}
    assert shown["TWITCH_API_URL"] == [sim.api_url, "~/cfg/focus/config.env"]
    assert shown["TWITCH_USER_ACCESS_TOKEN"] == ["set", "~/cfg/focus/config.env"]
