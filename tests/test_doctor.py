"""python focus.py doctor: one line per check, in order, with the fix; exit 0 only when all pass."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from focuslib.twitch.subscriptions import GROUPS

from authkit import run_script
from conftest import Sink, t
from focuslib.devlog.pipe import ensure_fifo
from focuslib.cli.doctor import run_doctor
from test_auth_refresh import NO_ENV_TOKEN, store_token, stored

ORDER = ["settings", "token", "scopes", "Helix", "EventSub", "devlog pipe"]


def doctor(env: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Each check's line, with the indented list under it (the scopes to grant) joined to it by newlines."""
    out = Sink()
    code = run_doctor(env, out, timeout=t(5))
    lines: list[str] = []
    for line in out.lines():
        if line.startswith(" ") and lines:
            lines[-1] += "\n" + line
        else:
            lines.append(line)
    assert [line.split("] ", 1)[1].split(":")[0] for line in lines] == ORDER  # one line per check, in order
    return code, {name: line for name, line in zip(ORDER, lines)}


def dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def pipe(env) -> Path:
    return ensure_fifo(Path(env["XDG_RUNTIME_DIR"]) / "focus" / "devlog.fifo", private_parent=True)


def test_everything_passes(sim, env, pipe):
    code, lines = doctor(env)
    assert code == 0 and all(line.startswith("[ ok ]") for line in lines.values())
    assert f"belongs to {sim.broadcaster[1]} (user id {sim.broadcaster[0]})" in lines["token"]
    assert "expires in 3 h" in lines["token"] and "TWITCH_USER_ACCESS_TOKEN" in lines["token"]
    assert f"every event group can show ({', '.join(GROUPS)})" in lines["scopes"]
    assert "GET /users answered" in lines["Helix"] and "welcome received" in lines["EventSub"]
    assert f"{pipe} is ready" in lines["devlog pipe"]


def test_groups_that_stay_hidden_are_named_with_the_scope_that_unlocks_each(sim, env, pipe):
    grant = sim.issue_token(scopes=["user:read:chat", "bits:read"])
    code, lines = doctor({**env, "TWITCH_USER_ACCESS_TOKEN": grant.access_token})
    assert code == 1
    first, *scopes = lines["scopes"].splitlines()
    assert first == ("[FAIL] scopes: 10 event groups stay hidden; grant:  -> run make auth (it asks for every "
                     "scope focus uses)")
    # A list, one scope per line with the groups it shows, under the line's text; not a 1,355-character sentence.
    listed = {line.split()[0]: line.split(None, 1)[1] for line in scopes if not line.strip().startswith("for")
              and line.startswith(" " * 7) and not line.startswith(" " * 8)}
    assert listed["moderator:read:followers"] == "follows" and listed["channel:read:subscriptions"] == "subs"
    assert listed["channel:moderate"] == "moderation" and listed["moderator:manage:shoutouts"] == "shoutouts"
    assert "user:read:chat" not in lines["scopes"] and "bits:read" not in lines["scopes"]  # granted
    assert "for commands only: user:write:chat, moderator:manage:banned_users," in lines["scopes"]
    assert max(len(line) for line in lines["scopes"].splitlines()) < 120  # the sentence was 1,355 characters
    assert all(lines[name].startswith("[ ok ]") for name in ORDER if name != "scopes")


def test_an_expired_stored_token_is_refreshed_as_focus_would(sim, env, pipe):
    old = store_token(sim, env, expired=True)
    code, lines = doctor({**env, **NO_ENV_TOKEN})
    assert code == 0 and "had expired, refreshed and stored" in lines["token"] and "the token store" in lines["token"]
    assert sim.grant_for(stored(env)["access_token"]) is not None and stored(env)["access_token"] != old.access_token


def test_an_unrefreshable_token_fails_and_skips_what_needs_it(sim, env, pipe):
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])
    sim.revoke_refresh_token(env["TWITCH_REFRESH_TOKEN"])
    code, lines = doctor(env)
    assert code == 1
    assert lines["token"].startswith("[FAIL] token:") and lines["token"].endswith("-> run make auth")
    assert lines["scopes"].startswith("[skip]") and lines["Helix"].startswith("[skip]")
    assert lines["EventSub"].startswith("[ ok ]") and lines["devlog pipe"].startswith("[ ok ]")


def test_unreachable_twitch_endpoints_fail_with_the_setting_to_check(sim, env, pipe):
    code, lines = doctor({**env, "TWITCH_EVENTSUB_URL": f"ws://127.0.0.1:{dead_port()}/ws",
                          "TWITCH_API_URL": f"http://127.0.0.1:{dead_port()}/helix"})
    assert code == 1
    assert lines["Helix"].startswith("[FAIL] Helix: cannot reach 127.0.0.1")
    assert lines["EventSub"].startswith("[FAIL] EventSub: cannot connect")
    assert "TWITCH_EVENTSUB_URL" in lines["EventSub"]


def test_a_devlog_path_that_is_not_a_pipe_fails(sim, env):
    path = Path(env["XDG_RUNTIME_DIR"]) / "not-a-pipe"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    code, lines = doctor({**env, "FOCUS_DEVLOG_PIPE": str(path)})
    assert code == 1 and "is not a named pipe" in lines["devlog pipe"] and "FOCUS_DEVLOG_PIPE" in lines["devlog pipe"]


def test_a_missing_pipe_is_created_as_focus_would(sim, env):
    code, lines = doctor(env)
    assert code == 0 and "is ready" in lines["devlog pipe"]
    assert (Path(env["XDG_RUNTIME_DIR"]) / "focus" / "devlog.fifo").is_fifo()


def test_a_pipe_in_a_directory_that_does_not_exist_fails_as_it_does_in_focus(sim, env, tmp_path, start_focus):
    """doctor used to say ok here while focus then exited 2: both run the same check now."""
    extra = {"FOCUS_DEVLOG_PIPE": str(tmp_path / "missing" / "devlog.fifo")}
    code, lines = doctor({**env, **extra})
    assert code == 1 and lines["devlog pipe"].startswith("[FAIL] devlog pipe: cannot create the devlog pipe")
    focus = start_focus(extra, devlog=True)
    focus.thread.join(t(10))
    assert isinstance(focus.result, Exception) and "cannot create the devlog pipe" in str(focus.result)


def test_the_real_command_with_broken_settings(sim, env):
    proc = run_script("focus.py", {**env, "TWITCH_USER_ID": "deskfox"}, "doctor")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("[FAIL] settings: TWITCH_USER_ID='deskfox' is not a numeric user id")
    assert "-> set TWITCH_USER_ID" in lines[0]
    assert [line.split(":")[0] for line in lines[1:]] == [f"[skip] {name}" for name in ORDER[1:]]
    assert "\x1b" not in proc.stdout  # NO_COLOR
