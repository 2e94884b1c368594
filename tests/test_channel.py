"""A scripted channel with every event type, through the simulated Twitch, onto focus's screen.

Every line must arrive, in order, exactly once: the same line the renderer
draws for that payload on its own.  Where Twitch reports one fact through two
subscriptions (a sub as `channel.subscribe` and as a chat notice), focus shows
it from one source (see focuslib/present.py); the second run shows the other
sources with chat notifications out of the picture.
"""

from __future__ import annotations

import os
import subprocess
import sys

from focuslib.events import parse_event
from focuslib.render import ColorMode, Renderer
from focuslib.sim import payloads as P

from cases import CASES
from conftest import ESC, ROOT, t

# Shown from another source when everything is subscribed (focuslib/present.py).
COVERED = {"subscribe", "subscribe/gift", "subscription-gift", "subscription-gift/anonymous",
           "subscription-message", "raid", "cheer", "cheer/anonymous", "mod/clear-user-messages", "chat/reward"}
END = ("99", "stage_manager", "StageManager")


def expected(names: list[str]) -> list[str]:
    renderer = Renderer(ColorMode.NONE, timestamps=False)
    lines = []
    for name in names:
        stype, payload = CASES[name]()
        line = renderer.event(parse_event(stype, "1", payload))
        assert line is not None
        lines.append(line)
    return lines


def play(sim, focus, names: list[str]) -> list[str]:
    for name in names:
        sim.notify(*CASES[name]())
    sim.notify("channel.chat.message", P.chat_message(END, "that's all folks"))
    focus.out.wait_text("StageManager: that's all folks", timeout=15)
    return [line for line in focus.out.lines() if not line.startswith("-- ")][:-1]


def test_every_event_type_reaches_the_screen_in_order_exactly_once(sim, start_focus) -> None:
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(28)
    names = list(CASES)
    shown = play(sim, focus, names)
    assert shown == expected([n for n in names if n not in COVERED])
    assert not ESC.search(focus.out.text)
    assert focus.stop() == 0


def test_without_chat_notices_the_channel_subscriptions_show_their_events(sim, env, start_focus) -> None:
    # A token without channel:moderate: ban/unban are skipped with one line
    # naming the scope, and clear_user_messages is the one that tells of a timeout.
    grant = sim.issue_token(scopes=[s for s in sim.issue_token().scopes if s != "channel:moderate"])
    focus = start_focus({"TWITCH_USER_ACCESS_TOKEN": grant.access_token, "TWITCH_REFRESH_TOKEN": grant.refresh_token},
                        timestamps=False, groups=frozenset({"follows", "subs", "cheers", "raids", "moderation"}))
    session = sim.wait_subscribed(9)
    assert sorted(sub["type"] for sub in session.subscriptions.values()) == [
        "channel.chat.clear", "channel.chat.clear_user_messages", "channel.chat.message_delete", "channel.cheer",
        "channel.follow", "channel.raid", "channel.subscribe", "channel.subscription.gift",
        "channel.subscription.message"]
    focus.out.wait_text("-- subscribed 9/9")
    names = sorted(COVERED - {"chat/reward"}) + ["mod/message-delete", "mod/clear", "follow/doc-example"]
    sim.notify(*CASES["chat/plain"]())  # not subscribed: never delivered
    sim.notify(*CASES["notice/sub"]())
    shown = play_without_chat(sim, focus, names)
    assert shown[0] == ("! moderation: channel.ban, channel.unban need the channel:moderate scope; "
                        "run make auth to grant it")
    assert shown[1:] == expected(names)
    assert focus.stop() == 0


def play_without_chat(sim, focus, names: list[str]) -> list[str]:
    for name in names:
        sim.notify(*CASES[name]())
    sim.notify("channel.follow", P.follow(END))
    focus.out.wait_text("StageManager followed", timeout=15)
    return [line for line in focus.out.lines() if not line.startswith("-- ")][:-1]


def run_focus(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_"))}
    return subprocess.run([sys.executable, str(ROOT / "focus.py"), *args], capture_output=True, text=True,
                          env={**clean, **env, "NO_COLOR": "1"}, timeout=t(20), cwd=ROOT / "tests")


def test_unknown_event_groups_are_a_settings_error_naming_the_valid_ones() -> None:
    for result in (run_focus(["--events", "chat,folows"]), run_focus([], FOCUS_EVENTS="subs, bogus")):
        assert result.returncode == 2, result.stderr
        assert "unknown event group" in result.stderr
        assert "chat, moderation, follows, subs, cheers, raids, points, hypetrain, polls, predictions, " \
               "shoutouts, stream, ads" in result.stderr
        assert "Traceback" not in result.stderr


def test_an_unknown_theme_is_a_settings_error() -> None:
    result = run_focus([], FOCUS_THEME="solarized")
    assert result.returncode == 2 and "FOCUS_THEME" in result.stderr and "dark or light" in result.stderr


def test_help_lists_events_bell_and_theme() -> None:
    result = run_focus(["--help"])
    assert result.returncode == 0
    for word in ("--events", "--bell", "FOCUS_EVENTS", "FOCUS_THEME"):
        assert word in result.stdout
