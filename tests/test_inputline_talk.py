"""The input line's talk with Twitch in a real pseudo-terminal: chat sent once and shown once, /clear, AutoMod.

See tests/test_inputline.py for the set-up (focus.py in a pty, its screen read with pyte).
"""

from __future__ import annotations

import threading

from conftest import N_SUBS, t
from focuslib.sim import payloads
from test_inputline import CTRL_C, ENTER, OTTER, TAB, UP, open_pty, prompt_row  # noqa: F401 -- the fixture


def test_text_typed_during_a_burst_stays_on_the_input_line_and_is_shown_once(open_pty, sim) -> None:
    focus = open_pty()
    focus.send("hello from the ")
    focus.wait_for(lambda: prompt_row(focus) == "› hello from the", what="the first half on the input line")
    session = sim.live_sessions()[0]
    frames, _ = sim.burst_frames(600, session)
    burst = threading.Thread(target=sim.send_frames, args=(frames, session))
    burst.start()
    for k, key in enumerate("streamer"):  # typed key by key while the burst is being drawn above
        n = 70 * k
        focus.wait_for(lambda: any(row.endswith(f"Kappa #{n}") for row in focus.scrollback()), 30, f"#{n}")
        focus.send(key)
    burst.join(t(30))
    focus.wait_text("burst message Kappa #599", 30)

    def settled() -> bool:  # the last line drawn, the input line redrawn under it, the status under that
        rows = [row for row in focus.rows() if row]
        return rows[-3:] == ["★12 Viewer_99: hello chat, this is a burst message Kappa #599",
                             "› hello from the streamer", f"-- subscribed {N_SUBS}/{N_SUBS}"]

    focus.wait_for(settled, what="the input line intact under the burst")
    # Nothing typed leaked into the chat above (a terminal echoing keys while lines were drawn would).
    chat = [row for row in focus.scrollback() if not row.startswith(("›", "-- "))]
    assert chat and not [row for row in chat if "streamer" in row or "hello from" in row]
    assert all("burst message" in row for row in chat if "Viewer_" in row or "★12" in row)
    focus.send(ENTER)
    focus.wait_for(lambda: any(": hello from the streamer" in row for row in focus.rows()), what="the echo")
    sim.notify("channel.chat.message", payloads.chat_message(OTTER, "end of test"))
    focus.wait_text("Pixel_Otter: end of test")
    assert [row for row in focus.rows() if "hello from the streamer" in row] == ["◉ DeskFox: hello from the streamer"]
    assert len(sim.requests_to("POST", "/helix/chat/messages")) == 1
    focus.wait_for(lambda: prompt_row(focus) == "›", what="an empty input line")


def test_clear_asks_first(open_pty, sim) -> None:
    focus = open_pty()
    focus.send("/clear" + ENTER)
    focus.wait_text("delete every message in the chat, for everyone? (y/N)")
    focus.send("n")
    focus.wait_text("· /clear cancelled: nothing was deleted")
    assert sim.requests_to("DELETE", "/helix/moderation/chat") == []
    focus.send("/clear" + ENTER)
    focus.wait_text("for everyone? (y/N)")
    focus.send("y")
    focus.wait_text("· cleared the chat")
    [request] = sim.requests_to("DELETE", "/helix/moderation/chat")
    assert "message_id" not in request.query


def test_automod_hold_allow_and_deny_end_to_end(open_pty, sim) -> None:
    from focuslib.sim import payloads_moderation

    focus = open_pty()
    sim.notify("automod.message.hold", payloads_moderation.automod_hold(OTTER, "you absolute walnut", "held-a"))
    focus.wait_text("held by AutoMod: Pixel_Otter (#1): /allow 1 or /deny 1")
    assert "walnut" not in focus.text()
    focus.send("/allow 1" + ENTER)
    focus.wait_text("Pixel_Otter: you absolute walnut")  # allowed: it arrives as ordinary chat
    focus.wait_text("AutoMod #1 (Pixel_Otter): allowed by DeskFox")
    [request] = sim.requests_to("POST", "/helix/moderation/automod/message")
    assert request.json() == {"user_id": "70000001", "msg_id": "held-a", "action": "ALLOW"}

    sim.notify("automod.message.hold", payloads_moderation.automod_hold(OTTER, "a second walnut", "held-b"))
    focus.wait_text("held by AutoMod: Pixel_Otter (#2): /allow 2 or /deny 2")
    focus.send("/deny 2" + ENTER)
    focus.wait_text("AutoMod #2 (Pixel_Otter): denied by DeskFox")
    focus.send("/allow 2" + ENTER)  # already handled: focus says what became of it, and asks Twitch nothing
    focus.wait_text("! #2 (Pixel_Otter) is no longer held: it was denied")
    focus.send("/allow 9" + ENTER)
    focus.wait_text("! no message #9 is held by AutoMod")
    assert len(sim.requests_to("POST", "/helix/moderation/automod/message")) == 2
    sim.notify("channel.chat.message", payloads.chat_message(OTTER, "end of test"))
    focus.wait_text("Pixel_Otter: end of test")
    assert "second walnut" not in focus.text()


def test_ctrl_c_during_a_burst_clears_the_line_and_never_stops_focus(open_pty, sim) -> None:
    # While lines are drawn above the input line the terminal stays raw: a Ctrl-C is a key for the
    # input line, never a SIGINT from the terminal (which would stop focus mid-raid).
    focus = open_pty()
    session = sim.live_sessions()[0]
    frames, _ = sim.burst_frames(800, session)
    burst = threading.Thread(target=sim.send_frames, args=(frames, session))
    burst.start()
    for k in range(10):
        n = 70 * k
        focus.wait_for(lambda: any(row.endswith(f"Kappa #{n}") for row in focus.scrollback()), 30, f"#{n}")
        focus.send(f"draft {k}")
        focus.wait_for(lambda: prompt_row(focus) == f"› draft {k}", what=f"draft {k} on the input line")
        focus.send(CTRL_C)
        focus.wait_for(lambda: prompt_row(focus) == "›", what="the cleared input line")
    burst.join(t(30))
    focus.wait_text("burst message Kappa #799", 30)
    focus.wait_for(lambda: prompt_row(focus) == "›", what="an empty input line")
    assert focus.proc.poll() is None
    focus.send(UP)
    focus.wait_for(lambda: prompt_row(focus) == "› draft 9", what="the last cleared draft in the history")


def test_every_command_works_from_the_input_line(open_pty, sim) -> None:
    """Each command typed into focus's input line, its one-line result read off the screen, its request
    seen by the simulated Twitch (the exact requests are in test_talk_back.py, through the same executor)."""
    from focuslib.sim import payloads_moderation
    from focuslib.twitch import commands

    focus = open_pty(rows=60)
    sim.notify("channel.chat.message", payloads.chat_message(OTTER, "a question?", message_id="q-1"))
    sim.notify("channel.chat.message", payloads.chat_message(("81230006", "loud_kettle", "Loud_Kettle"), "CAPS",
                                                             message_id="k-1"))
    focus.wait_text("Loud_Kettle: CAPS")
    sim.notify("automod.message.hold", payloads_moderation.automod_hold(OTTER, "held text", "held-1"))
    sim.notify("automod.message.hold", payloads_moderation.automod_hold(OTTER, "more held text", "held-2"))
    focus.wait_text("(#2): /allow 2 or /deny 2")
    steps = [  # (typed, the line it answers with, the request it makes)
        ("/reply pixel_otter yes", "· replied to Pixel_Otter", ("POST", "/chat/messages")),
        ("/delete loud_kettle", "· deleted Loud_Kettle's message", ("DELETE", "/moderation/chat")),
        ("/timeout loud_kettle 10m caps", "· timed out Loud_Kettle for 10m", ("POST", "/moderation/bans")),
        ("/untimeout loud_kettle", "· ended Loud_Kettle's timeout", ("DELETE", "/moderation/bans")),
        ("/ban loud_kettle spam", "· banned Loud_Kettle", ("POST", "/moderation/bans")),
        ("/unban loud_kettle", "· unbanned Loud_Kettle", ("DELETE", "/moderation/bans")),
        ("/announce green giveaway", "· announced (green)", ("POST", "/chat/announcements")),
        ("/shoutout rustyraccoon", "· shouted out RustyRaccoon", ("POST", "/chat/shoutouts")),
        ("/warn loud_kettle be kind", "· warned Loud_Kettle", ("POST", "/moderation/warnings")),
        ("/slow 30", "· slow mode on: 30 s between messages", ("PATCH", "/chat/settings")),
        ("/followers 10m", "· followers-only chat on (following for 10m)", ("PATCH", "/chat/settings")),
        ("/subs on", "· subscribers-only chat on", ("PATCH", "/chat/settings")),
        ("/emoteonly off", "· emote-only chat off", ("PATCH", "/chat/settings")),
        ("/raid rustyraccoon", "· raiding RustyRaccoon (Twitch starts it in 90 s)", ("POST", "/raids")),
        ("/unraid", "· raid canceled", ("DELETE", "/raids")),
        ("/allow 1", "· allowed #1 (Pixel_Otter)", ("POST", "/moderation/automod/message")),
        ("/deny 2", "· denied #2 (Pixel_Otter)", ("POST", "/moderation/automod/message")),
        ("/vip byte_heron", "· made byte_heron a VIP", ("POST", "/channels/vips")),
        ("/unvip byte_heron", "· took byte_heron's VIP status away", ("DELETE", "/channels/vips")),
        ("/mod byte_heron", "· made byte_heron a moderator", ("POST", "/moderation/moderators")),
        ("/unmod byte_heron", "· took byte_heron's moderator status away", ("DELETE", "/moderation/moderators")),
        ("/mods", "· moderators (1): Mossy_Lantern", ("GET", "/moderation/moderators")),
        ("/vips", "· VIPs (1): KaffeeKatze", ("GET", "/channels/vips")),
        ("/shield", "· Shield Mode on", ("PUT", "/moderation/shield_mode")),
        ("/marker found it", ": found it", ("POST", "/streams/markers")),
        ("/title fixing it", "· title: fixing it", ("PATCH", "/channels")),
        ("/game rust", "· category: Rust", ("PATCH", "/channels")),
        ("/commercial", "the next one is possible in 8m", ("POST", "/channels/commercial")),
        ("/whisper pixel_otter psst", "· whispered to Pixel_Otter", ("POST", "/whispers")),
        ('/poll "Tabs or spaces?" Tabs | Spaces', "· poll started: Tabs or spaces? (Tabs / Spaces, 2m)",
         ("POST", "/polls")),
        ("/endpoll", "· poll ended: Tabs or spaces?", ("PATCH", "/polls")),
        ('/prediction "Will it compile?" yes | no', "· prediction started: Will it compile? (yes / no, 2m to predict)",
         ("POST", "/predictions")),
        ("/endprediction yes", "· prediction resolved: Will it compile? — yes wins", ("PATCH", "/predictions")),
    ]
    typed = {line.split()[0][1:] for line, _, _ in steps}
    # No request of their own to count: /me is refused before any (test_channel_commands.py), /user's card reads
    # several (ibid.).  The highlights and filters make none: focus answers them (tests/test_filters_flow.py).
    # /find searches the chat pane of screen mode (test_screen_mode.py), never Twitch.
    not_in_steps = {"clear", "help", "quit", "history", "release", "questions", "done", "links", "me", "user",
                    "highlight", "unhighlight", "hide", "unhide", "find"}
    assert typed | not_in_steps == set(commands.names())
    for line, said, (method, path) in steps:
        before = len(sim.requests_to(method, "/helix" + path))
        focus.send(line + ENTER)
        focus.wait_for(lambda: any(row.endswith(said) for row in focus.scrollback()), what=said)
        assert len(sim.requests_to(method, "/helix" + path)) == before + 1, line


def test_delete_goes_back_through_the_chat_and_skips_what_is_gone_or_cannot_be_deleted(open_pty, sim) -> None:
    """/delete after /delete takes the message before (not the one just deleted, which Twitch answers 404);
    the streamer's own line is never the target (Twitch refuses it); a banned chatter's messages are gone."""
    focus = open_pty()
    kettle = ("81230006", "loud_kettle", "Loud_Kettle")
    sim.notify("channel.chat.message", payloads.chat_message(OTTER, "buy followers at spam dot example",
                                                             message_id="spam-1"))
    sim.notify("channel.chat.message", payloads.chat_message(kettle, "CHEAP VIEWERS HERE", message_id="spam-2"))
    sim.notify("channel.chat.message", payloads.chat_message(payloads.BROADCASTER, "oh no, not again",
                                                             message_id="own-1"))
    focus.wait_text("DeskFox: oh no, not again")
    focus.send("/delete" + ENTER)
    focus.wait_text("· deleted Loud_Kettle's message")
    _in_order(focus, sim, "after the delete")  # Twitch's channel.chat.message_delete is in
    focus.send("/delete" + ENTER)
    focus.wait_text("· deleted Pixel_Otter's message")
    assert [r.query["message_id"] for r in sim.requests_to("DELETE", "/helix/moderation/chat")] == [
        ["spam-2"], ["spam-1"]]
    sim.notify("channel.chat.message", payloads.chat_message(kettle, "still here", message_id="spam-3"))
    focus.wait_text("Loud_Kettle: still here")
    focus.send("/ban loud_kettle" + ENTER)
    focus.wait_text("· banned Loud_Kettle")
    _in_order(focus, sim, "after the ban")  # and its channel.chat.clear_user_messages
    focus.send("/delete loud_kettle" + ENTER)
    focus.wait_text("! no recent message of loud_kettle to delete")
    assert len(sim.requests_to("DELETE", "/helix/moderation/chat")) == 2
    sim.notify("channel.chat.clear", payloads.broadcaster())
    _in_order(focus, sim, "after the clear")
    focus.send("/delete" + ENTER)
    focus.wait_text("! no message to delete yet")
    focus.send("/unban loud_k" + TAB)  # what is gone is no /delete target, but its chatter is still completed
    focus.wait_for(lambda: prompt_row(focus) == "› /unban loud_kettle", what="the banned chatter completed")


def _in_order(focus, sim, text: str) -> None:
    """EventSub events arrive in order: once this line is on screen, every event before it was handled.
    The streamer's own line: never a /delete target, so it leaves what /delete finds as it was."""
    sim.notify("channel.chat.message", payloads.chat_message(payloads.BROADCASTER, text))
    focus.wait_text(f"DeskFox: {text}")


def test_a_wait_for_twitchs_rate_limit_shows_in_the_status_and_leaves_it_when_done(open_pty, sim) -> None:
    """The status line says why a command waits (an empty rate-limit bucket), then shows the session's status
    again: a note saying "retrying in 1 s" must not stay under the input line for the rest of the stream."""
    focus = open_pty()
    status = f"-- subscribed {N_SUBS}/{N_SUBS}"
    focus.wait_for(lambda: status in focus.rows(), what="the session's status")
    sim.rate_limited = 1
    # The note stays 5-6 s: time for a redraw, and for this test's reader to see it before it is erased (a reader
    # starved by a loaded machine reads the drawing and the erasing in one chunk: 3 s was too short once).
    sim.rate_limit_reset = 6.0
    focus.send("/warn loud_kettle calm down" + ENTER)
    # On the screen, not in the bytes: prompt_toolkit redraws only the cells that change, so the note's bytes
    # are cut by cursor moves where it shares a letter with what the status line said before.
    focus.wait_text("Twitch rate limit reached; retrying in ")
    focus.wait_text("· warned Loud_Kettle")
    # The command's call was refused once and retried after the reset.  The header's Get Streams poll may fall
    # into the same empty bucket (it did once, on a loaded machine): it waits as well, and is not this test's.
    command = [call for call in sim.rate_limited_calls if call != "GET /helix/streams"]
    assert len(command) == 1, sim.rate_limited_calls
    focus.wait_for(lambda: status in focus.rows(), what="the session's status back under the input line")
