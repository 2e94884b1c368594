"""The command grammar (pure): every command, its bad inputs, and the one help table."""

from __future__ import annotations

import pytest

from focuslib.twitch import commands as C


@pytest.mark.parametrize("line, record", [
    ("hello chat", C.Say("hello chat")),
    ("  hello  ", C.Say("hello")),
    ("//slash at the start", C.Say("/slash at the start")),
    ("/reply @Pixel_Otter thanks!", C.Reply("pixel_otter", "thanks!")),
    ("/ban spam_bot", C.Ban("spam_bot")),
    ("/ban @Spam_Bot spam links here", C.Ban("spam_bot", "spam links here")),
    ("/timeout loud_kettle 10m caps spam", C.Timeout("loud_kettle", 600, "caps spam")),
    ("/timeout loud_kettle 30s", C.Timeout("loud_kettle", 30)),
    ("/timeout loud_kettle 1h", C.Timeout("loud_kettle", 3600)),
    ("/timeout loud_kettle 2d", C.Timeout("loud_kettle", 172800)),
    ("/timeout loud_kettle 90", C.Timeout("loud_kettle", 90)),
    ("/timeout loud_kettle 1", C.Timeout("loud_kettle", 1)),
    ("/timeout loud_kettle 14d", C.Timeout("loud_kettle", 1209600)),
    ("/untimeout loud_kettle", C.Untimeout("loud_kettle")),
    ("/unban @loud_kettle", C.Unban("loud_kettle")),
    ("/delete", C.Delete(None)),
    ("/delete loud_kettle", C.Delete("loud_kettle")),
    ("/clear", C.Clear()),
    ("/announce giveaway soon", C.Announce("giveaway soon")),
    ("/announce purple giveaway soon", C.Announce("giveaway soon", "purple")),
    ("/announce BLUE hi", C.Announce("hi", "blue")),
    ("/shoutout rusty_raccoon", C.Shoutout("rusty_raccoon")),
    ("/warn loud_kettle stop the caps", C.Warn("loud_kettle", "stop the caps")),
    ("/slow 30", C.Slow(30)),
    ("/slow 2m", C.Slow(120)),
    ("/slow off", C.Slow(None)),
    ("/followers", C.Followers(0)),
    ("/followers 10", C.Followers(10)),
    ("/followers 1h", C.Followers(60)),
    ("/followers 1w", C.Followers(10080)),
    ("/followers off", C.Followers(None)),
    ("/subs on", C.SubsOnly(True)),
    ("/subs off", C.SubsOnly(False)),
    ("/emoteonly on", C.EmoteOnly(True)),
    ("/emoteonly OFF", C.EmoteOnly(False)),
    ("/raid rusty_raccoon", C.Raid("rusty_raccoon")),
    ("/allow 3", C.Allow(3)),
    ("/allow #3", C.Allow(3)),
    ("/deny 12", C.Deny(12)),
    ("/help", C.Help()),
    ("/HELP", C.Help()),
    ("/quit", C.Quit()),
])
def test_parses(line: str, record: C.Command) -> None:
    assert C.parse(line) == record


@pytest.mark.parametrize("line, error", [
    ("/reply pixel_otter", "usage: /reply USER TEXT"),
    ("/ban", "usage: /ban USER [REASON]"),
    ("/ban not-a-login", "not a Twitch login: 'not-a-login'"),
    ("/ban " + "a" * 26, "not a Twitch login"),
    ("/timeout loud_kettle", "usage: /timeout USER DURATION [REASON]"),
    ("/timeout loud_kettle 0", "a timeout lasts 1 s to 14 days, not 0 s"),
    ("/timeout loud_kettle 15d", "a timeout lasts 1 s to 14 days, not 1296000 s"),
    ("/timeout loud_kettle soon", "not a duration: 'soon' (try 30s, 10m, 1h or 2d)"),
    ("/untimeout", "usage: /untimeout USER"),
    ("/unban a b", "usage: /unban USER"),
    ("/delete a b", "usage: /delete [USER]"),
    ("/clear now", "usage: /clear"),
    ("/announce", "usage: /announce [blue|green|orange|purple] TEXT"),
    ("/announce purple", "usage: /announce [blue|green|orange|purple] TEXT"),
    ("/shoutout", "usage: /shoutout USER"),
    ("/warn loud_kettle", "usage: /warn USER REASON"),
    ("/slow", "usage: /slow SECONDS|off"),
    ("/slow 1", "slow mode waits 3 to 120 s between messages, not 1 s"),
    ("/slow 121", "slow mode waits 3 to 120 s between messages, not 121 s"),
    ("/followers 30s", "followers-only takes whole minutes"),
    ("/followers 91d", "followers-only takes whole minutes"),
    ("/subs", "usage: /subs on|off"),
    ("/subs maybe", "say on or off, not 'maybe'"),
    ("/emoteonly", "usage: /emoteonly on|off"),
    ("/raid", "usage: /raid CHANNEL"),
    ("/allow", "usage: /allow N"),
    ("/allow 0", "not a held message number: '0'"),
    ("/deny x", "not a held message number: 'x'"),
    ("/quit now", "usage: /quit"),
    ("/frobnicate", "unknown command /frobnicate; /help lists the commands"),
    ("   ", "the message is empty"),
])
def test_bad_input_is_one_line(line: str, error: str) -> None:
    with pytest.raises(C.CommandError) as info:
        C.parse(line)
    assert str(info.value).startswith(error)
    assert "\n" not in str(info.value)


def test_500_characters_is_the_limit_and_the_error_says_the_length() -> None:
    assert C.parse("x" * 500) == C.Say("x" * 500)
    for line in ("x" * 501, "/reply bob " + "x" * 612, "/announce " + "y" * 501, "/warn bob " + "z" * 501,
                 "/ban bob " + "z" * 501, "/timeout bob 10m " + "z" * 501):
        with pytest.raises(C.CommandError) as info:
            C.parse(line)
        assert "characters long; Twitch takes at most 500" in str(info.value)
    with pytest.raises(C.CommandError, match="the message is 612 characters long"):
        C.parse("/reply bob " + "x" * 612)


def test_one_table_gives_help_names_and_lookup() -> None:
    lines = C.help_lines()
    assert len(lines) == len(C.COMMANDS) + 1
    for spec in C.COMMANDS:
        assert C.find(spec.name) is spec
        assert any(line.startswith(spec.usage) and spec.help in line for line in lines)
    assert C.names()[:3] == ["reply", "ban", "timeout"]
    assert {"allow", "deny", "help", "quit", "emoteonly", "followers"} <= set(C.names())


def test_records_are_frozen() -> None:
    with pytest.raises(AttributeError):
        C.Ban("x").user = "y"  # type: ignore[misc]


def test_help_and_the_readme_agree_with_the_one_table() -> None:
    from pathlib import Path

    from focuslib.cli.oneshot import COMMANDS as ONE_SHOTS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    for spec in C.COMMANDS:
        assert f"| `{spec.usage}` | {spec.help} |" in readme, spec.name
    for name in ONE_SHOTS:
        assert f"python focus.py {name}" in readme or f"| {name} " in readme, name
