"""A scripted channel with every event type, through the simulated Twitch, onto focus's screen.

Every line must arrive, in order, exactly once: the same line the renderer
draws for that payload on its own.  Where Twitch reports one fact through two
subscriptions (a sub as `channel.subscribe` and as a chat notice), focus shows
it from one source (see focuslib/view/present.py); the second run shows the other
sources with chat notifications out of the picture.
"""

from __future__ import annotations

import os
import subprocess
import sys

from focuslib.view.render import ColorMode, Renderer
from focuslib.sim import payloads
from focuslib.twitch.subscriptions import desired

from cases import CASES, event_of
from conftest import ESC, ROOT, t

# Shown from another source when everything is subscribed (focuslib/view/present.py).
COVERED = {"subscribe", "subscribe/gift", "subscription-gift", "subscription-gift/anonymous",
           "subscription-message", "raid", "cheer", "cheer/anonymous", "mod/clear-user-messages", "chat/reward",
           "bits-use/cheer", "bits-use/cheer-anonymous", "auto-reward/highlight"}
# Covered, but their twin in CASES is another moment (another tier, gifter or an anonymous cheer):
# each still gets its line, once the window for its twin has passed.
UNPAIRED = {"subscribe", "subscription-gift", "cheer/anonymous", "bits-use/cheer", "bits-use/cheer-anonymous"}
END = ("99", "stage_manager", "StageManager")
ALL = len(desired("1", "1"))  # every subscription focus makes with every scope
# The moderation moments of protocol notes §2.6 (group "moderation").
MODERATION_MOMENTS = [
    "automod.message.hold", "automod.message.update", "channel.chat.user_message_hold",
    "channel.chat.user_message_update", "channel.chat_settings.update", "channel.shield_mode.begin",
    "channel.shield_mode.end", "channel.suspicious_user.message", "channel.unban_request.create",
    "channel.unban_request.resolve", "channel.vip.add", "channel.vip.remove", "channel.warning.acknowledge",
    "channel.warning.send"]


def expected(names: list[str]) -> list[str]:
    renderer = Renderer(ColorMode.NONE, timestamps=False)
    lines = []
    for name in names:
        line = renderer.event(event_of(name))
        assert line is not None
        lines.append(line)
    return lines


def play(sim, focus, names: list[str]) -> list[str]:
    for name in names:
        sim.notify(*CASES[name]())
    sim.notify("channel.chat.message", payloads.chat_message(END, "that's all folks"))
    focus.out.wait_text("StageManager: that's all folks", timeout=15)
    return [line for line in focus.out.lines() if not line.startswith("-- ")][:-1]


def test_every_event_type_reaches_the_screen_in_order_exactly_once(sim, start_focus) -> None:
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(ALL)
    names = list(CASES)
    play(sim, focus, names)
    late = expected(sorted(UNPAIRED))  # shown when their twin's window ends (view/twins.py)
    for line in late:
        focus.out.wait_text(line)
    shown = [line for line in focus.out.lines() if not line.startswith("-- ")]
    assert [line for line in shown if line not in late][:-1] == expected([n for n in names if n not in COVERED])
    assert sorted(line for line in shown if line in late) == sorted(late)
    assert not ESC.search(focus.out.text)
    assert focus.stop() == 0


def test_without_chat_notices_the_channel_subscriptions_show_their_events(sim, env, start_focus) -> None:
    # A token without channel:moderate: ban/unban are skipped with one line
    # naming the scope, and clear_user_messages is the one that tells of a timeout.
    grant = sim.issue_token(scopes=[s for s in sim.issue_token().scopes if s != "channel:moderate"])
    focus = start_focus({"TWITCH_USER_ACCESS_TOKEN": grant.access_token, "TWITCH_REFRESH_TOKEN": grant.refresh_token},
                        timestamps=False, groups=frozenset({"follows", "subs", "cheers", "raids", "moderation"}))
    n = 11 + len(MODERATION_MOMENTS)
    session = sim.wait_subscribed(n)
    assert sorted(sub["type"] for sub in session.subscriptions.values()) == sorted([
        "channel.chat.clear", "channel.chat.clear_user_messages", "channel.chat.message_delete", "channel.cheer",
        "channel.bits.use", "channel.follow", "channel.raid", "channel.raid", "channel.subscribe",
        "channel.subscription.gift", "channel.subscription.message"] + MODERATION_MOMENTS)
    focus.out.wait_text(f"-- subscribed {n}/{n}")
    names = sorted(COVERED - {"chat/reward", "auto-reward/highlight"}) + [
        "mod/message-delete", "mod/clear", "follow/doc-example"]
    sim.notify(*CASES["chat/plain"]())  # not subscribed: never delivered
    sim.notify(*CASES["notice/sub"]())
    play_without_chat(sim, focus, names)
    # channel.cheer waits for its richer twin, channel.bits.use, which these cases do not send.
    late = expected(["cheer", "cheer/anonymous"])
    for line in late:
        focus.out.wait_text(line)
    shown = [line for line in focus.out.lines() if not line.startswith("-- ") and "StageManager" not in line]
    assert shown[0] == ("! moderation: channel.ban, channel.unban need the channel:moderate scope; "
                        "run make auth to grant it")
    assert [line for line in shown[1:] if line not in late] == expected(
        [name for name in names if name not in ("cheer", "cheer/anonymous")])
    assert focus.stop() == 0


def play_without_chat(sim, focus, names: list[str]) -> list[str]:
    for name in names:
        sim.notify(*CASES[name]())
    sim.notify("channel.follow", payloads.follow(END))
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
        assert "chat, moderation, follows, subs, cheers, raids, points, hypetrain, polls, predictions, goals, " \
               "shoutouts, stream, ads" in result.stderr
        assert "Traceback" not in result.stderr


def test_an_unknown_theme_is_a_settings_error() -> None:
    result = run_focus([], FOCUS_THEME="solarized")
    assert result.returncode == 2 and "FOCUS_THEME" in result.stderr and "dark or light" in result.stderr


def test_help_lists_events_bell_and_theme() -> None:
    result = run_focus(["--help"])
    assert result.returncode == 0
    for word in ("--events", "--bell", "FOCUS_EVENTS", "FOCUS_THEME", "predictions, goals,"):  # every group
        assert word in result.stdout


def test_the_bell_rings_for_alerts_only_on_a_terminal_and_only_with_bell(sim, start_focus) -> None:
    from conftest import Sink
    from focuslib.sim import payloads_chat

    runs = {(tty, bell): start_focus({"COLUMNS": "80"}, sink=Sink(tty=tty), bell=bell, timestamps=False)
            for tty in (True, False) for bell in (True, False)}
    sim.wait_for(lambda: len(sim.live_sessions()) == 4 and all(
        len(s.subscriptions) == ALL for s in sim.live_sessions()), t(10))
    sim.notify("channel.follow", payloads.follow(("5", "quiet", "Quiet")))  # no alert
    sim.notify("channel.chat.notification", payloads_chat.raid(("6", "loud", "Loud"), 99))  # alert
    for (tty, bell), focus in runs.items():
        focus.out.wait_text("is raiding with 99 viewers")
        text = focus.out.text
        assert text.count("\a") == (1 if tty and bell else 0), (tty, bell)
        if tty:  # a terminal with color: the banner is highlighted (reverse video)
            assert "\x1b[1;7;" in text and "RAID" in text
        else:
            assert "[RAID] » Loud is raiding with 99 viewers" in text and not ESC.search(text)
        assert focus.stop() == 0


def test_resizing_the_terminal_changes_the_wrap_width() -> None:
    import signal

    from focuslib.view.render import Renderer
    from focuslib.runtime.setup import _watch_resize
    from focuslib.view.terminal import Terminal

    renderer = Renderer(ColorMode.NONE, width=80)
    size = [os.terminal_size((80, 24))]  # what the terminal says now
    terminal = Terminal(open(os.devnull, "w"), fancy=True, size=lambda: size[0])
    old = _watch_resize(renderer, terminal, size=lambda: size[0])  # pytest runs tests on the main thread
    try:
        size[0] = os.terminal_size((33, 24))
        signal.raise_signal(signal.SIGWINCH)
        assert renderer.width == 33 and terminal.columns == 33
    finally:
        signal.signal(signal.SIGWINCH, old)
        terminal.out.close()


def test_flood_summaries_and_quiet_gift_bombs_come_at_their_deadline_without_other_traffic(
        sim, start_focus) -> None:
    # The App sleeps until the nearest deadline (session or presenter): with a
    # 1 s flood window the summary arrives long before the simulator's next
    # keepalive (10 s) would wake a loop that ignored the presenter.
    from focuslib.sim import payloads_chat

    focus = start_focus(timestamps=False, flood_limit=2, flood_window=1.0, gift_wait=1.0)
    sim.wait_subscribed(ALL)
    for k in range(5):
        sim.notify("channel.follow", payloads.follow((str(k), f"bot_{k}", f"Bot_{k}")))
    recipients = [("8", "r1", "R1"), ("9", "r2", "R2"), ("10", "r3", "R3")]
    bomb = payloads_chat.gift_bomb(("7", "gifter", "Gifter"), recipients)
    for event in bomb[:3]:  # one recipient never comes
        sim.notify("channel.chat.notification", event)
    focus.out.wait_text("→ R1, R2 (+1 not shown by Twitch)", timeout=5)
    focus.out.wait_text("3 follows in 1 s: Bot_2, Bot_3, Bot_4", timeout=5)
    shown = [line for line in focus.out.lines() if not line.startswith("-- ")]
    assert shown[:3] == ["♥ Bot_0 followed", "♥ Bot_1 followed",
                         "[GIFT] ✦ Gifter is gifting 3 T1 subs to the community (23 gifted in total)"]
    assert focus.stop() == 0
