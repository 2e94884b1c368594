"""One identity check (focuslib/auth/identity.py) behind focus, doctor and make auth: the same answers.

Against the simulated Twitch: a token of another app and an app token are refused by all three with
the same message; against twitch-cli's mock (no OAuth), focus and doctor assume the same scopes, the
ones make auth asks for.
"""

from __future__ import annotations

import pytest

from conftest import N_SUBS, Sink, t
from focuslib.auth.codeflow import finish
from focuslib.auth.identity import check_token_info, identify, token_holder
from focuslib.auth.tokens import Redactor
from focuslib.cli.doctor import check_scopes, run_doctor
from focuslib.config import Settings
from focuslib.errors import AuthError, ConfigError
from focuslib.net import oauth
from focuslib.net.client import HttpClient
from focuslib.sim import SimTwitch
from focuslib.twitch.scopes import DEFAULT_SCOPES, usable_subscriptions
from focuslib.twitch.subscriptions import desired

OTHER_APP = "the token was issued to client id someone-elses-app, not TWITCH_CLIENT_ID="


def doctor_token_line(env: dict[str, str]) -> str:
    out = Sink()
    run_doctor(env, out, timeout=t(5))
    return next(line for line in out.lines() if "] token:" in line)


def focus_error(start_focus, env: dict[str, str]) -> BaseException:
    focus = start_focus(env)
    focus.thread.join(t(10))
    assert not focus.thread.is_alive()
    return focus.result


def test_a_token_of_another_app_is_refused_alike_by_focus_doctor_and_make_auth(sim, env, start_focus):
    grant = sim.issue_token(client_id="someone-elses-app")
    other = {**env, "TWITCH_USER_ACCESS_TOKEN": grant.access_token, "TWITCH_REFRESH_TOKEN": grant.refresh_token}
    by_focus = focus_error(start_focus, other)
    assert isinstance(by_focus, ConfigError) and by_focus.message.startswith(OTHER_APP)
    assert f"[FAIL] token: {OTHER_APP}" in doctor_token_line(other)
    http = HttpClient()
    try:
        with pytest.raises(ConfigError) as by_make_auth:
            finish(http, Settings.from_env(env), oauth.TokenSet(grant.access_token, grant.refresh_token, (), 0))
    finally:
        http.close()
    assert by_make_auth.value.message == by_focus.message and by_make_auth.value.hint == by_focus.hint


def test_an_app_token_is_refused_with_one_message():
    app_token = oauth.TokenInfo("cid", "", "", (), 3600)
    with pytest.raises(AuthError, match="app token; focus needs a user token") as err:
        check_token_info(app_token, "cid")
    assert err.value.hint == "run make auth"
    user_token = oauth.TokenInfo("cid", "ann", "42", ("user:read:chat",), 3600)
    assert check_token_info(user_token, "cid") is user_token
    assert check_token_info(oauth.TokenInfo("", "ann", "42", (), 0), "cid").user_id == "42"  # no client id: fine


def test_an_expired_token_is_refreshed_once_and_remembered_with_its_owner(sim, env):
    sim.expire_token(env["TWITCH_USER_ACCESS_TOKEN"])
    settings = Settings.from_env(env)
    http = HttpClient()
    said: list[str] = []
    try:
        holder = token_holder(settings, http, Redactor())
        identity = identify(settings, http, holder, status=said.append)
    finally:
        http.close()
    assert identity.refreshed and identity.validated and said == ["the token has expired; refreshing it"]
    assert holder.access_token != env["TWITCH_USER_ACCESS_TOKEN"]
    assert holder.identity.user_id == sim.broadcaster[0] == identity.info.user_id


def test_with_twitch_clis_mock_focus_and_doctor_assume_the_scopes_make_auth_asks_for(tmp_path):
    with SimTwitch(strict_tokens=False, ping_interval=None, wait_timeout=t(10)) as mock:
        env = {"TWITCH_EVENTSUB_URL": mock.ws_url, "TWITCH_API_URL": mock.http_base, "TWITCH_USER_ID": "70000001",
               "XDG_RUNTIME_DIR": str(tmp_path / "run"), "FOCUS_DATA_DIR": str(tmp_path / "data"),
               "HOME": str(tmp_path), "TWITCH_CLIENT_ID": "twitch-cli-mock",
               "TWITCH_USER_ACCESS_TOKEN": "twitch-cli-mock"}
        settings = Settings.from_env(env)
        http = HttpClient()
        try:
            identity = identify(settings, http, token_holder(settings, http, Redactor()))
        finally:
            http.close()
        assert not identity.validated and mock.validate_calls == 0
        assert identity.info.scopes == DEFAULT_SCOPES and identity.info.user_id == "70000001"
        # What focus subscribes to with them, and what doctor says of them, agree: everything.
        usable, hidden = usable_subscriptions(desired("70000001", "70000001"), identity.info.scopes)
        assert len(usable) == N_SUBS and hidden == []
        assert check_scopes(identity.info.scopes).status == "ok"
        out = Sink()
        run_doctor(env, out, timeout=t(5))
        lines = {line.split("] ", 1)[1].split(":")[0]: line for line in out.lines()}
        assert lines["token"].endswith("token: from TWITCH_USER_ACCESS_TOKEN; not checked (twitch-cli's mock "
                                       "server has no OAuth)")
        # The mock grants every scope and refuses many types all the same: doctor says so, not "everything shows".
        assert lines["scopes"].startswith("[ ok ] scopes: not checked (twitch-cli's mock server has no OAuth); "
                                          "what it can show: see EventSub")
        assert "the mock creates 52 of 52 subscriptions" in lines["EventSub"]  # this simulator refuses none


def test_with_twitch_clis_mock_doctor_needs_no_more_settings_than_focus(tmp_path):
    # focus runs against the mock with the two URLs and a user id (test_flow.py); doctor must not ask
    # for a client id or a token that focus does without.
    with SimTwitch(strict_tokens=False, ping_interval=None, wait_timeout=t(10)) as mock:
        env = {"TWITCH_EVENTSUB_URL": mock.ws_url, "TWITCH_API_URL": mock.http_base, "TWITCH_USER_ID": "70000001",
               "XDG_RUNTIME_DIR": str(tmp_path / "run"), "FOCUS_DATA_DIR": str(tmp_path / "data"),
               "HOME": str(tmp_path)}
        out = Sink()
        run_doctor(env, out, timeout=t(5))
        lines = {line.split("] ", 1)[1].split(":")[0]: line for line in out.lines()}
        assert lines["settings"].startswith("[ ok ] settings:"), lines["settings"]
        assert "not checked (twitch-cli's mock server has no OAuth)" in lines["token"]
        assert lines["scopes"].startswith("[ ok ] scopes:") and lines["Helix"].startswith("[ ok ] Helix:")
        assert mock.validate_calls == 0
