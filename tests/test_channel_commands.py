"""The channel's commands: each one's exact request against the simulated Twitch, and its errors (a missing scope,
an unknown user, Twitch's refusal), end to end through the executor, a shell and make; /user's private card;
completion of the chatters, raiders, shoutout targets and held chatters."""

from __future__ import annotations

import pytest

from conftest import N_SUBS
from focuslib.runtime.inputline import TalkCompleter
from focuslib.runtime.recent import RecentChat
from focuslib.sim import payloads, payloads_channel, payloads_moderation
from focuslib.sim.state import ALL_SCOPES
from focuslib.sim.triggers import FRIEND, HERON, KATZE, KETTLE, OTTER
from focuslib.twitch import commands
from focuslib.twitch.events import parse_event
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document
from test_oneshot import focus as one_shot, make, seed_history, shell_env  # noqa: F401  (the fixture)
from test_talk_back import B_ID, body, helix, talk  # noqa: F401  (the fixture)

ME = {"broadcaster_id": [B_ID]}


@pytest.mark.parametrize("line, said, method, path, query, sent", [
    ("/vip loud_kettle", "made Loud_Kettle a VIP", "POST", "/channels/vips", {**ME, "user_id": [KETTLE[0]]}, None),
    ("/unvip kaffeekatze", "took KaffeeKatze's VIP status away", "DELETE", "/channels/vips",
     {**ME, "user_id": [KATZE[0]]}, None),
    ("/mod byte_heron", "made byte_heron a moderator", "POST", "/moderation/moderators",
     {**ME, "user_id": [HERON[0]]}, None),
    ("/unmod mossy_lantern", "took Mossy_Lantern's moderator status away", "DELETE", "/moderation/moderators",
     {**ME, "user_id": ["81230002"]}, None),
    ("/mods", "moderators (1): Mossy_Lantern", "GET", "/moderation/moderators", {**ME, "first": ["100"]}, None),
    ("/vips", "VIPs (1): KaffeeKatze", "GET", "/channels/vips", {**ME, "first": ["100"]}, None),
    ("/marker found the off-by-one", "marker at 0:00: found the off-by-one", "POST", "/streams/markers", {},
     {"user_id": B_ID, "description": "found the off-by-one"}),
    ("/marker", "marker at 0:00", "POST", "/streams/markers", {}, {"user_id": B_ID}),
    ("/title fixing the parser", "title: fixing the parser", "PATCH", "/channels", ME, {"title": "fixing the parser"}),
    ("/commercial 90", "ad break of 1m30s started; the next one is possible in 8m", "POST", "/channels/commercial",
     {}, {"broadcaster_id": B_ID, "length": 90}),
    ("/w pixel_otter thanks for the sub!", "whispered to Pixel_Otter", "POST", "/whispers",
     {"from_user_id": [B_ID], "to_user_id": [OTTER[0]]}, {"message": "thanks for the sub!"}),
    ('/poll "Tabs or spaces?" Tabs | Spaces 2m', "poll started: Tabs or spaces? (Tabs / Spaces, 2m)", "POST",
     "/polls", {}, {"broadcaster_id": B_ID, "title": "Tabs or spaces?", "choices": [{"title": "Tabs"},
                                                                                   {"title": "Spaces"}],
                    "duration": 120}),
    ('/prediction "Will it compile?" yes | no | maybe 45s',
     "prediction started: Will it compile? (yes / no / maybe, 45s to predict)", "POST", "/predictions", {},
     {"broadcaster_id": B_ID, "title": "Will it compile?", "outcomes": [{"title": "yes"}, {"title": "no"},
                                                                        {"title": "maybe"}],
      "prediction_window": 45}),
])
def test_each_command_sends_one_exact_request(sim, talk, line, said, method, path, query, sent) -> None:
    outcome = talk().run_line(line)
    assert (outcome.ok, outcome.text) == (True, said)
    [req] = helix(sim, method, path)
    assert req.query == query
    if sent is not None:
        assert body(req) == sent
    assert "thanks for the sub" not in said  # a whisper's text is never on the line


def test_game_takes_the_whole_name_or_the_only_match_and_lists_several(sim, talk) -> None:
    ex = talk()
    assert ex.run_line("/game RUST").text == "category: Rust"  # the whole name, any case
    assert body(helix(sim, "PATCH", "/channels")[-1]) == {"game_id": "263490"}
    assert ex.run_line("/game soft").text == "category: Software and Game Development"  # the only match
    several = ex.run_line("/game rus")
    assert (several.ok, several.text) == (False, "rus fits 2 categories: Rust, Rusty Lake Hotel; /game with the "
                                                 "whole name picks one")
    assert ex.run_line("/game knitting").text == "no category is called knitting"
    assert len(helix(sim, "PATCH", "/channels")) == 2  # nothing changed when nothing was picked
    search = helix(sim, "GET", "/search/categories")[0]
    assert search.query == {"query": ["RUST"], "first": ["20"]}


def test_unraid_cancels_the_pending_raid_once(sim, talk) -> None:
    ex = talk()
    assert ex.run_line("/raid rustyraccoon").ok
    assert ex.run_line("/unraid").text == "raid canceled"
    assert helix(sim, "DELETE", "/raids")[0].query == ME
    again = ex.run_line("/unraid")
    assert (again.ok, again.text) == (False, "could not cancel the raid: The broadcaster doesn't have a pending raid "
                                             "to cancel.")


def test_endpoll_and_endprediction_find_whats_running(sim, talk) -> None:
    ex = talk()
    assert ex.run_line("/endpoll").text == "no poll is running"
    ex.run_line('/poll "Tabs or spaces?" Tabs | Spaces')
    assert ex.run_line("/endpoll").text == "poll ended: Tabs or spaces?"
    poll_id = sim.helix.polls[0]["id"]
    assert body(helix(sim, "PATCH", "/polls")[0]) == {"broadcaster_id": B_ID, "id": poll_id, "status": "TERMINATED"}
    assert ex.run_line("/endprediction yes").text == "no prediction is open"
    ex.run_line('/prediction "Will it compile?" It compiles | Three more errors')
    unknown = ex.run_line("/endprediction maybe")
    assert unknown.text == "no outcome is called maybe: It compiles, Three more errors (or cancel)"
    assert ex.run_line("/endprediction 2").text == "prediction resolved: Will it compile? — Three more errors wins"
    second = sim.helix.predictions[0]["outcomes"][1]["id"]
    assert body(helix(sim, "PATCH", "/predictions")[0])["winning_outcome_id"] == second
    ex.run_line('/prediction "Again?" yes | no')
    assert ex.run_line("/endprediction cancel").text == "prediction canceled: Again? (the points go back)"
    assert body(helix(sim, "PATCH", "/predictions")[1])["status"] == "CANCELED"


def test_me_says_helix_cannot_and_sends_nothing(sim, talk) -> None:
    outcome = talk().run_line("/me waves")
    assert not outcome.ok and outcome.text.startswith("Twitch's API cannot send /me (an action message)")
    assert sim.requests_to("POST", "/helix/chat/messages") == []


@pytest.mark.parametrize("line, scope", [
    ("/vip loud_kettle", "channel:manage:vips"), ("/mods", "channel:manage:moderators"),
    ("/marker x", "channel:manage:broadcast"), ("/title x", "channel:manage:broadcast"),
    ("/commercial", "channel:edit:commercial"), ("/whisper loud_kettle hi", "user:manage:whispers"),
    ('/poll "q" a | b', "channel:manage:polls"), ('/prediction "q" a | b', "channel:manage:predictions"),
])
def test_a_missing_scope_is_named_with_make_auth(sim, talk, line, scope) -> None:
    read = {"channel:manage:moderators": "moderation:read", "channel:manage:vips": "channel:read:vips"}
    outcome = talk(scopes=[s for s in ALL_SCOPES if s not in (scope, read.get(scope))]).run_line(line)
    assert not outcome.ok and outcome.text.endswith(f"the token lacks the {scope} scope; run make auth to grant it")


def test_an_unknown_user_and_twitchs_refusal_are_one_line_each(sim, talk) -> None:
    ex = talk()
    assert ex.run_line("/vip nobody_here").text == "no Twitch user is called nobody_here"
    refused = ex.run_line("/mod kaffeekatze")
    assert refused.text == ("could not make KaffeeKatze a moderator: The user in user_id is a VIP. To make them a "
                            "moderator, you must first remove them as a VIP.")
    assert refused.status == 422
    sim.notify("stream.offline", payloads.broadcaster())
    assert ex.run_line("/marker").text == "could not add a stream marker: The user in the user_id field is not " \
                                          "streaming live."


def test_the_user_card_reads_twitch_and_the_history(sim, talk, tmp_path) -> None:
    from focuslib.sim import payloads_chat
    from focuslib.store.schema import db_path

    seed_history(tmp_path, [("channel.chat.message", payloads.chat_message(KETTLE, "that borrow checker error")),
                            ("channel.ban", payloads_channel.ban(KETTLE, ("81230002", "mossy_lantern", "Mossy_Lantern"),
                                                                 "caps spam", 10)),
                            ("channel.chat.clear_user_messages", payloads_chat.clear_user_messages(KETTLE))])
    sim.helix.follow(KETTLE, 12)
    ex = talk()
    ex.history = db_path(tmp_path)
    card = ex.run_line("/u loud_kettle")
    lines = card.text.splitlines()
    assert lines[0] == "user card: Loud_Kettle (loud_kettle, id 81230006)"
    assert lines[1].startswith("account created 2020-01-01 (") and lines[1].endswith(" years ago)")
    assert lines[2].startswith("following since ") and lines[2].endswith("(12 days ago)")
    assert lines[3] == "not subscribed"
    assert lines[4].startswith("history: Loud_Kettle: 1 message, first seen ")
    assert "timeout by Mossy_Lantern: caps spam" in card.text
    said = next(k for k, line in enumerate(lines) if line.endswith("[cleared] that borrow checker error"))
    assert said < next(k for k, line in enumerate(lines) if "messages cleared" in line)  # private: the whole
    # text, and in time order: the message, then the moderation that removed it
    assert ex.run_line("/user pixel_otter").text.splitlines()[3] == "subscribed at T1"
    notes: list[tuple[str, list[str]]] = []
    ex.note = lambda title, lines: notes.append((title, lines)) or True
    assert ex.run_line("/user loud_kettle").text == "the card of Loud_Kettle is in the devlog (private)"
    assert notes[0][0] == "user card: Loud_Kettle (loud_kettle, id 81230006)" and notes[0][1] == lines[1:]
    ex.note = lambda title, lines: False
    off = ex.run_line("/user loud_kettle")
    assert not off.ok and "the devlog is off (--no-devlog)" in off.text


def test_the_user_card_in_focus_goes_to_the_devlog_never_the_stream(sim, start_focus) -> None:
    from test_history_flow import DevlogReader

    focus = start_focus(timestamps=False, devlog=True)
    sim.wait_subscribed(N_SUBS)
    devlog = DevlogReader(focus.settings.devlog_pipe)
    try:
        from focuslib.runtime.execute import Executor
        from focuslib.runtime.private import Private
        from focuslib.runtime.setup import _note_sink

        line_mode = Private(focus.app.devlog)  # no overlay: line mode's card goes to the devlog whatever the reader
        ex = Executor(focus.app.helix, B_ID, B_ID, note=_note_sink(focus.app.devlog, line_mode))
        assert ex.run_line("/user loud_kettle").text == "the card of Loud_Kettle is in the devlog (private)"
        devlog.out.wait_text("user card: Loud_Kettle")
        [note] = [r for r in devlog.records() if r["kind"] == "note"]
        assert note["lines"][0].startswith("account created")
        assert "account created" not in focus.out.text
        assert focus.stop() == 0
    finally:
        devlog.close()


def test_the_devlog_prints_a_note_as_readable_lines() -> None:
    import io

    from focuslib.cli.devlog import Printer
    from focuslib.devlog.pipe import record

    out = io.StringIO()
    printer = Printer(out, color=False, raw=False, no_keepalive=False, types=())
    printer.line(record("note", 0.0, title="user card: Bob (bob, id 1)", lines=["not following", "x\x1b[31my"]))
    printed = out.getvalue().splitlines()
    assert printed[0].endswith("note      user card: Bob (bob, id 1)")
    assert printed[1:] == ["  not following", "  xy"]  # sanitized, no JSON


def test_one_shots_and_make_targets_carry_out_the_channel_commands(sim, shell_env) -> None:
    assert one_shot(shell_env, "vip", "loud_kettle") == (0, ["made Loud_Kettle a VIP"], [])
    assert one_shot(shell_env, "vips") == (0, ["VIPs (2): KaffeeKatze, Loud_Kettle"], [])
    assert one_shot(shell_env, "poll", "Tabs or spaces?", "Tabs", "Spaces", "--duration", "1m") == (
        0, ["poll started: Tabs or spaces? (Tabs / Spaces, 1m)"], [])
    assert one_shot(shell_env, "endprediction", "It compiles") == (1, [], ["focus: no prediction is open"])
    code, out, _ = one_shot(shell_env, "user", "loud_kettle")
    assert code == 0 and out[0] == "user card: Loud_Kettle (loud_kettle, id 81230006)"
    assert one_shot(shell_env, "whisper", "nobody_here", "hi") == (1, [], ["focus: no Twitch user is called "
                                                                          "nobody_here"])
    done = make(shell_env, "poll", "QUESTION=Will it ship?", "CHOICES=yes | no", "DURATION=30s")
    assert done.returncode != 0 and "already has a poll" in done.stderr  # the one from above still runs
    done = make(shell_env, "endpoll")
    assert (done.returncode, done.stdout) == (0, "poll ended: Tabs or spaces?\n")
    done = make(shell_env, "poll", "QUESTION=Will it ship?", "CHOICES=yes | no", "DURATION=30s")
    assert (done.returncode, done.stdout) == (0, "poll started: Will it ship? (yes / no, 30s)\n")
    done = make(shell_env, "title", "MSG=it's $(dangerous) `code`")  # sent as typed
    assert (done.returncode, done.stdout) == (0, "title: it's $(dangerous) `code`\n")
    done = make(shell_env, "game")
    assert done.returncode != 0 and "give GAME=" in done.stderr


def test_completion_offers_chatters_raiders_shoutout_targets_and_held_chatters_first() -> None:
    recent = RecentChat()
    recent.saw(parse_event("channel.chat.message", "1", payloads.chat_message(OTTER, "hi")))
    recent.saw(parse_event("channel.raid", "1", payloads_channel.raid(FRIEND, 40)))
    recent.saw(parse_event("channel.shoutout.create", "1", payloads_moderation.shoutout_create(
        ("70000078", "quietquokka", "QuietQuokka"), 5)))
    assert recent.names() == ["pixel_otter", "quietquokka", "rustyraccoon"]
    completer = TalkCompleter(recent.names, lambda: ("bob_the_bot",))

    def offered(text: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]

    assert offered("/shoutout r") == ["rustyraccoon"]
    assert offered("/w p") == ["pixel_otter"]  # a short name completes like its command
    assert offered("/release ") == ["bob_the_bot", "pixel_otter", "quietquokka", "rustyraccoon"]
    assert offered("/ban ") == ["pixel_otter", "quietquokka", "rustyraccoon"]
    assert "/endprediction" in offered("/endp")


def test_doctor_names_the_commands_a_missing_scope_keeps_from_working(sim, env) -> None:
    from test_doctor import doctor

    grant = sim.issue_token(scopes=[s for s in ALL_SCOPES if s not in ("channel:manage:polls", "user:manage:whispers")])
    code, lines = doctor({**env, "TWITCH_USER_ACCESS_TOKEN": grant.access_token})
    assert "also not granted: user:manage:whispers (/whisper); channel:manage:polls (/poll, /endpoll)" in \
        lines["scopes"]


def test_the_new_commands_parse_and_refuse_as_twitch_would() -> None:
    assert commands.parse('/poll "Q" a | b | c 90s') == commands.NewPoll("Q", ("a", "b", "c"), 90)
    for line, why in [('/poll "Q" a', "2 to 5 choices"), ('/poll "' + "q" * 61 + '" a | b', "at most 60"),
                      ("/commercial 10", "30 to 180 s"), ("/marker " + "x" * 141, "at most 140"),
                      ('/prediction "Q" a | b 20s', "30 s to 30 min"), ("/vip", "usage: /vip USER")]:
        with pytest.raises(commands.CommandError, match=why):
            commands.parse(line)
