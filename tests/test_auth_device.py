"""make auth ARGS=--device: the device code flow (protocol notes §4.5) against the simulated Twitch.

The flow's waiting goes through an injected `wait`/`clock` pair, so these tests check the polling
schedule (interval, slow_down, expiry) exactly and without sleeping; every poll is a real HTTP request.
"""

from __future__ import annotations

import json
import re

import pytest

from authkit import start_auth  # noqa: F401  (fixture)
from authkit import auth_env, finish, free_port, read_until, start_script, store_path
from conftest import Browser
from focuslib.net import oauth
from focuslib.config import Settings
from focuslib.auth.deviceflow import run_device_flow
from focuslib.errors import AuthError
from focuslib.net.client import HttpClient
from focuslib.twitch.scopes import DEFAULT_SCOPES


class FakeTime:
    """`wait` that returns at once and moves `clock` on; `on_wait(n)` runs before the n-th poll."""

    def __init__(self, on_wait=lambda n: None) -> None:
        self.now = 1000.0
        self.waits: list[float] = []
        self.on_wait = on_wait

    def clock(self) -> float:
        return self.now

    def wait(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += seconds
        self.on_wait(len(self.waits))
        return False


def device_flow(sim, env, fake, said):
    settings = Settings.from_env(auth_env(env, free_port()))
    http = HttpClient()
    try:
        return run_device_flow(http, settings, DEFAULT_SCOPES, say=said.append, wait=fake.wait, clock=fake.clock)
    finally:
        http.close()


def user_code(sim) -> str:
    (device,) = sim.oauth.devices.values()
    return device.user_code


def test_pending_until_approved_then_stored(sim, env):
    said: list[str] = []
    fake = FakeTime(lambda n: n == 3 and sim.oauth.approve(user_code(sim)))
    result = device_flow(sim, env, fake, said)
    assert fake.waits == [5, 5, 5]  # the interval Twitch gave; two authorization_pending answers
    assert sim.oauth.device_polls == 3
    assert result.login == sim.broadcaster[1] and result.scopes == DEFAULT_SCOPES  # `scopes` reached /device
    stored = json.loads(store_path(env).read_text())
    assert sim.grant_for(stored["access_token"]) is not None and stored["user_id"] == sim.broadcaster[0]
    assert "/activate?" in said[0] and re.search(r"enter the code:\s+[0-9A-F]{8}", said[0])
    assert sim.oauth.devices == {}  # the device code is spent
    # No client_secret in the polls, although env sets TWITCH_SECRET (as Twitch's CLI and twurple poll).
    assert "TWITCH_SECRET" in env and set(sim.oauth.device_poll_keys) == {
        ("client_id", "device_code", "grant_type", "scopes")}


def test_slow_down_makes_each_later_poll_wait_5_s_longer(sim, env):
    said: list[str] = []
    sim.oauth.slow_down = 2
    fake = FakeTime(lambda n: n == 1 and sim.oauth.approve(user_code(sim)))
    device_flow(sim, env, fake, said)
    assert fake.waits == [5, 10, 15]
    assert "now every 10 s" in said[1] and "now every 15 s" in said[2]


def test_the_code_expires_after_expires_in(sim, env):
    sim.oauth.device_expires_in = 12
    fake = FakeTime()
    with pytest.raises(AuthError) as caught:
        device_flow(sim, env, fake, [])
    assert "expired before it was entered" in caught.value.message and "--device" in caught.value.hint
    assert fake.waits == [5, 5, 5] and sim.oauth.device_polls == 2  # no poll after the deadline
    assert not store_path(env).exists()


@pytest.mark.parametrize(("twitch_side", "expect"), [
    (lambda sim, code: sim.oauth.expire_device(code), "no longer accepts this device code"),
    (lambda sim, code: sim.oauth.approve(code, approved=False), "declined"),
])
def test_expired_or_declined_on_twitchs_side(sim, env, twitch_side, expect):
    fake = FakeTime(lambda n: n == 2 and twitch_side(sim, user_code(sim)))
    with pytest.raises(AuthError) as caught:
        device_flow(sim, env, fake, [])
    assert expect in caught.value.message and not store_path(env).exists()


def test_stopping_while_waiting_cancels(sim, env, start_auth):
    run = start_auth(auth_env(env, free_port()), "--device")
    run.out.wait_text("enter the code")
    assert run.stop() == 130
    assert "nothing was stored" in run.out.text


def test_the_real_script_as_a_public_client(sim, env):
    """No TWITCH_SECRET at all: device sign-in, then the token refreshes without a secret too."""
    sim.oauth.device_interval = 1
    denv = {**auth_env(env, free_port()), "TWITCH_SECRET": ""}
    proc = start_script("auth_server.py", denv, "--device", "--no-browser")
    shown = read_until(proc, "enter the code")
    url = re.search(r"open (http://\S+)", shown).group(1)
    with Browser() as person:  # the person opens the address and approves
        assert person.get(url).status_code == 200
    code, out, err = finish(proc)
    assert code == 0, err
    assert "Connected to Twitch as" in out and "Traceback" not in err
    stored = json.loads(store_path(denv).read_text())
    http = HttpClient()
    try:
        fresh = oauth.refresh(http, sim.auth_url, sim.client_id, "", stored["refresh_token"])
    finally:
        http.close()
    assert sim.grant_for(fresh.access_token) is not None
