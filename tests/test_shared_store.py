"""One token store, many processes: focus, doctor, make auth and a second focus use it at once.

Each test runs real processes (a focus in this process plus doctor or a writer as subprocesses) that share
one store, against the simulated Twitch with rotating refresh tokens (a spent refresh token is refused).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from authkit import finish, run_script, start_script, store_path
from conftest import N_SUBS, ROOT, t
from focuslib.auth import refresh as token_refresh
from focuslib.auth.store import StoredToken, TokenStore
from focuslib.auth.tokens import Redactor, TokenHolder
from focuslib.errors import AuthError
from focuslib.net.client import HttpClient
from focuslib.net.oauth import refresh as oauth_refresh
from test_auth_refresh import NO_ENV_TOKEN, fast_checks, refreshes, store_token, stored  # noqa: F401


def resubscribe_with_a_401(sim, session) -> None:
    """Make the running focus call Helix with its current token: drop the session, it subscribes again."""
    sim.drop(session)
    sim.wait_for(lambda: [s for s in sim.live_sessions() if s is not session and len(s.subscriptions) == N_SUBS])


def test_doctor_refreshing_while_focus_runs_leaves_focus_working(sim, env, start_focus):
    sim.rotate_refresh = True
    old = store_token(sim, env)
    focus = start_focus(NO_ENV_TOKEN)
    session = sim.wait_subscribed(N_SUBS)
    sim.expire_token(old.access_token)
    doctor = run_script("focus.py", {**env, **NO_ENV_TOKEN}, "doctor")  # refreshes and stores (another process)
    assert doctor.returncode == 0, doctor.stdout
    assert refreshes(sim) == 1 and old.refresh_token not in sim.refresh_tokens  # the old refresh token is spent
    resubscribe_with_a_401(sim, session)  # focus meets a 401: it takes doctor's pair from the store
    assert refreshes(sim) == 1  # no second refresh with the spent token
    assert focus.thread.is_alive() and focus.stop() == 0


def test_a_one_shot_refreshing_while_a_real_focus_process_runs_leaves_both_working(sim, env):
    """Two separate processes on one store: focus.py running, and `focus.py say` from another shell refreshing
    its expired token (a rotated pair).  The running focus meets a 401, takes the stored pair, refreshes
    nothing with the spent refresh token, and goes on.  (A second *focus* on the same data directory is
    refused by the pid lock, so a one-shot is the other long-lived user of the store besides doctor.)"""
    sim.rotate_refresh = True
    old = store_token(sim, env)
    penv = {**env, **NO_ENV_TOKEN}
    focus = start_script("focus.py", penv, "--no-devlog", "--no-input")
    try:
        session = sim.wait_subscribed(N_SUBS)
        sim.expire_token(old.access_token)
        said = run_script("focus.py", penv, "say", "two processes")
        assert (said.returncode, said.stdout, said.stderr) == (0, "sent\n", "")
        assert refreshes(sim) == 1 and old.refresh_token not in sim.refresh_tokens  # rotated: the old one is spent
        rotated = stored(env)
        assert rotated["access_token"] != old.access_token
        resubscribe_with_a_401(sim, session)  # the focus process meets a 401 and takes the one-shot's pair
        assert refreshes(sim) == 1
        assert focus.poll() is None  # still running
        again = run_script("focus.py", penv, "say", "still one pair")  # and the one-shot still works too
        assert (again.returncode, again.stdout) == (0, "sent\n") and refreshes(sim) == 1
        assert stored(env)["refresh_token"] == rotated["refresh_token"]
    finally:
        code, out, err = finish(focus, interrupt=True)
    assert code == 0 and "make auth" not in out + err, err


def save_as_make_auth(sim, env, new) -> None:
    """What make auth does, in another process: save under the store's lock."""
    uid, login, _ = sim.broadcaster
    code = ("import sys; from pathlib import Path; from focuslib.auth.store import StoredToken, TokenStore\n"
            "s = TokenStore(Path(sys.argv[1]), sys.argv[2])\n"
            "with s.locked(): s.save(StoredToken(sys.argv[3], sys.argv[4], (), sys.argv[5], sys.argv[6]))\n")
    subprocess.run([sys.executable, "-c", code, env["FOCUS_DATA_DIR"], sim.client_id, new.access_token,
                    new.refresh_token, uid, login], cwd=ROOT, check=True, timeout=t(20))


def test_a_token_make_auth_wrote_while_focus_runs_is_used_not_overwritten(sim, env, start_focus):
    old = store_token(sim, env)
    focus = start_focus(NO_ENV_TOKEN)
    session = sim.wait_subscribed(N_SUBS)
    new = sim.issue_token()
    save_as_make_auth(sim, env, new)
    sim.expire_token(old.access_token)
    resubscribe_with_a_401(sim, session)
    assert refreshes(sim) == 0  # the newer stored token was used as it is
    assert stored(env)["access_token"] == new.access_token  # and never overwritten by focus's old pair
    assert focus.stop() == 0


def test_a_token_make_auth_wrote_while_focus_runs_on_env_tokens_wins_over_them(sim, env, start_focus):
    sim.rotate_refresh = True
    old = store_token(sim, env)  # an older sign-in in the store: .env's pair wins over it at start
    focus = start_focus()  # TWITCH_USER_ACCESS_TOKEN / TWITCH_REFRESH_TOKEN from the environment
    session = sim.wait_subscribed(N_SUBS)
    new = sim.issue_token()
    save_as_make_auth(sim, env, new)
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])
    resubscribe_with_a_401(sim, session)
    assert refreshes(sim) == 0  # make auth's newer token was used as it is
    assert stored(env)["access_token"] == new.access_token != old.access_token  # never overwritten
    assert focus.stop() == 0


def test_a_refused_refresh_re_reads_the_store_before_giving_up(sim, env):
    """Another process stored a new pair while this one was asking Twitch (a writer that took no lock)."""
    sim.rotate_refresh = True
    old = store_token(sim, env)
    store = TokenStore(Path(env["FOCUS_DATA_DIR"]), sim.client_id)
    newer = sim.issue_token()
    http = HttpClient()

    def refresher(refresh_token: str):
        store.save(StoredToken(newer.access_token, newer.refresh_token))  # lands meanwhile
        sim.revoke_refresh_token(refresh_token)  # and the other process spent ours
        return oauth_refresh(http, sim.auth_url, sim.client_id, "", refresh_token)

    try:
        holder = TokenHolder(old.access_token, old.refresh_token, refresher=refresher, store=store,
                             redactor=Redactor(), identity=store.load())
        assert holder.refresh(old.access_token) == newer.access_token
        empty = TokenStore(Path(env["FOCUS_DATA_DIR"]) / "other", sim.client_id)
        lonely = TokenHolder(newer.access_token, newer.refresh_token, store=empty, redactor=Redactor(),
                             refresher=lambda rt: (sim.revoke_refresh_token(rt),
                                                   oauth_refresh(http, sim.auth_url, sim.client_id, "", rt))[1])
        with pytest.raises(AuthError):  # nothing newer anywhere: then it gives up
            lonely.refresh(newer.access_token)
    finally:
        http.close()


def test_env_tokens_are_used_until_refreshed_once_then_the_stored_pair_wins(sim, env, start_focus):
    sim.rotate_refresh = True
    focus = start_focus()  # TWITCH_USER_ACCESS_TOKEN / TWITCH_REFRESH_TOKEN from the environment
    session = sim.wait_subscribed(N_SUBS)
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])
    resubscribe_with_a_401(sim, session)
    assert refreshes(sim) == 1 and env["TWITCH_REFRESH_TOKEN"] not in sim.refresh_tokens
    assert focus.stop() == 0
    doctor = run_script("focus.py", env, "doctor")  # says which pair it uses, and why
    assert doctor.returncode == 0 and "from the token store (refreshed from .env's token" in doctor.stdout
    again = start_focus()  # same .env, whose refresh token is spent now: the stored pair is used
    sim.wait_subscribed(N_SUBS)
    assert refreshes(sim) == 1 and again.stop() == 0


def _immutable(path: Path, on: bool) -> None:
    subprocess.run(["chattr", "+i" if on else "-i", str(path)], check=True, capture_output=True)


@pytest.fixture
def full_disk(env):
    """The data directory refuses new files (chattr +i: even root gets EPERM), like a full disk would."""
    data = Path(env["FOCUS_DATA_DIR"])
    data.mkdir(parents=True, mode=0o700)
    (data / "focus.pid").write_text("")
    (data / "tokens-focus-demo.json.lock").write_text("")
    try:
        _immutable(data, True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("chattr +i is not available here (needs root and a file system that supports it)")
    yield data
    _immutable(data, False)


def test_a_token_that_cannot_be_saved_after_a_helix_401_is_kept_with_one_warning(sim, env, start_focus, full_disk):
    focus = start_focus(history=False)
    session = sim.wait_subscribed(N_SUBS)
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])
    resubscribe_with_a_401(sim, session)
    focus.out.wait_text("could not be saved")
    assert focus.out.text.count("could not be saved") == 1 and focus.thread.is_alive()
    assert not store_path(env).exists()
    assert focus.stop() == 0


def test_a_token_that_cannot_be_saved_hourly_is_saved_again_later(sim, env, start_focus, full_disk, fast_checks):
    # the next check soon after the refresh, too
    focus = start_focus(history=False, refresh=dataclasses.replace(fast_checks, min_wait=0.05))
    sim.wait_subscribed(N_SUBS)
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])
    focus.out.wait_text("could not be saved")
    _immutable(full_disk, False)  # room again
    sim.wait_for(lambda: store_path(env).exists() and sim.grant_for(stored(env)["access_token"]) is not None)
    assert focus.out.text.count("could not be saved") == 1 and focus.stop() == 0


def test_an_unusable_lock_file_at_the_hourly_check_is_not_called_a_refresh(sim, env, start_focus, fast_checks):
    """The store's lock file became a directory while focus runs: the keeper cannot refresh under the lock.
    It says so (and what to do), claims no refresh, and refreshes once the lock file is usable again."""
    old = store_token(sim, env)
    focus = start_focus(NO_ENV_TOKEN, history=False, refresh=dataclasses.replace(fast_checks, retry_waits=(0.05,)))
    sim.wait_subscribed(N_SUBS)
    lock = Path(str(store_path(env)) + ".lock")
    lock.unlink(missing_ok=True)
    lock.mkdir()
    sim.expire_token(old.access_token)
    focus.out.wait_text("cannot refresh the token")
    assert "was refreshed" not in focus.out.text and f"{lock}" in focus.out.text
    assert refreshes(sim) == 0 and focus.thread.is_alive()
    lock.rmdir()
    sim.wait_for(lambda: refreshes(sim) == 1 and stored(env)["access_token"] != old.access_token)
    assert focus.out.text.count("cannot refresh the token") == 1 and focus.stop() == 0


def test_a_store_others_can_read_is_made_private_with_a_warning(sim, env, start_focus):
    store_token(sim, env)
    os.chmod(store_path(env), 0o644)
    focus = start_focus(NO_ENV_TOKEN)
    focus.out.wait_text("was readable by others (mode 0644); made it private (0600)")
    assert (os.stat(store_path(env)).st_mode & 0o777) == 0o600
    assert focus.stop() == 0
    os.chmod(store_path(env), 0o644)
    doctor = run_script("focus.py", {**env, **NO_ENV_TOKEN}, "doctor")
    assert "made it private" in doctor.stdout


def test_a_symlinked_store_is_refused_and_never_replaced(sim, env, tmp_path):
    grant = sim.issue_token()
    real = tmp_path / "tokens-elsewhere.json"  # (the secret guard reads every other file)
    real.write_text(json.dumps({"access_token": grant.access_token, "refresh_token": grant.refresh_token}))
    path = store_path(env)
    path.parent.mkdir(parents=True, mode=0o700)
    path.symlink_to(real)
    fenv = {**env, **NO_ENV_TOKEN}
    proc = run_script("focus.py", fenv, "--no-devlog")
    assert proc.returncode == 3 and "is a symbolic link" in proc.stderr and "Traceback" not in proc.stderr
    doctor = run_script("focus.py", fenv, "doctor")
    assert "[FAIL] token:" in doctor.stdout and "symbolic link" in doctor.stdout
    store = TokenStore(path.parent, sim.client_id)
    with pytest.raises(Exception, match="symbolic link"):
        store.save(StoredToken("a" * 30, "b" * 30))
    assert path.is_symlink() and json.loads(real.read_text())["access_token"] == grant.access_token


def test_authorization_revoked_validates_at_once_and_ends_focus_when_the_token_is_dead(sim, env, start_focus):
    focus = start_focus()
    sim.wait_subscribed(N_SUBS)
    calls = sim.validate_calls
    sim.revoke("channel.follow", "authorization_revoked")  # the token still works: focus goes on
    sim.wait_for(lambda: sim.validate_calls == calls + 1)
    assert focus.thread.is_alive()
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])  # the user disconnected focus in Twitch's settings
    sim.revoke("channel.chat.message", "authorization_revoked")
    focus.thread.join(t(10))
    assert not focus.thread.is_alive() and refreshes(sim) == 0  # ended, without trying to refresh
    assert isinstance(focus.result, AuthError) and "authorization was revoked" in focus.result.message
    assert "run make auth" in focus.result.hint and focus.result.exit_status == 3


def test_other_revocations_do_not_check_the_token(sim, env, start_focus):
    focus = start_focus()
    sim.wait_subscribed(N_SUBS)
    calls = sim.validate_calls
    sim.revoke("channel.follow", "user_removed")
    focus.out.wait_text("Twitch revoked the channel.follow subscription (user_removed)")
    assert sim.validate_calls == calls and focus.stop() == 0


def test_make_auth_replacing_a_token_revokes_the_old_one(sim, env):
    from focuslib.auth.codeflow import finish
    from focuslib.config import Settings
    from focuslib.net.oauth import TokenSet

    old = store_token(sim, env)
    new = sim.issue_token()
    http = HttpClient()
    try:
        result = finish(http, Settings.from_env({**env, **NO_ENV_TOKEN}),
                        TokenSet(new.access_token, new.refresh_token, new.scopes, 3600))
    finally:
        http.close()
    assert stored(env)["access_token"] == new.access_token
    assert sim.grant_for(old.access_token) is None and old.refresh_token not in sim.refresh_tokens
    assert sim.grant_for(new.access_token) is not None
    assert result.replaced == "the previous token was revoked at Twitch"


def test_logout_revokes_and_deletes_the_stored_token(sim, env):
    old = store_token(sim, env)
    fenv = {**env, **NO_ENV_TOKEN}
    proc = run_script("focus.py", fenv, "logout")
    assert proc.returncode == 0 and "Signed out: deleted" in proc.stdout and "revoked at Twitch" in proc.stdout
    assert not store_path(env).exists() and sim.grant_for(old.access_token) is None
    again = run_script("focus.py", fenv, "logout")
    assert again.returncode == 0 and "nothing to do" in again.stdout
    store_path(env).write_bytes(b"\xff damaged " + old.refresh_token.encode())
    damaged = run_script("focus.py", fenv, "logout")
    assert damaged.returncode == 0 and "deleted without revoking" in damaged.stdout
    assert not store_path(env).exists()


def test_logout_through_a_symlinked_store_revokes_the_real_files_token_and_deletes_both(sim, env, tmp_path):
    """The store is a link to a file kept elsewhere (a dotfiles repository): removing the link alone left the
    real file and its valid token behind, and said "Signed out"."""
    old = store_token(sim, env)
    real = tmp_path / "elsewhere" / "focus-tokens.json"
    real.parent.mkdir()
    store_path(env).rename(real)
    store_path(env).symlink_to(real)
    proc = run_script("focus.py", {**env, **NO_ENV_TOKEN}, "logout")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (f"Signed out: deleted {store_path(env)} and the file it linked to, {real}; the previous "
                           "token was revoked at Twitch.\n")
    assert not real.exists() and not os.path.lexists(store_path(env))
    assert sim.grant_for(old.access_token) is None and old.refresh_token not in sim.refresh_tokens


def test_logout_through_a_link_to_something_else_touches_nothing(sim, env, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("not a token store\n")
    store_path(env).parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    store_path(env).symlink_to(other)
    proc = run_script("focus.py", {**env, **NO_ENV_TOKEN}, "logout")
    assert proc.returncode == 3 and proc.stdout == ""
    assert proc.stderr.startswith(f"focus: the token store {store_path(env)} is a symbolic link to {other}, which "
                                  "is not a token store of yours; nothing was revoked or deleted")
    assert other.read_text() == "not a token store\n" and os.path.islink(store_path(env))


def _unsaved_after_a_401(sim, env, start_focus, **options):
    """focus refreshes its expired token (a Helix 401) and the full disk refuses the new pair."""
    focus = start_focus(history=False, **options)
    session = sim.wait_subscribed(N_SUBS)
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])
    resubscribe_with_a_401(sim, session)
    focus.out.wait_text("could not be saved")
    assert not store_path(env).exists()
    return focus


def _saved(sim, env) -> bool:
    return store_path(env).exists() and sim.grant_for(stored(env)["access_token"]) is not None


def test_a_refreshed_token_the_disk_refused_is_saved_once_there_is_room_before_the_hourly_check(
        sim, env, start_focus, full_disk):
    """Every minute (here 0.1 s), not only at the hourly check (here never during the test)."""
    schedule = token_refresh.RefreshSchedule(validate_every=3600.0, save_every=0.1)
    focus = _unsaved_after_a_401(sim, env, start_focus, refresh=schedule)
    _immutable(full_disk, False)  # room again
    sim.wait_for(lambda: _saved(sim, env), timeout=t(10))
    assert focus.out.text.count("could not be saved") == 1 and focus.stop() == 0


def test_a_refreshed_token_the_disk_refused_is_saved_at_exit(sim, env, start_focus, full_disk):
    focus = _unsaved_after_a_401(sim, env, start_focus)  # Twitch's schedule: nothing retries within the test
    _immutable(full_disk, False)  # room again, and focus stops at once
    assert focus.stop() == 0
    assert _saved(sim, env) and "still not saved" not in focus.out.text


def test_a_refreshed_token_still_unsaved_at_exit_is_one_line(sim, env, start_focus, full_disk):
    focus = _unsaved_after_a_401(sim, env, start_focus)
    assert focus.stop() == 0
    lines = [line for line in focus.out.lines() if "still not saved" in line]
    assert len(lines) == 1 and lines[0].startswith("! the refreshed token is still not saved (cannot write")
    assert focus.out.text.rstrip().endswith("run make auth if Twitch refuses it")  # the last line, below the screen
    assert not store_path(env).exists()
