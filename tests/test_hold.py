"""The hold queue as a pure module: time is an argument."""

from __future__ import annotations

from focuslib.runtime.hold import HoldQueue


def test_held_messages_wait_in_order_and_release_hands_them_back():
    q = HoldQueue(ttl=600)
    assert q.deadline() is None
    assert q.hold("7", "spam_bot", "Spam_Bot", "one", 100.0).count == 1
    assert q.hold("7", "spam_bot", "Spam_Bot", "two", 101.0).count == 2
    assert q.is_held("7") and len(q) == 1
    assert q.deadline() == 700.0
    entry = q.release("@SPAM_BOT")
    assert entry is not None and [m for _, m in entry.messages] == ["one", "two"]
    assert not q.is_held("7") and q.deadline() is None
    assert q.release("spam_bot") is None


def test_discard_finds_by_display_name_and_forgets():
    q = HoldQueue(ttl=600)
    q.hold("8", "kaffee_katze", "KaffeeKatze", "hi", 0.0)
    assert q.discard("kaffeekatze") is not None and len(q) == 0


def test_expiry_drops_only_messages_older_than_the_ttl_and_reports_each_chatter_once():
    q = HoldQueue(ttl=600)
    q.hold("1", "a", "A", "a1", 0.0)
    q.hold("1", "a", "A", "a2", 500.0)
    q.hold("2", "b", "B", "b1", 100.0)
    assert q.expire(599.0) == []
    gone = q.expire(600.0)
    assert [(e.login, n) for e, n in gone] == [("a", 1)]
    assert q.deadline() == 700.0  # b1 next
    gone = q.expire(1100.0)
    assert sorted((e.login, n) for e, n in gone) == [("a", 1), ("b", 1)]
    assert len(q) == 0 and q.deadline() is None


def test_a_bot_that_keeps_writing_gets_two_expiry_lines_not_one_per_message():
    q = HoldQueue(ttl=600)
    lines = []
    for k in range(40):  # one message every 30 s for 20 minutes, each expiring 10 minutes later
        now = 30.0 * k
        lines += q.expire(now)
        q.hold("9", "bot", "Bot", f"spam {k}", now)
    assert [(e.login, n) for e, n in lines] == [("bot", 1)]  # the first one, then quiet while it writes on
    lines = q.expire(30.0 * 39 + 601)  # it stopped: one tally of everything else
    assert [(e.login, n) for e, n in lines] == [("bot", 39)]  # 40 held, 1 told before
    assert len(q) == 0 and q.deadline() is None


def test_the_queue_is_bounded_in_chatters_and_messages():
    q = HoldQueue(ttl=600, max_users=3, max_messages=2)
    for k in range(5):
        q.hold(str(k), f"u{k}", f"U{k}", "x", float(k))
    assert len(q) == 3 and not q.is_held("0") and q.is_held("4")
    for k in range(4):
        entry = q.hold("4", "u4", "U4", f"m{k}", 10.0 + k)
    assert entry.count == 2 and entry.dropped == 3 and [m for _, m in entry.messages] == ["m2", "m3"]
    assert entry.total == 5  # the placeholder's count: every message held, not only the two the bound keeps


def test_a_full_queue_counts_the_chatters_it_pushes_out():
    q = HoldQueue(ttl=600, max_users=2)
    for k in range(2):
        q.hold(str(k), f"u{k}", f"U{k}", "x", float(k))
    assert q.evicted == 0
    q.hold("1", "u1", "U1", "again", 5.0)  # a chatter already held: nobody goes
    assert q.evicted == 0
    q.hold("9", "u9", "U9", "x", 6.0)
    assert q.evicted == 1 and not q.is_held("0") and q.is_held("1") and q.is_held("9")
