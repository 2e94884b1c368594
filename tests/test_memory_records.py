"""The chat memory returns what it has to say as records; the App draws them (runtime/memory_records.py).

A real ChatMemory over a real history (a SQLite file and its writer thread), no view at all: the records are what
the memory decided, before any renderer or terminal exists.
"""

from __future__ import annotations

import time

import pytest

from focuslib.runtime.memory import ChatMemory
from focuslib.runtime.memory_records import FirstTime, NoQuote, Quiet, Reveal, Withheld
from focuslib.sim import payloads
from focuslib.sim import payloads_channel
from focuslib.sim import payloads_chat
from focuslib.store.schema import db_path
from focuslib.store.writer import HistoryWriter
from focuslib.twitch.events import parse_event

from conftest import t

ANN = ("501", "ann", "Ann")  # a regular: the history has her
BOB = ("502", "bob", "Bob")
CHANNEL = "70000001"  # the simulator's broadcaster, the payloads' default


class Devlog:
    """The devlog writer's interface, keeping what it was given."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def put(self, line: str) -> None:
        self.lines.append(line)


def chat(who, text, **kw):
    return parse_event("channel.chat.message", "1", payloads.chat_message(who, text, **kw))


def user(k: int) -> tuple[str, str, str]:
    return (str(600 + k), f"new{k}", f"New{k}")


@pytest.fixture
def history(tmp_path):
    """A history that knows Ann in the channel (so nobody is 'the first run'), with its writer running."""
    path = db_path(tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    first = HistoryWriter(path).start()
    assert first.ready.wait(t(5))
    first.put(time.time() - 60, chat(ANN, "hello from before"))
    first.stop(t(5))
    writer = HistoryWriter(path).start()
    assert writer.ready.wait(t(5)) and writer.failed is None
    yield writer
    writer.stop(t(5))
    assert not writer.thread.is_alive()


def memory_over(writer: HistoryWriter, **kw) -> ChatMemory:
    memory = ChatMemory(writer, hold_minutes=10, devlog=Devlog(), **kw)
    memory.vet_with(None, CHANNEL, None)  # no follow checker: the history and badges decide
    return memory


def test_a_held_chatter_is_one_placeholder_record_rewritten_in_place_and_never_their_text(history):
    guards: list[bool] = []
    memory = memory_over(history, on_guard=guards.append)
    now = 100.0
    assert memory.admit(chat(ANN, "a regular"), now) is not None and memory.take() == []  # nothing to say
    said = []
    for k in range(1, 5):
        assert memory.admit(chat(BOB, f"SECRET {k}"), now + k) is None  # held: nothing reaches the screen
        said.append(memory.take())
    key = ("held", "502")
    text = "held: new chatter Bob ({}): /release bob or /ban bob"
    assert said == [
        [Quiet(text.format("1 message"), key, replace=False, anew=True)],  # a new line
        [Quiet(text.format("2 messages"), key, replace=True, anew=True)],  # rewritten; else a new line at 2
        [Quiet(text.format("3 messages"), key, replace=True, anew=False)],  # rewritten, or nothing
        [Quiet(text.format("4 messages"), key, replace=True, anew=True)],  # ...and at 4, 8, 16
    ]
    assert "SECRET" not in repr(said)  # the text goes to the devlog only
    assert any("SECRET 1" in line for line in memory.devlog.lines)
    assert guards == [True]  # the held count changed once (one chatter)
    assert memory.held_logins == ("bob",)


def test_a_released_chatter_is_revealed_in_order_then_first_time_marks_and_quotes_follow_the_hold(history):
    memory = memory_over(history)
    held = [chat(BOB, "one"), chat(BOB, "two")]
    for k, m in enumerate(held):
        memory.admit(m, float(k))
    memory.take()
    reply = chat(ANN, "@bob no", reply=payloads.reply_to(held[0].message_id, BOB, "one"))
    assert memory.admit(reply, 3.0) is reply
    assert memory.take() == [NoQuote(reply.message_id)]  # the reply never quotes the held text
    assert memory.release("bob") == ["released Bob (2 messages)"]
    assert memory.take() == [Reveal(held[0]), Reveal(held[1])]
    new = chat(user(1), "hi, first time")
    memory.hold_new = False  # the hold off: a newcomer is shown, marked as a first-time chatter
    assert memory.admit(new, 4.0) is new and memory.take() == [FirstTime(new.message_id)]


def test_a_wave_of_new_chatters_is_one_summary_record_when_its_window_ends(history):
    memory = memory_over(history)
    now = 1000.0
    for k in range(1, 8):
        memory.admit(chat(user(k), "spam"), now)
    said = memory.take()
    assert [r.text.split(":")[1].strip() for r in said] == [f"new chatter New{k} (1 message)" for k in range(1, 6)]
    assert memory.deadline() == pytest.approx(now + memory.wave.window)
    memory.tick(now + memory.wave.window)
    assert memory.take() == [Quiet("held 2 new chatters in 10 s: New6, New7 (/release USER or /ban USER)")]


def test_a_full_hold_queue_says_so_once_before_the_placeholder(history):
    memory = memory_over(history)
    assert memory.hold is not None
    memory.hold.max_users = 2
    for k in range(1, 5):  # minutes apart: no wave
        memory.admit(chat(user(k), "spam"), k * 60.0)
    said = memory.take()
    full = Quiet("hold queue full (2 new chatters): the longest held are dropped unseen to make room "
                 "(the devlog has their text)")
    assert said.count(full) == 1 and said.index(full) == 2  # the third chatter pushed the first out
    assert said[3].text.startswith("held: new chatter New3 ")
    assert any('"hold_queue_full"' in line for line in memory.devlog.lines)


def test_a_held_chatters_cheer_shows_without_its_text_and_the_text_waits(history):
    memory = memory_over(history)
    memory.admit(chat(BOB, "first"), 1.0)
    memory.take()
    cheer = parse_event("channel.cheer", "1", payloads_channel.cheer(BOB, 100, "Cheer100 SECRET"))
    shown = memory.admit(cheer, 2.0)
    assert shown.message == "" and cheer.message == "Cheer100 SECRET"
    said = memory.take()
    assert said[0] == Withheld(shown)  # the renderer marks it "(message held)"
    assert [type(r) for r in said[1:]] == [Quiet] and "SECRET" not in said[1].text


def test_a_command_answer_is_quiet_records_and_nothing_is_drawn_by_the_memory(history):
    memory = memory_over(history)
    memory.show_lines(memory.release(""))
    assert memory.take() == [Quiet("nobody is held")]
    assert not hasattr(memory, "terminal") and not hasattr(memory, "_renderer")


def test_the_app_draws_the_records_in_order_and_a_pipe_gets_a_placeholder_at_1_2_4_messages(history):
    """What the records become on a pipe (no line rewritten in place): the memory's own steps, drawn by
    runtime/memory_draw.py with a real renderer, presenter and terminal writer."""
    import io

    from focuslib.runtime.memory_draw import draw
    from focuslib.view.colors import ColorMode
    from focuslib.view.present import Presenter
    from focuslib.view.render import Renderer
    from focuslib.view.terminal import Terminal

    out = io.StringIO()
    terminal = Terminal(out, fancy=False)
    renderer = Renderer(ColorMode.NONE, timestamps=False)
    presenter = Presenter(renderer, terminal)
    shown: list = []
    memory = memory_over(history)

    def step(m, now):
        event = memory.admit(m, now)
        draw(memory.take(), renderer, presenter, terminal, now, shown.append)
        if event is not None:
            presenter.show(event, now)
        terminal.flush()

    for k in range(1, 6):
        step(chat(BOB, f"SECRET {k}"), float(k))
    reply = chat(ANN, "@bob no thanks", reply=payloads.reply_to("m-1", BOB, "SECRET 1"))
    step(reply, 6.0)
    memory.show_lines(memory.release("bob"))
    draw(memory.take(), renderer, presenter, terminal, 7.0, shown.append)
    terminal.flush()
    lines = out.getvalue().splitlines()
    held = "· held: new chatter Bob ({}): /release bob or /ban bob"
    assert lines[:3] == [held.format("1 message"), held.format("2 messages"), held.format("4 messages")]
    assert lines[3].startswith("Ann") and "SECRET" not in lines[3]  # the reply quotes nothing held
    assert [line.split(": ", 1)[1] for line in lines[4:9]] == [f"SECRET {k}" for k in range(1, 6)]  # released
    assert lines[9:] == ["· released Bob (5 messages)"]
    assert [m.text for m in shown] == [f"SECRET {k}" for k in range(1, 6)]  # the input line's recent chat too


@pytest.mark.parametrize("stype, payload", [
    ("channel.subscription.message", lambda: payloads_channel.subscription_message(BOB, "no SPOILER: the boss dies", 3)),
    ("channel.chat.notification", lambda: payloads_chat.resub(BOB, 3, text="no SPOILER: the boss dies")),
])
def test_a_released_resub_keeps_the_hide_rules_off_its_text(history, stype, payload):
    """FOCUS_HIDE_WORDS keeps a resub's own words off the stream (view/present.py); a held chatter's resub that
    /release brings back goes through the same rule, not straight to the renderer."""
    import io

    from focuslib.runtime.filtering import read_filters
    from focuslib.runtime.memory_draw import draw
    from focuslib.view.colors import ColorMode
    from focuslib.view.present import Presenter
    from focuslib.view.render import Renderer
    from focuslib.view.terminal import Terminal

    out = io.StringIO()
    terminal = Terminal(out, fancy=False)
    renderer = Renderer(ColorMode.NONE, timestamps=False)
    presenter = Presenter(renderer, terminal, filters=read_filters(((), (), (), ("spoiler",))))
    memory = memory_over(history)
    memory.admit(chat(BOB, "first"), 1.0)  # Bob is held
    resub = parse_event(stype, "1", payload())
    shown = memory.admit(resub, 2.0)
    draw(memory.take(), renderer, presenter, terminal, 2.0, None)
    presenter.show(shown, 2.0)
    memory.show_lines(memory.release("bob"))
    draw(memory.take(), renderer, presenter, terminal, 3.0, None)
    terminal.flush()
    lines = out.getvalue().splitlines()
    assert lines[-1] == "· released Bob (2 messages)"
    assert any("Bob resubscribed" in line for line in lines[1:-1])  # the alert itself came back
    assert "SPOILER" not in out.getvalue()
