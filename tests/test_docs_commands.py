"""Every command README.md and docs/*.md show is run, so none can rot: each line of a ```sh block, each
`$ ` line of a ```text block, and each example in a shell function's comment (`say brb 5 min`).

They run in a real bash, from the checkout, while a demo plays (the demo is a playground: the commands act
on it), with `focus`, `python` and `make` being this checkout's; the focus command each one starts runs
through its script's `main(argv)` in this process, one real process per script kept.  A command passes when it still runs after
a few seconds (focus, devlog) or ends without a traceback, a usage error, an unknown make target or a
settings error; one that cannot run here names the test that proves it instead (EXEMPT)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import inproc
from conftest import N_SUBS, ROOT, t, without_make
from secret_guard import seen
from test_cli import cli_env, procs  # noqa: F401  (fixtures)


# A command starting with one of these is not run here; the reason names what proves it.
EXEMPT = {
    "make test": "it is this suite",
    "pipx install": "tests/test_package.py builds and installs the wheel (no network here)",
    "uv tool install": "tests/test_package.py builds and installs the wheel (no network here)",
    "pip install": "tests/test_package.py builds and installs the wheel (no network here)",
    "make auth": "tests/test_auth_server.py, test_auth_device.py and test_auth_browser.py sign in",
    "make setup": "tests/test_settings.py runs focus setup in a pty",
    "focus setup": "tests/test_settings.py runs focus setup in a pty",
    "make focus": "needs your channel's settings; tests/test_cli.py runs focus.py itself",
    "twitch ": "twitch-cli is not installed here; tests/test_twitch_cli_mock.py plays its mock",
    "TWITCH_EVENTSUB_URL=": "twitch-cli's mock server; tests/test_twitch_cli_mock.py plays it",
}
ALONE = {"focus": "needs your channel's settings; tests/test_cli.py runs focus.py itself"}  # the whole command
LAST = (" stop", "chat-stop")  # stop the demo: run after everything else
BROKEN = re.compile(r"Traceback|No rule to make target|usage: |invalid choice|unrecognized arguments|is not set|"
                    r"command not found|syntax error")


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def commands(text: str) -> list[str]:
    """The shell commands a Markdown text shows, in order (continued lines joined)."""
    found = []
    for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.S | re.M):
        lines = body.replace("\\\n", " ").splitlines()
        if lang in ("sh", "bash", "shell"):
            found += [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
        elif lang in ("text", "console", ""):
            found += [line[2:].strip() for line in lines if line.startswith("$ ")]
    return found


def function_examples(line: str) -> list[str]:
    """`say() { ... }  # say brb 5 min`: the definition, then the call its comment shows."""
    match = re.match(r"^(\w[\w-]*)\(\)\s*\{.*\}\s*#\s*(.*)$", line)
    if not match or not match.group(2).startswith(match.group(1) + " "):
        return []
    return [call.strip() for call in match.group(2).split(",")]


def exempt(line: str) -> str | None:
    if (alone := ALONE.get(line.split("#", 1)[0].strip())) is not None:
        return alone
    return next((why for prefix, why in EXEMPT.items() if line.startswith(prefix)), None)


def test_every_document_shows_commands_and_the_extractor_finds_them():
    shown = "```sh\nmake demo   # x\n# a comment\nfocus say \\\n  hi\n```\n```text\n$ focus links\nout\n```\n"
    assert commands(shown) == ["make demo   # x", "focus say    hi", "focus links"]
    assert function_examples('say() { focus say -- "$*"; }   # say brb 5 min') == ["say brb 5 min"]
    assert exempt("focus          # chat") and exempt("focus say hi") is None and exempt("focus --tail") is None
    shown_by = {str(doc.relative_to(ROOT)): len(commands(doc.read_text(encoding="utf-8"))) for doc in documents()}
    assert shown_by["README.md"] > 15 and len(shown_by) > 10 and sum(shown_by.values()) > 70, shown_by


def recorded(path: Path) -> list[list[str]]:
    """The Python command lines the recording shim wrote to `path`: each its argument count, then its arguments,
    every field ended by a NUL (an argument may hold any text but a NUL)."""
    fields = path.read_bytes().split(b"\0")[:-1] if path.exists() else []
    found = []
    while fields:
        count, fields = int(fields[0]), fields[1:]
        found.append([field.decode() for field in fields[:count]])
        fields = fields[count:]
    return found


def script_of(argv: list[str]) -> tuple[str, list[str]]:
    """(`focus.py`, `focuslib`, `focuslib.sim`, ...: the `inproc.MAINS` key, its arguments) of a Python command line."""
    if argv[:1] == ["-m"]:
        return argv[1], argv[2:]
    return Path(argv[0]).name if argv else "", argv[1:]


def needs_a_process(line: str, argvs: list[list[str]]) -> bool:
    """What only a real process shows: its output read by the shell (`$(...)`), a command that runs until stopped
    (devlog, a demo), or a script the test process cannot run."""
    return "$(" in line or not argvs or any(
        script not in inproc.MAINS or "--demo" in args or args[:1] == ["devlog"]
        for script, args in map(script_of, argvs))


def problem(line: str, out: str, code: int) -> str | None:
    """None when a command's output and exit code say it ran as documented, else what went wrong."""
    seen("documented command", out)
    if "a demo is already running" in out:
        return None  # make demo beside this test's demo: refused, as documented
    wrong = re.search("Traceback", out) if "--help" in line else BROKEN.search(out)  # help shows "usage:"
    # make exits 2 when its recipe failed: what counts is the command's own code (make: *** ... Error N).
    inner = re.findall(r"make(?:\[\d+\])?: \*\*\* .* Error (\d+)$", out, re.M)
    code = int(inner[-1]) if inner and code == 2 else code
    if wrong or code not in (0, 1, 4):
        return f"$ {line}\n  exit {code}: {out.strip()[-400:]}"
    return None


@pytest.mark.timeout(180)
def test_every_command_in_the_readme_and_docs_runs(procs, cli_env, tmp_path):  # noqa: F811
    """Each line runs in bash as a reader would type it, with the documents' aliases and functions.  The
    Python it starts (`focus`, `python`, the alias's .venv/bin/python, make's $(PY)) is a shim that writes down
    its command line; each one is then run in this process through the script's `main(argv)` (tests/inproc.py):
    a hundred interpreter start-ups were most of this test's 40 s of CPU.  A real process still runs the first
    line of each script, and every line that only a process shows (needs_a_process)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shims = {"python": f'test -z "$FOCUS_DOCS_RECORD" && exec "{sys.executable}" "$@"\n'
                       'printf "%s\\0" "$#" "$@" >> "$FOCUS_DOCS_RECORD"',
             "focus": f'exec "{bin_dir / "python"}" "{ROOT / "focus.py"}" "$@"',
             "make": f'exec "{shutil.which("make")}" --no-print-directory -o .venv/.runtime PY="{bin_dir / "python"}" "$@"'}
    for name, body in shims.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    clone = tmp_path / "src" / "focus"  # ~/src/focus, as the README's alias says: focus.py and the shim as its venv
    (clone / ".venv" / "bin").mkdir(parents=True)
    (clone / "focus.py").symlink_to(ROOT / "focus.py")
    (clone / ".venv" / "bin" / "python").symlink_to(bin_dir / "python")
    env = {**without_make(cli_env), "PATH": f"{bin_dir}:{os.environ['PATH']}", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "NO_COLOR": "1"}
    demo = procs(["focus.py", "--demo", "--no-devlog"], env)
    demo.out.wait_text(f"subscribed {N_SUBS}/{N_SUBS}", timeout=20)
    demo.out.wait_text("Pixel_Otter: ", timeout=20)

    lines = [line for doc in documents() for line in commands(doc.read_text(encoding="utf-8"))]
    definitions = [line for line in lines if re.match(r"^(alias \w|\w[\w-]*\(\)\s*\{)", line)]
    runs = [line for line in lines if line not in definitions and exempt(line) is None]
    runs += [call for line in definitions for call in function_examples(line)]
    prelude = "shopt -s expand_aliases\n" + "\n".join(definitions) + "\n"
    records = tmp_path / "records"
    records.mkdir()

    def bash(line: str, record: Path | None = None) -> tuple[str, int]:
        """`line` in bash: its output and exit code (a command still running after 8 s is stopped: it runs as
        documented, e.g. devlog)."""
        proc = subprocess.Popen(["bash", "--norc", "--noprofile", "-c", prelude + line], cwd=ROOT,
                                env={**env, "FOCUS_DOCS_RECORD": str(record)} if record else env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            out, _ = proc.communicate(timeout=t(8))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGTERM)
            out, _ = proc.communicate(timeout=t(10))
            return out, 0
        return out, proc.returncode

    def run(line: str, argvs: list[list[str]], record: tuple[str, int], real: bool) -> str | None:
        """Run `line` for real, or its recorded command lines in this process; what went wrong, if anything."""
        if real:
            return problem(line, *bash(line))
        out, code = record
        if code:  # make refused it before its recipe (or bash did): nothing ran
            return problem(line, out, code)
        for script, args in map(script_of, argvs):
            done = inproc.run(script, args, env)
            out, code = out + done.stdout + done.stderr, done.returncode
        return problem(line, out, code)

    with ThreadPoolExecutor(4) as pool:  # bash, make and the real processes mostly wait: 4 at a time
        # Recording runs nothing of focus: every line at once, the documents' `stop` too.
        files = [records / str(k) for k in range(len(runs))]
        shell = dict(zip(runs, pool.map(bash, runs, files)))
        argvs = {line: recorded(file) for line, file in zip(runs, files)}
        first = [line for line in runs if not any(word in line for word in LAST)]
        kept: dict[str, str] = {}  # the first line that runs each script stays a real run: focus.py, -m focuslib, ...
        for line in first:
            for script, _ in map(script_of, argvs[line]):
                kept.setdefault(script, line)
        real = {line for line in runs if line in kept.values() or needs_a_process(line, argvs[line])}
        failures = list(pool.map(lambda line: run(line, [], ("", 0), True), [line for line in first if line in real]))
    failures += [run(line, argvs[line], shell[line], False) for line in first if line not in real]
    # The documents' `stop` last, one after another: it ends the demo the others act on.
    failures += [run(line, argvs[line], shell[line], line in real) for line in runs if line not in first]
    assert set(kept) >= {"focus.py", "focuslib", "focuslib.sim"}, kept
    assert len(real) < len(runs) / 4, sorted(real)  # most run in this process: the point of the shim
    failures = [text for text in failures if text]
    assert failures == [], "\n".join(failures)
    assert demo.wait(5) == 0  # the documents' `stop` ended the demo
