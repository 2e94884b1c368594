"""Highlights and filters as pure rules (view/filters.py, view/patterns.py), in the renderer and the presenter."""

from __future__ import annotations

import io

import pytest

from focuslib.sim import payloads, payloads_channel, payloads_chat, payloads_community
from focuslib.twitch.events import parse_event
from focuslib.view.filters import Filters, Names, Words
from focuslib.view.patterns import BUDGET, TEXT_LIMIT, PatternError, compile_pattern, cost, split_items
from focuslib.view.present import Presenter
from focuslib.view.render import ColorMode, Renderer
from focuslib.view.terminal import Terminal

from cases import HERON, MOSS, OTTER

NIGHTBOT = ("19264788", "nightbot", "Nightbot")


def chat(who, text, **kw):
    return parse_event("channel.chat.message", "1", payloads.chat_message(who, text, **kw))


def rules(**env: str) -> Filters:
    """The rules as focus makes them: focuslib/settings.py reads and checks, runtime/filtering.py builds."""
    from focuslib.runtime.filtering import read_filters
    from focuslib.settings import read

    chosen = read({f"FOCUS_{k.upper()}": v for k, v in env.items()})
    return read_filters((chosen.highlight_users, chosen.highlight_words, chosen.hide_users, chosen.hide_words)) or Filters()


# -- the settings' items and patterns ---------------------------------------------------------

def test_items_are_comma_separated_and_a_pattern_keeps_its_commas() -> None:
    assert split_items(" Nightbot, @StreamElements ,,") == ["Nightbot", "@StreamElements"]
    assert split_items(r"buy, /a{1,3}b/, /x\/y,z/ , free followers") == ["buy", "/a{1,3}b/", r"/x\/y,z/",
                                                                         "free followers"]
    assert split_items("") == [] and split_items(" , ") == []


@pytest.mark.parametrize("pattern, why", [
    ("/(a+)+$/", "a repeat inside a repeat"),
    ("/(?:x*y)*/", "a repeat inside a repeat"),
    ("/(a|aa)*$/", "alternatives inside a repeat"),
    (r"/(\w+)\s\1/", "backreferences"),
    ("/.*x.*y/", "two unbounded repeats"),
    ("/a{0,400}b{0,400}/", "steps on one message"),
    ("/" + "a" * 201 + "/", "characters long; at most 200"),
    ("/[abc/", "is not a pattern Python's re takes"),
    ("//", "an empty pattern"),
])
def test_a_pattern_that_could_stall_chat_or_does_not_compile_is_refused_in_one_line(pattern: str, why: str) -> None:
    with pytest.raises(PatternError) as info:
        compile_pattern(pattern, "FOCUS_HIDE_WORDS")
    text = str(info.value)
    assert why in text and text.startswith("FOCUS_HIDE_WORDS: ") and "\n" not in text
    assert pattern[:20] in text  # it names the pattern


@pytest.mark.parametrize("pattern, text", [
    ("/buy .* followers/", "BUY cheap real followers now"),
    (r"/https?:\/\/\S+/", "see http://spam.example/x"),
    (r"/\d{2,4}-\d{2}/", "call 555-12"),
    ("/(?:cheap|free) (?:viewers|followers)/", "Free Viewers here"),
    (r"/(?<!\w)neo ?vim\b/", "I use NeoVim"),
])
def test_patterns_streamers_use_are_taken_and_their_work_is_bounded(pattern: str, text: str) -> None:
    compiled = compile_pattern(pattern, "FOCUS_HIGHLIGHT_WORDS")
    assert compiled.search(text)  # any case
    import re._parser as sre_parse

    assert TEXT_LIMIT * cost(sre_parse.parse(pattern[1:-1])) <= BUDGET


def test_a_bad_pattern_in_a_setting_names_that_setting() -> None:
    with pytest.raises(PatternError, match=r"^FOCUS_HIGHLIGHT_WORDS: focus refuses the pattern /\(a\|ab\)\*c/"):
        rules(highlight_words="rust, /(a|ab)*c/")


def test_words_match_whole_words_in_any_case_and_phrases_too() -> None:
    words = Words(["rust", "free followers", "!q"])
    assert words.matches("I write RUST!") and words.matches("Rust")
    assert not words.matches("trusty rusty") and not words.matches("rusting")
    assert words.matches("get FREE   followers".replace("   ", " ")) and not words.matches("free, followers")
    assert words.matches("!q what font?") and not words.matches("x!qx")
    assert not words.matches("")


def test_words_past_twitchs_500_characters_are_not_looked_at() -> None:
    words = Words(["spam"])
    assert words.matches("x " * 240 + "spam") and not words.matches("x" * TEXT_LIMIT + " spam")


def test_words_are_looked_for_in_the_text_as_the_screen_shows_it() -> None:
    """Escape sequences and control characters cannot split a word past the rule (the sanitizer runs first)."""
    assert Words(["spam"]).matches("sp\x1b[0mam") and Words(["spam"]).matches("sp\x07am")


def test_users_match_by_login_or_display_name_in_any_case() -> None:
    names = Names(["Nightbot", "@streamelements", "ちいさなコンパイラ"])
    from focuslib.twitch.events_base import User

    assert names.matches(User("1", "nightbot", "Nightbot")) and names.matches(User("2", "streamelements", ""))
    assert names.matches(User("3", "chiisana", "ちいさなコンパイラ"))
    assert not names.matches(User("4", "nightbot_fan", "Nightbot_Fan"))


# -- which events the rules look at ----------------------------------------------------------

def test_hidden_and_highlighted_look_at_chat_cheers_and_redemptions_only() -> None:
    f = rules(hide_users="byte_heron", highlight_words="coffee")
    assert f.hidden(chat(HERON, "hello")) and not f.hidden(chat(OTTER, "hello"))
    assert f.highlighted(chat(OTTER, "more Coffee please"))
    cheer = parse_event("channel.cheer", "1", payloads_channel.cheer(HERON, 100, "Cheer100 coffee"))
    bits = parse_event("channel.bits.use", "1", payloads_community.bits_use(HERON, 100, "cheer", "Cheer100 x"))
    redeemed = parse_event("channel.channel_points_custom_reward_redemption.add", "1",
                           payloads_channel.redemption(HERON, "Ask a question", 1000, "what font?"))
    assert f.hidden(cheer) and f.hidden(bits) and f.hidden(redeemed)
    assert f.highlighted(parse_event("channel.channel_points_custom_reward_redemption.add", "1",
                                     payloads_channel.redemption(OTTER, "Ask", 10, "coffee time")))
    # Alerts are never hidden nor marked, whoever they come from and whatever they say.
    follow = parse_event("channel.follow", "1", payloads.follow(HERON))
    resub = parse_event("channel.chat.notification", "1", payloads_chat.resub(HERON, 14, text="coffee forever"))
    assert not f.hidden(follow) and not f.hidden(resub) and not f.highlighted(resub)


def test_an_anonymous_cheer_is_its_chatter_anancheerer() -> None:
    f = rules(hide_users="AnAnonymousCheerer")
    assert f.hidden(parse_event("channel.cheer", "1", payloads_channel.cheer(None, 1, "Cheer1")))
    assert not f.hidden(parse_event("channel.cheer", "1", payloads_channel.cheer(OTTER, 1, "Cheer1")))


def test_with_nothing_set_nothing_is_hidden_or_marked() -> None:
    f = rules()
    assert not f.hiding and not f.highlighting
    assert not f.hidden(chat(HERON, "x")) and not f.highlighted(chat(HERON, "x"))


# -- the commands ----------------------------------------------------------------------------

def test_the_commands_add_remove_and_list_and_say_what_they_did() -> None:
    f = Filters()
    assert f.change("hide", "") == ("nothing is hidden: /hide @USER, WORD or /PATTERN/ (or FOCUS_HIDE_USERS, "
                                    "_WORDS)")
    said = f.change("hide", "@Nightbot")
    assert said == "hiding Nightbot's messages for this run; they still reach the history and the devlog"
    assert f.hidden(chat(NIGHTBOT, "!commands")) and f.hiding
    assert f.change("hide", "@nightbot") == "hiding nightbot's messages already"
    assert f.change("highlight", "rust") == ("highlighting messages with the word rust for this run (for the "
                                             "chatter: /highlight @rust)")
    assert f.change("highlight", "/neo ?vim/") == "highlighting messages matching /neo ?vim/ for this run"
    assert f.change("highlight", "") == "highlighting words rust, /neo ?vim/"
    assert f.change("hide", "") == "hiding users Nightbot"
    assert f.change("unhide", "@NIGHTBOT") == "no longer hiding NIGHTBOT's messages"
    assert not f.hidden(chat(NIGHTBOT, "!commands")) and not f.hiding
    assert f.change("unhighlight", "Rust") == "no longer highlighting messages with the word Rust"
    assert f.change("unhighlight", "rust") == "messages with the word rust were not highlighted; /highlight lists " \
                                              "what is"
    assert f.highlighted(chat(OTTER, "neovim!")) and not f.highlighted(chat(OTTER, "rust"))
    with pytest.raises(PatternError, match=r"^/hide: focus refuses the pattern /\(a\+\)\+/"):
        f.change("hide", "/(a+)+/")
    assert not f.hiding  # nothing was added


# -- drawn: the mark, and what the presenter leaves out ------------------------------------------

def test_the_mark_shows_without_color_and_in_reverse_video_with_it() -> None:
    plain = Renderer(ColorMode.NONE, timestamps=False)
    plain.mark = True
    assert plain.event(chat(OTTER, "rust!")) == "✱ Pixel_Otter: rust!"
    assert plain.event(chat(OTTER, "rust!")) == "Pixel_Otter: rust!"  # for that one line only
    color = Renderer(ColorMode.X256, timestamps=False)
    color.mark = True
    line = color.event(chat(OTTER, "rust!"))
    assert "✱" in line and "\x1b[1;7;" in line  # bold reverse video
    assert "\x1b[1mrust!" in line  # the text in bold
    redeemed = parse_event("channel.channel_points_custom_reward_redemption.add", "1",
                           payloads_channel.redemption(OTTER, "Ask", 10, "rust?"))
    plain.mark = True
    assert plain.event(redeemed) == "✱ ✪ Pixel_Otter redeemed Ask (10): rust?"


class Screen:
    def __init__(self, filters: Filters) -> None:
        self.out = io.StringIO()
        self.terminal = Terminal(self.out, fancy=False)
        self.presenter = Presenter(Renderer(ColorMode.NONE, timestamps=False), self.terminal, filters=filters)

    def show(self, stype: str, payload: dict, now: float = 0.0) -> bool:
        shown = self.presenter.show(parse_event(stype, "1", payload), now)
        self.terminal.flush()
        return shown

    @property
    def lines(self) -> list[str]:
        return self.out.getvalue().splitlines()


def test_the_presenter_leaves_hidden_messages_out_and_marks_highlighted_ones() -> None:
    s = Screen(rules(hide_users="Nightbot", hide_words="spoiler", highlight_users="mossy_lantern",
                     highlight_words="rust"))
    assert s.show("channel.chat.message", payloads.chat_message(NIGHTBOT, "!commands: see the panels")) is False
    assert s.show("channel.chat.message", payloads.chat_message(OTTER, "SPOILER: it compiles")) is False
    assert s.show("channel.chat.message", payloads.chat_message(OTTER, "I write Rust")) is True
    s.show("channel.chat.message", payloads.chat_message(MOSS, "hi all"))
    s.show("channel.chat.message", payloads.chat_message(MOSS, "rust spoiler"))  # hiding wins
    s.show("channel.follow", payloads.follow(NIGHTBOT))  # an alert: never hidden
    assert s.lines == ["✱ Pixel_Otter: I write Rust", "✱ Mossy_Lantern: hi all", "♥ Nightbot followed"]


def test_a_hidden_word_leaves_a_notice_without_its_text_and_an_announcement_undrawn() -> None:
    """A resub is an alert the streamer must not miss: it stays, without the chatter's words the rules hide (in
    either of its twins); an announcement is nothing but its text, so it goes like a chat message."""
    s = Screen(rules(hide_words="spoiler", hide_users="Nightbot"))
    notice = payloads_chat.resub(OTTER, 14, 7, text="SPOILER: the boss dies")
    assert s.show("channel.chat.notification", notice) is True
    assert s.show("channel.chat.notification", payloads_chat.announcement(MOSS, "a spoiler ahead")) is False
    assert s.show("channel.chat.notification", payloads_chat.announcement(NIGHTBOT, "!discord")) is False
    assert s.show("channel.chat.notification", payloads_chat.announcement(MOSS, "giveaway at nine")) is True
    s.presenter.types = frozenset({"channel.subscription.message"})  # only the EventSub twin reports a resub
    s.show("channel.subscription.message", payloads_channel.subscription_message(HERON, "spoiler alert", 3))
    s.show("channel.subscription.message", payloads_channel.subscription_message(MOSS, "three years!", 36))
    s.presenter.tick(60.0)
    assert "spoiler" not in s.out.getvalue().lower() and "discord" not in s.out.getvalue()
    assert s.lines[:2] == ["[SUB] ★ Pixel_Otter resubscribed at T1 · 14 months, 7 in a row",
                           "▸ announcement Mossy_Lantern: giveaway at nine"]
    assert any(line.startswith("[SUB] ★ byte_heron resubscribed") for line in s.lines[2:])
    assert any(line.endswith(": three years!") for line in s.lines[2:])


def test_a_hidden_cheer_does_not_come_back_through_its_twins() -> None:
    """A cheer arrives as its chat line, `channel.bits.use` and `channel.cheer`: the two that wait for their richer
    twin are hidden as well, so nothing of it is drawn, even once the twin window has passed."""
    s = Screen(rules(hide_users="byte_heron"))
    s.show("channel.cheer", payloads_channel.cheer(HERON, 100, "Cheer100 hidden words"), now=0.0)
    s.show("channel.bits.use", payloads_community.bits_use(HERON, 100, "cheer", "Cheer100 hidden words"), now=0.1)
    s.show("channel.chat.message", payloads.chat_message(HERON, "Cheer100 hidden words"), now=0.2)
    s.show("channel.cheer", payloads_channel.cheer(OTTER, 5, "Cheer5 seen"), now=0.3)
    s.presenter.flush(10.0)
    s.terminal.flush()
    assert s.lines == ["♦ Pixel_Otter cheered 5 bits: Cheer5 seen"]


def test_a_reply_never_quotes_what_the_hide_rules_keep_off_the_stream() -> None:
    """Twitch quotes the parent in every reply: a reply to a hidden message (its words, or a hidden chatter) is
    drawn without the quote, or the hidden words reach the stream through it."""
    s = Screen(rules(hide_users="Nightbot", hide_words="spoiler"))
    hidden = payloads.chat_message(OTTER, "SPOILER the boss dies", message_id="m-hidden")
    assert s.show("channel.chat.message", hidden) is False
    s.show("channel.chat.message", payloads.chat_message(
        MOSS, "@Pixel_Otter please don't", reply=payloads.reply_to("m-hidden", OTTER, "SPOILER the boss dies")))
    s.show("channel.chat.message", payloads.chat_message(
        MOSS, "@Nightbot thanks", reply=payloads.reply_to("m-bot", NIGHTBOT, "!discord example dot com")))
    s.show("channel.chat.message", payloads.chat_message(
        MOSS, "@Pixel_Otter agreed", reply=payloads.reply_to("m-ok", OTTER, "tests first")))
    assert s.lines == ["Mossy_Lantern ↪ @Pixel_Otter: @Pixel_Otter please don't",
                       "Mossy_Lantern ↪ @Nightbot: @Nightbot thanks",
                       'Mossy_Lantern ↪ @Pixel_Otter "tests first": @Pixel_Otter agreed']
