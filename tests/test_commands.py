"""The command grammar (pure): every command, its bad inputs, and the one help table."""

from __future__ import annotations

import pytest

from focuslib.twitch import commands


@pytest.mark.parametrize("line, record", [
    ("hello chat", commands.Say("hello chat")),
    ("  hello  ", commands.Say("hello")),
    ("//slash at the start", commands.Say("/slash at the start")),
    ("/reply @Pixel_Otter thanks!", commands.Reply("pixel_otter", "thanks!")),
    ("/ban spam_bot", commands.Ban("spam_bot")),
    ("/ban @Spam_Bot spam links here", commands.Ban("spam_bot", "spam links here")),
    ("/timeout loud_kettle 10m caps spam", commands.Timeout("loud_kettle", 600, "caps spam")),
    ("/timeout loud_kettle 30s", commands.Timeout("loud_kettle", 30)),
    ("/timeout loud_kettle 1h", commands.Timeout("loud_kettle", 3600)),
    ("/timeout loud_kettle 2d", commands.Timeout("loud_kettle", 172800)),
    ("/timeout loud_kettle 90", commands.Timeout("loud_kettle", 90)),
    ("/timeout loud_kettle 1", commands.Timeout("loud_kettle", 1)),
    ("/timeout loud_kettle 14d", commands.Timeout("loud_kettle", 1209600)),
    ("/untimeout loud_kettle", commands.Untimeout("loud_kettle")),
    ("/unban @loud_kettle", commands.Unban("loud_kettle")),
    ("/delete", commands.Delete(None)),
    ("/delete loud_kettle", commands.Delete("loud_kettle")),
    ("/clear", commands.Clear()),
    ("/announce giveaway soon", commands.Announce("giveaway soon")),
    ("/announce purple giveaway soon", commands.Announce("giveaway soon", "purple")),
    ("/announce BLUE hi", commands.Announce("hi", "blue")),
    ("/shoutout rusty_raccoon", commands.Shoutout("rusty_raccoon")),
    ("/warn loud_kettle stop the caps", commands.Warn("loud_kettle", "stop the caps")),
    ("/slow 30", commands.Slow(30)),
    ("/slow 2m", commands.Slow(120)),
    ("/slow off", commands.Slow(None)),
    ("/followers", commands.Followers(0)),
    ("/followers 10", commands.Followers(10)),
    ("/followers 1h", commands.Followers(60)),
    ("/followers 1w", commands.Followers(10080)),
    ("/followers off", commands.Followers(None)),
    ("/subs on", commands.SubsOnly(True)),
    ("/subs off", commands.SubsOnly(False)),
    ("/emoteonly on", commands.EmoteOnly(True)),
    ("/emoteonly OFF", commands.EmoteOnly(False)),
    ("/raid rusty_raccoon", commands.Raid("rusty_raccoon")),
    ("/allow 3", commands.Allow(3)),
    ("/allow #3", commands.Allow(3)),
    ("/deny 12", commands.Deny(12)),
    ("/help", commands.Help()),
    ("/HELP", commands.Help()),
    ("/quit", commands.Quit()),
])
def test_parses(line: str, record: commands.Command) -> None:
    assert commands.parse(line) == record


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
    # Digits to str.isdigit() that int() refuses, and numbers int() or a float cannot take: a usage line each,
    # never a ValueError (the input line said "focus could not handle that line") or an OverflowError later.
    ("/allow ²", "not a held message number: '²'"),
    ("/done ²", "usage: /done N"),
    ("/history bob ²", "usage: /history USER [N]"),
    ("/history bob " + "9" * 5000, "usage: /history USER [N]"),
    ("/timeout loud_kettle " + "9" * 5000, "not a duration"),
    ("/links " + "9" * 400 + "w", "not a duration"),
    ("/quit now", "usage: /quit"),
    ("/frobnicate", "unknown command /frobnicate; /help lists the commands"),
    ("   ", "the message is empty"),
])
def test_bad_input_is_one_line(line: str, error: str) -> None:
    with pytest.raises(commands.CommandError) as info:
        commands.parse(line)
    assert str(info.value).startswith(error)
    assert "\n" not in str(info.value)


def test_500_characters_is_the_limit_and_the_error_says_the_length() -> None:
    assert commands.parse("x" * 500) == commands.Say("x" * 500)
    for line in ("x" * 501, "/reply bob " + "x" * 612, "/announce " + "y" * 501, "/warn bob " + "z" * 501,
                 "/ban bob " + "z" * 501, "/timeout bob 10m " + "z" * 501):
        with pytest.raises(commands.CommandError) as info:
            commands.parse(line)
        assert "characters long; Twitch takes at most 500" in str(info.value)
    with pytest.raises(commands.CommandError, match="the message is 612 characters long"):
        commands.parse("/reply bob " + "x" * 612)


def test_one_table_gives_help_names_and_lookup() -> None:
    lines = commands.help_lines()
    assert len(lines) == len(commands.COMMANDS) + 1
    for spec in commands.COMMANDS:
        assert commands.find(spec.name) is spec
        assert any(line.startswith(spec.usage) and spec.help in line for line in lines)
    assert commands.names()[:3] == ["reply", "ban", "timeout"]
    assert {"allow", "deny", "help", "quit", "emoteonly", "followers"} <= set(commands.names())


def test_records_are_frozen() -> None:
    with pytest.raises(AttributeError):
        commands.Ban("x").user = "y"  # type: ignore[misc]


def test_help_and_the_commands_page_agree_with_the_one_table() -> None:
    from pathlib import Path

    from focuslib.cli.oneshot import COMMANDS as ONE_SHOTS

    page = (Path(__file__).resolve().parent.parent / "docs" / "commands.md").read_text()
    for spec in commands.COMMANDS:
        assert f"| `{spec.usage}` | {spec.help} |" in page, spec.name
    for name in ONE_SHOTS:
        assert f"python focus.py {name}" in page or f"| {name} " in page, name
