"""Property tests: whatever Twitch (or an attacker in chat) sends, the renderer stays safe.

* it never raises, for any payload shape (tolerant parsing: missing, null or
  wrongly typed fields);
* the only escape sequences in its output are its own SGR colors: nothing from
  the input can move the cursor, retitle the window, ring the bell, or reorder
  or hide text (bidi overrides, zero-width characters);
* no row is wider than the width it was given: a token wider than a row (a long
  URL) is broken where the row ends; only an alert's banner, never broken, may be.
"""

from __future__ import annotations

import re
import unicodedata

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focuslib.twitch.events import PARSERS, parse_event
from focuslib.view.style import ALERT_LABELS
from focuslib.view.layout import text_width
from focuslib.view.render import ColorMode, Renderer
from focuslib.sim import payloads
from focuslib.sim import payloads_chat

SGR = re.compile(r"\x1b\[[0-9;]*m")
HIDDEN = set("\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u061c\u2060")
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

nasty = st.text(alphabet=st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from("\x1b\x07\x08\r\n\t\x9b\x9d\x90\u202e\u2066\u200b\ufeff\u0301\u0489 []();?0123456789Kappa@"),
), max_size=60)
words = st.lists(st.sampled_from(["Kappa", "hello", "@DeskFox", "a" * 50, "🦊", "日本語", "x\u0301", "", " "]),
                 max_size=12).map(" ".join)
texts = st.one_of(nasty, words)
ids = st.one_of(st.just(""), st.text(alphabet="0123456789", min_size=1, max_size=9), nasty)
users = st.tuples(ids, texts, texts)
colors = st.one_of(st.just(""), st.from_regex(r"#[0-9A-Fa-f]{6}", fullmatch=True), nasty)
badges = st.lists(st.tuples(st.sampled_from(["broadcaster", "moderator", "vip", "subscriber", "founder", "bits"])
                            | nasty, ids, ids | nasty), max_size=5)


@st.composite
def fragment(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(["text", "emote", "mention", "cheermote", "mystery", None]))
    text = draw(texts)
    frag = {"type": kind, "text": text, "cheermote": None, "emote": None, "mention": None}
    if kind == "mention":
        uid, login, name = draw(users)
        frag["mention"] = {"user_id": uid, "user_login": login, "user_name": name}
    elif kind == "cheermote":
        frag["cheermote"] = {"prefix": "Cheer", "bits": draw(st.integers(-5, 10**6)),
                             "tier": draw(st.integers(-1, 10**5))}
    return frag


@st.composite
def chat_payload(draw: st.DrawFn) -> dict:
    frags = draw(st.lists(fragment(), max_size=8))
    text = draw(st.one_of(texts, st.just("".join(f["text"] for f in frags)),
                          st.builds(lambda s: f"\x01ACTION {s}\x01", texts)))
    reply = draw(st.one_of(st.none(), st.builds(payloads.reply_to, ids, users, texts)))
    mtype = draw(st.sampled_from(["text", "channel_points_highlighted", "channel_points_sub_only", "user_intro",
                                  "power_ups_message_effect", "power_ups_gigantified_emote", "??", ""]))
    event = payloads.chat_message(draw(users), text, color=draw(colors), badges=draw(badges), message_type=mtype,
                                  reply=reply, frags=frags, source=draw(st.one_of(st.none(), users)),
                                  reward_id=draw(st.one_of(st.none(), ids)))
    return event


@st.composite
def notice_payload(draw: st.DrawFn) -> dict:
    kind = draw(st.sampled_from(list(payloads_chat.NOTICE_KEYS) + ["watch_streak", "modiversary", "brand_new"]))
    detail = draw(st.dictionaries(st.sampled_from([
        "sub_tier", "sub_plan", "is_prime", "duration_months", "cumulative_months", "streak_months", "is_gift",
        "gifter_is_anonymous", "gifter_user_name", "recipient_user_name", "recipient_user_id", "community_gift_id",
        "id", "total", "user_name", "viewer_count", "color", "tier", "charity_name", "amount", "streak_count",
        "months"]), st.one_of(st.none(), st.booleans(), st.integers(-10, 10**9), texts,
                              st.fixed_dictionaries({"value": st.integers(-10, 10**9),
                                                     "decimal_places": st.integers(-3, 30),
                                                     "currency": texts})), max_size=8))
    chatter = draw(st.one_of(st.none(), users))
    return payloads_chat.notification(chatter, kind, draw(st.one_of(st.none(), st.just(detail))), draw(texts),
                                      text=draw(texts), color=draw(colors), badges=draw(badges),
                                      source=draw(st.one_of(st.none(), users)))


json_values = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), texts),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
                           max_leaves=10)


def check(line: str | None, width: int) -> None:
    assert line is not None
    for row in line.split("\n"):
        # Every escape sequence is one of ours: SGR only.
        plain = SGR.sub("", row)
        assert "\x1b" not in plain and "\x9b" not in plain
        for ch in plain:
            assert unicodedata.category(ch) not in ("Cc",), repr(ch)
            assert ch not in HIDDEN, repr(ch)
        if text_width(plain) > width:  # only a banner, which is never broken, may be wider than its row
            assert any(label in plain for label in ALERT_LABELS.values()), f"row wider than {width}: {plain!r}"


@PROPS
@given(chat_payload(), st.integers(8, 160), st.sampled_from(list(ColorMode)))
def test_chat_lines_are_safe_and_fit(payload: dict, width: int, mode: ColorMode) -> None:
    check(Renderer(mode, width=width).event(parse_event("channel.chat.message", "1", payload)), width)


@PROPS
@given(notice_payload(), st.integers(8, 160), st.sampled_from(list(ColorMode)))
def test_notice_lines_are_safe_and_fit(payload: dict, width: int, mode: ColorMode) -> None:
    check(Renderer(mode, width=width).event(parse_event("channel.chat.notification", "1", payload)), width)


@PROPS
@given(st.sampled_from(sorted(PARSERS)), st.dictionaries(texts | st.sampled_from([
    "user_name", "user_login", "reason", "title", "choices", "outcomes", "reward", "user_input", "message", "bits",
    "viewers", "total", "level", "goal", "progress", "top_contributions", "ends_at", "banned_at", "is_permanent",
    "duration_seconds", "is_anonymous", "tier", "emotes", "target_user_name", "from_broadcaster_user_name"]),
    json_values, max_size=8), st.integers(8, 160))
def test_any_payload_of_any_type_parses_and_renders(stype: str, payload: dict, width: int) -> None:
    event = parse_event(stype, "1", payload)
    line = Renderer(ColorMode.TRUE, width=width).event(event)
    check(line, width)


def test_a_terminal_that_reports_zero_columns_gets_unwrapped_lines() -> None:
    from focuslib.sim import payloads

    event = parse_event("channel.chat.message", "1", payloads.chat_message(("1", "a", "A"), "word " * 50))
    line = Renderer(ColorMode.TRUE, width=0).event(event)
    assert "\n" not in line and line.count("word") == 50


def test_a_huge_decimal_places_in_a_charity_notice_is_clamped_not_computed() -> None:
    payload = {"notice_type": "charity_donation", "system_message": "x", "chatter_user_name": "Giver",
               "charity_donation": {"charity_name": "Code Club",
                                    "amount": {"value": 2500, "decimal_places": 2 ** 62, "currency": "USD"}}}
    line = Renderer(ColorMode.NONE, width=100).event(parse_event("channel.chat.notification", "1", payload))
    assert "Code Club" in line and "USD" in line
