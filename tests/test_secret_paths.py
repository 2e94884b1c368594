"""No secret reaches an output, whatever the input: every error path we can reach is fed secrets planted in
each input (the environment, the token store), and everything is grepped -- stdout and stderr of focus,
doctor, make auth and the one-shot commands (history needs only the settings, say the token too), the
devlog, and every file written under tmp_path (the suite-wide secret_guard does the grepping, for raw,
repr, JSON and URL-encoded forms of each secret).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

import inproc
from authkit import run_script, script_env, store_path
from secret_guard import forms, seen, watch
from focuslib.auth.tokens import Redactor

MALFORMED = "is malformed: run make auth"
DAMAGED = "is damaged"


def one_line_errors(proc: subprocess.CompletedProcess[str], expect: str) -> None:
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) <= 2, proc.stderr
    assert expect in proc.stderr or expect in proc.stdout, (proc.stdout, proc.stderr)


def run_all(env: dict[str, str], expect: str, *, auth: bool = True) -> None:
    """focus, doctor, make auth and a one-shot command, each with the same planted input.  focus itself is a
    real process; the others run their `main` in this process (tests/inproc.py), with the same environment."""
    focus = run_script("focus.py", env, "--no-devlog")
    assert focus.returncode in (2, 3), focus.stderr
    one_line_errors(focus, expect)
    doctor = inproc.run("focus.py", ["doctor"], script_env(env))
    assert doctor.returncode == 1 and "Traceback" not in doctor.stdout + doctor.stderr
    assert expect in doctor.stdout
    history = inproc.run("focus.py", ["history", "somebody"], script_env(env))  # a one-shot: settings, no token
    one_line_errors(history, expect if auth else "")
    say = inproc.run("focus.py", ["say", "hello"], script_env(env))  # a one-shot command that needs the token
    assert say.returncode in (2, 3), say.stderr
    one_line_errors(say, expect)
    if auth:
        make_auth = inproc.run("auth_server.py", ["--no-browser", "--device"], script_env(env))
        assert make_auth.returncode != 0
        one_line_errors(make_auth, expect)


@pytest.mark.parametrize("bad", ["\n", "\r", "\u2713", "\x1b[2J", " ", "\u00e9"])
@pytest.mark.parametrize("name", ["TWITCH_USER_ACCESS_TOKEN", "TWITCH_REFRESH_TOKEN", "TWITCH_SECRET"])
def test_a_malformed_secret_in_the_environment_is_one_line_never_the_secret(sim, env, name, bad):
    planted = f"planted{name.lower()}0123456789"
    value = planted[:12] + bad + planted[12:]
    watch(planted, value, planted[:12], planted[12:])  # also each half: a line break splits it in two
    fenv = {**env, name: value}
    run_all(fenv, MALFORMED)


def _plant(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


@pytest.mark.parametrize("damage", ["latin-1", "newline-in-token", "non-latin-1-token", "half-json",
                                    "wrong-types", "directory"])
def test_a_damaged_token_store_is_one_line_never_its_contents(sim, env, damage):
    grant = sim.issue_token()
    doc = {"access_token": grant.access_token, "refresh_token": grant.refresh_token, "login": "caf\u00e9"}
    path = store_path(env)
    if damage == "latin-1":  # a hand-edited file saved as Latin-1
        _plant(path, json.dumps(doc, ensure_ascii=False).encode("latin-1"))
    elif damage == "newline-in-token":
        _plant(path, json.dumps({**doc, "access_token": grant.access_token[:10] + "\n" + grant.access_token[10:]})
               .encode())
        watch(grant.access_token[:10] + "\n" + grant.access_token[10:])
    elif damage == "non-latin-1-token":
        _plant(path, json.dumps({**doc, "access_token": grant.access_token + "\u2713"}).encode())
    elif damage == "half-json":
        _plant(path, json.dumps(doc).encode()[:-3])
    elif damage == "wrong-types":
        _plant(path, json.dumps({**doc, "expires_at": {"refresh_token": grant.refresh_token}}).encode())
    else:
        path.mkdir(parents=True)
    fenv = {k: v for k, v in env.items() if k not in ("TWITCH_USER_ACCESS_TOKEN", "TWITCH_REFRESH_TOKEN")}
    run_all(fenv, DAMAGED, auth=False)
    focus = run_with_devlog(fenv)  # and what focus sends to the devlog on the way out
    assert focus.returncode == 3 and DAMAGED in focus.stderr


def run_with_devlog(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """focus with the devlog on, the test as its reader (opened first), so its error record is captured too."""
    from focuslib.config import Settings
    from focuslib.devlog.pipe import ensure_devlog_pipe

    path = ensure_devlog_pipe(Settings.from_env(env))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        focus = run_script("focus.py", env)
        chunks = []
        while True:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(fd)
    out = b"".join(chunks).decode("utf-8", "replace")
    seen("devlog", out)
    assert '"kind": "error"' in out, out
    return focus


def test_the_redactor_masks_escaped_and_encoded_forms():
    secret = "tok3n\nwith\u2713and%/="
    redactor = Redactor()
    redactor.add(secret)
    for form in forms(secret) | {json.dumps(secret, ensure_ascii=False)[1:-1]}:
        text = f"header: OAuth {form} end"
        assert redactor(text) == "header: OAuth [redacted] end", form


def test_make_auth_replaces_a_damaged_store_without_showing_it(sim, env):
    from test_auth_device import FakeTime, device_flow, user_code

    grant = sim.issue_token()
    doc = {"access_token": grant.access_token, "refresh_token": grant.refresh_token, "login": "caf\u00e9"}
    _plant(store_path(env), json.dumps(doc, ensure_ascii=False).encode("latin-1"))
    said: list[str] = []
    result = device_flow(sim, env, FakeTime(lambda n: n == 1 and sim.oauth.approve(user_code(sim))), said)
    seen("make auth", "\n".join(said))
    stored = json.loads(store_path(env).read_text())
    assert stored["access_token"] != grant.access_token and sim.grant_for(stored["access_token"]) is not None
    assert result.replaced == ""  # nothing readable to revoke
