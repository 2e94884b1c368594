"""The token store: private, atomic, and a clear message (never a traceback) when it is damaged."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from authkit import run_script, store_path
from focuslib.errors import ConfigError
from focuslib.auth.tokens import StoredToken, TokenStore


def token(n: int) -> StoredToken:
    return StoredToken(f"access-token-number-{n}", f"refresh-token-number-{n}", ("user:read:chat",), "42", "ann",
                       1234.5)


def test_store_file_is_0600_in_a_0700_directory_and_round_trips(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)  # a directory someone created too open is made private
    store = TokenStore(data, "client/../id")
    store.save(token(1))
    assert store.path.parent == data and store.path.name == "tokens-client____id.json"
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    assert store.load() == token(1)
    first_inode = os.stat(store.path).st_ino
    store.save(token(2))
    assert os.stat(store.path).st_ino != first_inode  # replaced by rename, never rewritten in place
    assert store.load() == token(2)
    assert [p.name for p in data.iterdir()] == [store.path.name]  # no temp file left behind


def test_a_write_that_fails_before_the_rename_leaves_the_old_file_intact(tmp_path, monkeypatch):
    store = TokenStore(tmp_path / "data", "cid")
    store.save(token(1))
    before = store.path.read_bytes()

    def crash(src: str, dst: object) -> None:  # the moment a crash or a full disk would hit
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(ConfigError) as caught:
        store.save(token(2))
    monkeypatch.undo()
    assert "cannot write the token store" in caught.value.message and "No space left" in caught.value.message
    assert store.path.read_bytes() == before and store.load() == token(1)
    assert [p.name for p in store.dir.iterdir()] == [store.path.name]


def _focus_without_env_token(sim, env: dict[str, str], *args: str):
    fenv = {k: v for k, v in env.items() if k not in ("TWITCH_USER_ACCESS_TOKEN", "TWITCH_REFRESH_TOKEN")}
    return run_script("focus.py", fenv, "--no-devlog", *args)


@pytest.mark.parametrize(("damage", "expect"), [
    (lambda path: path.write_text("{half a file"), "is damaged (not JSON)"),
    (lambda path: path.write_text(json.dumps({"access_token": ""})), "holds no access token"),
    (lambda path: path.write_text(json.dumps(["not", "an", "object"])), "is damaged"),
    (lambda path: path.mkdir(), "is damaged (not a regular file)"),
])
def test_a_damaged_store_stops_focus_with_a_clear_message(sim, env, damage, expect):
    path = store_path(env)
    path.parent.mkdir(parents=True)
    damage(path)
    proc = _focus_without_env_token(sim, env)
    assert proc.returncode == 3, proc.stderr
    assert expect in proc.stderr and "make auth" in proc.stderr
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) <= 2
    doctor = _focus_without_env_token(sim, env, "doctor")
    (line,) = [line for line in doctor.stdout.splitlines() if "token:" in line]
    assert doctor.returncode == 1 and line.startswith("[FAIL] token:") and expect in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_store_stops_focus_with_a_clear_message(sim, env):
    path = store_path(env)
    TokenStore(path.parent, env["TWITCH_CLIENT_ID"]).save(token(1))
    os.chmod(path, 0)
    try:
        proc = _focus_without_env_token(sim, env)
    finally:
        os.chmod(path, 0o600)
    assert proc.returncode == 3 and "cannot read the token store" in proc.stderr and "chmod 600" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_no_store_yet_says_run_make_auth(sim, env):
    proc = _focus_without_env_token(sim, env)
    assert proc.returncode == 2 and "there is no Twitch token yet" in proc.stderr and "run make auth" in proc.stderr
    assert not Path(env["FOCUS_DATA_DIR"]).exists() or not store_path(env).exists()
