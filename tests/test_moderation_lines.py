"""What focus says about moderation is what happened (issue 22, item 20): an untimeout ends a timeout (Twitch
sends `channel.unban` for it), the same chat modes again are no news, and a bare /delete takes only this
channel's messages (never a shared chat guest's, sent in another channel)."""

from __future__ import annotations

import subprocess
import sys

from conftest import N_SUBS, ROOT, t
from focuslib.sim import payloads
from secret_guard import seen
from test_inputline import ENTER, open_pty  # noqa: F401  (a fixture)
from test_oneshot import shell_env  # noqa: F401  (a fixture)

OTTER = ("81230001", "pixel_otter", "Pixel_Otter")
GUEST = ("81239999", "far_guest", "FarGuest")
OTHER_CHANNEL = ("71110000", "rusty_raccoon", "RustyRaccoon")


def one_shot(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "focus.py"), *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=t(30))
    seen("one-shot", done.stdout + done.stderr)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_untimeout_says_the_timeout_ended_and_an_unban_still_says_unbanned(sim, shell_env, start_focus) -> None:
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(N_SUBS)
    one_shot(shell_env, "timeout", "loud_kettle", "10m")
    focus.out.wait_text("Loud_Kettle was timed out for 10 min by DeskFox")
    one_shot(shell_env, "untimeout", "loud_kettle")
    focus.out.wait_text("✓ Loud_Kettle's timeout was ended by DeskFox")
    one_shot(shell_env, "ban", "loud_kettle")
    focus.out.wait_text("Loud_Kettle was banned by DeskFox")
    one_shot(shell_env, "unban", "loud_kettle")
    focus.out.wait_text("✓ Loud_Kettle was unbanned by DeskFox")
    assert focus.out.text.count("was unbanned") == 1
    assert focus.stop() == 0


def test_the_same_chat_modes_again_print_nothing(sim, shell_env, start_focus) -> None:
    focus = start_focus(timestamps=False)
    sim.wait_subscribed(N_SUBS)
    one_shot(shell_env, "emoteonly", "on")
    focus.out.wait_text("chat modes: emote-only")
    one_shot(shell_env, "emoteonly", "off")
    focus.out.wait_text("chat modes: all off")
    one_shot(shell_env, "emoteonly", "off")  # Twitch sends the settings again, unchanged
    one_shot(shell_env, "slow", "30")  # a change after it: shown, so the one before was handled by then
    focus.out.wait_text("chat modes: slow 30 s")
    assert focus.out.text.count("chat modes: all off") == 1
    assert focus.stop() == 0


def test_a_bare_delete_never_takes_a_shared_chat_guests_message(open_pty, sim) -> None:
    focus = open_pty()
    sim.notify("channel.chat.message", payloads.chat_message(OTTER, "spam from here", message_id="here-1"))
    sim.notify("channel.chat.message", payloads.chat_message(GUEST, "hello from the other channel",
                                                             message_id="there-1", source=OTHER_CHANNEL))
    focus.wait_text("FarGuest: hello from the other channel")
    focus.send("/delete" + ENTER)
    focus.wait_text("· deleted Pixel_Otter's message")
    assert [r.query["message_id"] for r in sim.requests_to("DELETE", "/helix/moderation/chat")] == [["here-1"]]
