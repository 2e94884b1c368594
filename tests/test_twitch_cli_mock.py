"""focus against twitch-cli's mock server (issue 22, item 14), played by the simulator configured to answer
as the mock does (protocol notes §6, checked against twitch-cli built from source at fd7dac6): no token
checks, no OAuth, no Helix routes but the subscriptions' (404), a 400 for each type it cannot generate, and
a 409 for a second subscription of a type whatever its condition."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from conftest import N_SUBS, ROOT, Focus, Sink, t
from focuslib.runtime.setup import Options
from focuslib.sim import SimTwitch
from ptyterm import PtyFocus
from test_inputline import ENTER, prompt_row

# The types twitch-cli's mock refuses with 400 (its answer to focus's 52 subscriptions, fd7dac6).
MOCK_REFUSES = ("channel.chat.message", "channel.chat.notification", "channel.chat.message_delete",
                "channel.chat.clear", "channel.chat.clear_user_messages", "channel.shared_chat.begin",
                "channel.shared_chat.update", "channel.shared_chat.end", "automod.message.hold",
                "automod.message.update", "channel.chat.user_message_hold", "channel.chat.user_message_update",
                "channel.warning.send", "channel.warning.acknowledge", "channel.chat_settings.update",
                "channel.suspicious_user.message", "channel.vip.add", "channel.vip.remove", "channel.bits.use",
                "channel.hype_train.begin", "channel.hype_train.progress", "channel.hype_train.end",
                "channel.channel_points_automatic_reward_redemption.add")
MADE = N_SUBS - len(MOCK_REFUSES) - 1  # and one of the two channel.raid: 28 of 52
ONE_LINE = "the twitch-cli mock server has no chat or moderation calls"


@pytest.fixture
def mock() -> Iterator[SimTwitch]:
    with SimTwitch(strict_tokens=False, ping_interval=None) as sim:
        for stype in MOCK_REFUSES:
            sim.fail_subscriptions[stype] = (400, "The combination of values in the type and version fields is "
                                                  "not valid")
        sim.one_per_type = True
        yield sim


@pytest.fixture
def mock_env(mock: SimTwitch, tmp_path: Path) -> dict[str, str]:
    """What the README's twitch-cli section sets: the two URLs and a user id, no token, no client id."""
    return {"TWITCH_EVENTSUB_URL": mock.ws_url, "TWITCH_API_URL": mock.http_base, "TWITCH_USER_ID": "70000001",
            "XDG_RUNTIME_DIR": str(tmp_path / "run"), "FOCUS_DATA_DIR": str(tmp_path / "data"), "HOME": str(tmp_path),
            "TERM": "xterm-256color"}


def test_the_status_counts_what_the_mock_made(mock, mock_env) -> None:
    """Its 409 on the second channel.raid was counted as made: `subscribed 29/52` while it held 28."""
    focus = Focus(mock_env, Options(devlog=False, history=False), Sink()).start()
    try:
        focus.out.wait_text(f"subscribed {MADE}/{N_SUBS}")
        assert sum(len(s.subscriptions) for s in mock.sessions.values()) == MADE
        assert f"subscribed {MADE + 1}/" not in focus.out.text
        assert re.search(r"channel\.raid \((to|from)_broadcaster_user_id\) already exists, or the server allows "
                         r"one channel\.raid whatever its condition \(409", focus.out.text)  # whichever came second
    finally:
        assert focus.stop() == 0


def test_the_input_line_and_the_one_shots_say_the_same_one_line(mock, mock_env) -> None:
    shell = {**{k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_"))},
             **mock_env}
    done = subprocess.run([sys.executable, str(ROOT / "focus.py"), "say", "hi"], cwd=ROOT, env=shell,
                          capture_output=True, text=True, timeout=t(30))
    assert (done.returncode, done.stderr) == (2, f"focus: {ONE_LINE}\n")
    focus = PtyFocus(mock_env, ["--no-devlog", "--no-timestamps"])
    try:
        focus.wait_text(f"subscribed {MADE}/{N_SUBS}", 20)
        focus.send("hello mock" + ENTER)
        focus.wait_text(f"! {ONE_LINE}")
        focus.send("/ban loud_kettle spam" + ENTER)
        focus.wait_for(lambda: focus.text().count(f"! {ONE_LINE}") == 2, what="the same line for /ban")
        focus.wait_for(lambda: prompt_row(focus) == "›", what="the input line, ready")
        assert "Twitch answered 404" not in "\n".join(focus.scrollback())
    finally:
        focus.close()
    assert [r for r in mock.requests if "/eventsub/" not in r.path] == []  # nothing sent anywhere else


def test_doctor_says_no_token_is_needed_and_what_the_mock_can_show(mock, mock_env) -> None:
    from focuslib.cli.doctor import run_doctor

    out = Sink()
    assert run_doctor(mock_env, out, timeout=t(5)) == 0
    lines = {line.split("] ", 1)[1].split(":")[0]: line for line in out.lines()}
    assert lines["token"].endswith("token: none needed; not checked (twitch-cli's mock server has no OAuth)")
    assert "every event group can show" not in out.text
    assert f"the mock creates {MADE} of {N_SUBS} subscriptions; these groups show nothing there: chat, " \
           "hypetrain; it refuses automod.message.hold" in lines["EventSub"]
    assert re.search(r"channel\.raid \((to|from)_broadcaster_user_id\)", lines["EventSub"])


