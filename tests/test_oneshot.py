"""One-shot commands from any shell (`python focus.py say|ban|...`): real processes against the simulator.

Each prints exactly one line: what was done on stdout (exit 0), or why not on stderr (non-zero).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, t
from focuslib.sim import SimTwitch
from focuslib.sim import payloads
from focuslib.sim import payloads_chat as PC
from focuslib.sim.state import ALL_SCOPES
from focuslib.sim.triggers import HERON, KETTLE, MOSS, OTTER
from secret_guard import seen

import inproc

B_ID = payloads.BROADCASTER[0]


@pytest.fixture
def shell_env(env: dict[str, str]) -> dict[str, str]:
    """The simulator's env as a shell has it: PATH and friends, no stray TWITCH_/FOCUS_ settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TWITCH_", "FOCUS_", "NO_COLOR"))}
    return {**base, **env, "PYTHONUNBUFFERED": "1"}


def focus(env: dict[str, str], *args: str, cwd: Path = ROOT) -> tuple[int, list[str], list[str]]:
    """`python focus.py ARGS` once, in this process (tests/inproc.py; the make targets below run the real
    script): (exit code, stdout lines, stderr lines)."""
    done = inproc.run("focus.py", args, env, cwd=cwd)
    return done.returncode, done.stdout.splitlines(), done.stderr.splitlines()


def seed_history(data_dir: Path, events: list[tuple[str, dict]]) -> None:
    """A history database as focus would have written it, with these events in order."""
    import time

    from focuslib.store.schema import db_path
    from focuslib.store.writer import HistoryWriter
    from focuslib.twitch.events import parse_event

    writer = HistoryWriter(db_path(data_dir)).start()
    assert writer.ready.wait(t(5))
    now = time.time()
    for k, (kind, payload) in enumerate(events):
        writer.put(now + k, parse_event(kind, "1", payload))
    writer.stop(t(5))
    assert writer.failed is None


def requests(sim: SimTwitch, method: str, path: str) -> list:
    return sim.requests_to(method, "/helix" + path)


@pytest.mark.parametrize("args, said", [
    (["say", "brb 5 min"], "sent"),
    (["say", "--", "-- dashes first"], "sent"),
    (["ban", "loud_kettle", "--reason", "spam links"], "banned Loud_Kettle"),
    (["timeout", "loud_kettle", "10m", "--reason", "caps"], "timed out Loud_Kettle for 10m"),
    (["announce", "giveaway at the end", "--color", "green"], "announced (green)"),
    (["shoutout", "rustyraccoon"], "shouted out RustyRaccoon"),
    (["warn", "loud_kettle", "keep it friendly"], "warned Loud_Kettle"),
    (["clear", "--yes"], "cleared the chat"),
    (["slow", "30"], "slow mode on: 30 s between messages"),
    (["followers", "10m"], "followers-only chat on (following for 10m)"),
    (["subs", "on"], "subscribers-only chat on"),
    (["emoteonly", "off"], "emote-only chat off"),
    (["raid", "rustyraccoon"], "raiding RustyRaccoon (Twitch starts it in 90 s)"),
])
def test_each_one_shot_prints_one_line_and_exits_0(sim, shell_env, args, said) -> None:
    assert focus(shell_env, *args) == (0, [said], [])


def test_say_and_ban_send_the_exact_requests(sim, shell_env) -> None:
    focus(shell_env, "say", "brb 5 min")
    [req] = requests(sim, "POST", "/chat/messages")
    assert json.loads(req.body) == {"broadcaster_id": B_ID, "sender_id": B_ID, "message": "brb 5 min"}
    assert req.headers["authorization"] == "Bearer " + shell_env["TWITCH_USER_ACCESS_TOKEN"]
    focus(shell_env, "ban", "@Loud_Kettle", "--reason", "spam links")
    [req] = requests(sim, "POST", "/moderation/bans")
    assert req.query == {"broadcaster_id": [B_ID], "moderator_id": [B_ID]}
    assert json.loads(req.body) == {"data": {"user_id": KETTLE[0], "reason": "spam links"}}


def test_unban_and_untimeout(sim, shell_env) -> None:
    assert focus(shell_env, "unban", "loud_kettle") == (
        4, [], ["focus: could not unban Loud_Kettle: The user specified in the user_id field is not banned."])
    focus(shell_env, "timeout", "loud_kettle", "1h")
    assert focus(shell_env, "untimeout", "loud_kettle") == (0, ["ended Loud_Kettle's timeout"], [])
    focus(shell_env, "ban", "loud_kettle")
    assert focus(shell_env, "unban", "loud_kettle") == (0, ["unbanned Loud_Kettle"], [])


@pytest.mark.parametrize("args, line", [
    (["ban"], "focus: the following arguments are required: user; see focus.py ban --help"),
    (["timeout", "loud_kettle", "15d"], "focus: a timeout lasts 1 s to 14 days, not 1296000 s"),
    (["timeout", "loud_kettle", "soon"], "focus: not a duration: 'soon' (try 30s, 10m, 1h or 2d)"),
    (["timeout", "loud kettle", "10m"], "focus: USER must be one word, not 'loud kettle'"),
    (["ban", "not-a-login"], "focus: not a Twitch login: 'not-a-login'"),
    (["say", "x" * 501], "focus: the message is 501 characters long; Twitch takes at most 500"),
    (["clear"], "focus: clear deletes every message in the chat and cannot be undone; add --yes"),
    (["announce", "hi", "--color", "red"], "focus: argument --color: invalid choice: 'red' (choose from 'blue', "
                                           "'green', 'orange', 'purple'); see focus.py announce --help"),
    (["slow", "1"], "focus: slow mode waits 3 to 120 s between messages, not 1 s"),
    (["subs", "maybe"], "focus: say on or off, not 'maybe'"),
])
def test_bad_arguments_are_one_line_and_exit_2_before_any_request(sim, shell_env, args, line) -> None:
    assert focus(shell_env, *args) == (2, [], [line])
    assert sim.requests == []


def test_an_unknown_login_is_named(sim, shell_env) -> None:
    assert focus(shell_env, "ban", "nobody_here") == (1, [], ["focus: no Twitch user is called nobody_here"])
    assert requests(sim, "POST", "/moderation/bans") == []


def test_twitch_refusals_are_its_reason_in_one_line(sim, shell_env) -> None:
    focus(shell_env, "ban", "loud_kettle")
    assert focus(shell_env, "ban", "loud_kettle") == (
        4, [], ["focus: could not ban Loud_Kettle: The user specified in the user_id field is already banned."])
    sim.helix.limited["POST /helix/chat/shoutouts"] = "Wait a moment."
    assert focus(shell_env, "shoutout", "rustyraccoon") == (
        4, [], ["focus: could not shout out RustyRaccoon: Wait a moment. (Twitch's limit for this action; "
                "try again later)"])
    sim.helix.drop_next = ("msg_duplicate", "Your message was not sent because it is identical to the previous one.")
    assert focus(shell_env, "say", "again") == (
        4, [], ["focus: not sent: Your message was not sent because it is identical to the previous one."])


def test_a_missing_scope_says_run_make_auth_and_exits_3(sim, shell_env) -> None:
    grant = sim.issue_token(scopes=[s for s in ALL_SCOPES if s != "moderator:manage:announcements"])
    env = {**shell_env, "TWITCH_USER_ACCESS_TOKEN": grant.access_token, "TWITCH_REFRESH_TOKEN": grant.refresh_token}
    assert focus(env, "announce", "hi") == (3, [], [
        "focus: could not announce: the token lacks the moderator:manage:announcements scope; "
        "run make auth to grant it"])


def test_an_expired_token_is_refreshed_quietly(sim, shell_env) -> None:
    sim.expire_token(shell_env["TWITCH_USER_ACCESS_TOKEN"])
    assert focus(shell_env, "say", "still here") == (0, ["sent"], [])
    assert [r["grant_type"] for r in sim.token_requests] == ["refresh_token"]


def test_no_token_and_a_revoked_one_are_one_line(sim, shell_env) -> None:
    env = {**shell_env, "TWITCH_USER_ACCESS_TOKEN": "", "TWITCH_REFRESH_TOKEN": ""}
    code, out, err = focus(env, "say", "hi")
    assert (code, out, len(err)) == (2, [], 1)
    assert err[0].startswith("focus: there is no Twitch token yet") and err[0].endswith("; run make auth")
    sim.expire_token(shell_env["TWITCH_USER_ACCESS_TOKEN"])
    sim.revoke_refresh_token(shell_env["TWITCH_REFRESH_TOKEN"])
    code, out, err = focus(shell_env, "say", "hi")
    assert (code, out, len(err)) == (3, [], 1) and "run make auth" in err[0]


def test_an_unreachable_twitch_is_one_line_not_a_retry_loop(sim, shell_env) -> None:
    env = {**shell_env, "TWITCH_AUTH_URL": "http://127.0.0.1:9/oauth2"}  # the discard port: nothing listens
    code, out, err = focus(env, "say", "hi")
    assert (code, out, len(err)) == (1, [], 1)
    assert err[0].startswith("focus: cannot reach 127.0.0.1") and err[0].endswith("; nothing was sent")


def test_a_devlog_nobody_reads_never_blocks_a_one_shot(sim, shell_env, tmp_path) -> None:
    pipe = tmp_path / "devlog.fifo"
    os.mkfifo(pipe, 0o600)
    assert focus({**shell_env, "FOCUS_DEVLOG_PIPE": str(pipe)}, "say", "hi") == (0, ["sent"], [])


def test_every_one_shot_has_help(shell_env) -> None:
    from focuslib.cli.oneshot import COMMANDS

    for name in COMMANDS:
        code, out, err = focus(shell_env, name, "--help")
        assert code == 0 and err == [] and out[0].startswith(f"usage: focus.py {name}")
    code, out, _ = focus(shell_env, "--help")
    assert code == 0 and any("focus.py say TEXT" in line for line in out)


def test_make_targets_send_the_text_as_typed_and_never_take_the_shells_user(sim, shell_env) -> None:
    text = """it's "$HOME" `date` $$ \\ done"""
    done = subprocess.run(["make", "-s", "say", f"MSG={text}"], cwd=ROOT, env=shell_env, capture_output=True,
                          text=True, timeout=t(60))
    seen("make say", done.stdout + done.stderr)
    assert (done.returncode, done.stdout) == (0, "sent\n")
    [req] = requests(sim, "POST", "/chat/messages")
    assert json.loads(req.body)["message"] == text
    done = subprocess.run(["make", "-s", "ban", "REASON=spam links"], cwd=ROOT, env={**shell_env, "USER": "KETTLE"},
                          capture_output=True, text=True, timeout=t(60))
    assert done.returncode != 0 and "give USER=login" in done.stderr
    done = subprocess.run(["make", "-s", "ban", "USER=loud_kettle", "REASON=-spam links"], cwd=ROOT,
                          env=shell_env, capture_output=True, text=True, timeout=t(60))
    seen("make ban", done.stdout + done.stderr)
    assert (done.returncode, done.stdout) == (0, "banned Loud_Kettle\n")
    [req] = requests(sim, "POST", "/moderation/bans")
    assert json.loads(req.body) == {"data": {"user_id": KETTLE[0], "reason": "-spam links"}}


def test_reply_answers_the_chatters_latest_message_from_the_history(sim, shell_env) -> None:
    events = [
        ("channel.chat.message", payloads.chat_message(OTTER, "older question", message_id="m-old")),
        ("channel.chat.message", payloads.chat_message(OTTER, "latest question?", message_id="m-latest")),
        ("channel.chat.message", payloads.chat_message(OTTER, "a deleted one", message_id="m-deleted")),
        ("channel.chat.message_delete", PC.message_delete(OTTER, "m-deleted")),
        ("channel.chat.message", payloads.chat_message(MOSS, "someone else, later", message_id="m-moss")),
    ]
    seed_history(Path(shell_env["FOCUS_DATA_DIR"]), events)
    for kind, payload in events:  # Twitch knows the messages too (it refuses a reply to an unknown one)
        sim.helix.observe(kind, payload)
    assert focus(shell_env, "reply", "@Pixel_Otter", "tests first") == (0, ["replied to Pixel_Otter"], [])
    [req] = requests(sim, "POST", "/chat/messages")
    assert json.loads(req.body) == {"broadcaster_id": B_ID, "sender_id": B_ID, "message": "tests first",
                                    "reply_parent_message_id": "m-latest"}


def test_delete_takes_the_message_from_the_history(sim, shell_env) -> None:
    events = [
        ("channel.chat.message", payloads.chat_message(OTTER, "spam one", message_id="o-1")),
        ("channel.chat.message", payloads.chat_message(OTTER, "spam two", message_id="o-2")),
        ("channel.chat.message", payloads.chat_message(KETTLE, "CAPS", message_id="k-1")),
        ("channel.chat.message", payloads.chat_message(HERON, "the very latest", message_id="m-9")),
        # Twitch refuses to delete the broadcaster's or a moderator's message (400): a bare delete skips them.
        ("channel.chat.message", payloads.chat_message(MOSS, "a mod's word", message_id="mod-1",
                                                       badges=[("moderator", "1", "")])),
        ("channel.chat.message", payloads.chat_message(payloads.BROADCASTER, "my own line", message_id="own-1")),
    ]
    seed_history(Path(shell_env["FOCUS_DATA_DIR"]), events)
    for kind, payload in events:
        sim.helix.observe(kind, payload)
    assert focus(shell_env, "delete", "@pixel_otter") == (0, ["deleted Pixel_Otter's message"], [])
    assert focus(shell_env, "delete") == (0, ["deleted byte_heron's message"], [])
    first, second = requests(sim, "DELETE", "/moderation/chat")
    assert first.query == {**{k: [B_ID] for k in ("broadcaster_id", "moderator_id")}, "message_id": ["o-2"]}
    assert second.query["message_id"] == ["m-9"]
    assert focus(shell_env, "delete", "kaffee_katze") == (1, [], ["focus: no recent message of kaffee_katze to delete"])
    done = make(shell_env, "delete", "USER=loud_kettle")
    assert (done.returncode, done.stdout, done.stderr) == (0, "deleted Loud_Kettle's message\n", "")
    assert requests(sim, "DELETE", "/moderation/chat")[-1].query["message_id"] == ["k-1"]


def test_reply_with_no_history_of_the_chatter_is_one_line_and_sends_nothing(sim, shell_env) -> None:
    code, out, err = focus(shell_env, "reply", "pixel_otter", "tests first")  # no history database at all
    assert (code, out, len(err)) == (1, [], 1)
    assert err[0].startswith("focus: not done: there is no history yet (") and err[0].endswith("does not exist)")
    from test_history_faults import seed

    seed(Path(shell_env["FOCUS_DATA_DIR"]))  # a history, with nothing of theirs in it
    assert focus(shell_env, "reply", "pixel_otter", "tests first") == (1, [], [
        "focus: no message of pixel_otter to reply to in focus's history; nothing was sent "
        "(@pixel_otter in a plain message mentions them)"])
    assert requests(sim, "POST", "/chat/messages") == []


def make(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["make", "-s", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=t(60))
    seen("make " + " ".join(args), done.stdout + done.stderr)
    return done


def test_every_one_shot_has_a_make_target_in_make_help(shell_env) -> None:
    from focuslib.cli.oneshot import COMMANDS

    listed = make(shell_env, "help").stdout
    for name in COMMANDS:
        assert f"  make {name} " in listed, name


@pytest.mark.parametrize("args, said, path, sent", [
    (["untimeout", "USER=loud_kettle"], "ended Loud_Kettle's timeout", "/moderation/bans", None),
    (["clear", "YES=1"], "cleared the chat", "/moderation/chat", None),
    (["slow", "SECONDS=30"], "slow mode on: 30 s between messages", "/chat/settings",
     {"slow_mode": True, "slow_mode_wait_time": 30}),
    (["followers", "DURATION=10m"], "followers-only chat on (following for 10m)", "/chat/settings",
     {"follower_mode": True, "follower_mode_duration": 10}),
    (["subs", "STATE=on"], "subscribers-only chat on", "/chat/settings", {"subscriber_mode": True}),
    (["emoteonly", "STATE=off"], "emote-only chat off", "/chat/settings", {"emote_mode": False}),
    (["raid", "CHANNEL=rustyraccoon"], "raiding RustyRaccoon (Twitch starts it in 90 s)", "/raids", None),
])
def test_the_other_make_targets_carry_out_their_command(sim, shell_env, args, said, path, sent) -> None:
    if args[0] == "untimeout":
        assert focus(shell_env, "timeout", "loud_kettle", "10m")[0] == 0
    done = make(shell_env, *args)
    assert (done.returncode, done.stdout, done.stderr) == (0, said + "\n", "")
    method = {"/moderation/bans": "DELETE", "/moderation/chat": "DELETE", "/chat/settings": "PATCH"}.get(path, "POST")
    [req] = requests(sim, method, path)
    if sent is not None:
        assert json.loads(req.body) == sent


def test_make_shield_turns_it_on_and_state_off_ends_it(sim, shell_env) -> None:
    done = make(shell_env, "shield")
    assert (done.returncode, done.stdout.splitlines()[:2], done.stderr) == (
        0, ["Shield Mode on", "followers-only chat on (following for 10m)"], "")
    assert json.loads(requests(sim, "PUT", "/moderation/shield_mode")[0].body) == {"is_active": True}
    done = make(shell_env, "shield", "STATE=off")
    assert (done.returncode, done.stdout.splitlines()) == (
        0, ["Shield Mode off", "chat settings restored: followers-only off"])
    assert json.loads(requests(sim, "PUT", "/moderation/shield_mode")[1].body) == {"is_active": False}


def test_make_clear_without_yes_deletes_nothing(sim, shell_env) -> None:
    for args in (["clear"], ["clear", "YES=0"]):
        done = make(shell_env, *args)
        assert done.returncode != 0 and "cannot be undone; add YES=1" in done.stderr
    assert requests(sim, "DELETE", "/moderation/chat") == []


def test_a_stdout_that_cannot_take_the_line_is_one_line_on_stderr_not_a_traceback(sim, shell_env) -> None:
    """`focus.py say ... > /dev/full`: the message was sent, so exit 0, and stderr says why nothing was printed
    (Python would print a traceback, and again at exit for the line left in stdout's buffer)."""
    env = {k: v for k, v in shell_env.items() if k != "PYTHONUNBUFFERED"}  # stdout buffered, as in a script
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, str(ROOT / "focus.py"), "say", "brb 5 min"], cwd=ROOT, env=env,
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=t(30))
    seen("one-shot stderr", done.stderr)
    assert (done.returncode, done.stderr.splitlines()) == (
        0, ["focus: sent, but stdout could not take this line (No space left on device)"])
    assert len(requests(sim, "POST", "/chat/messages")) == 1


@pytest.mark.parametrize("args, bad", [([b"say", b"caf\xe9 au lait"], "argument 2 is not UTF-8 text (byte 0xe9)"),
                                       ([b"ban", b"loud_kettle", b"--reason", b"\xff"], "argument 4 is not UTF-8 "
                                                                                       "text (byte 0xff)"),
                                       ([b"history", b"\xc3"], "argument 2 is not UTF-8 text (byte 0xc3)")])
def test_an_argument_that_is_not_utf8_is_one_line_and_nothing_is_sent(sim, shell_env, args, bad) -> None:
    """Python hands such bytes on as lone surrogates; they were sent to Twitch as they were."""
    done = subprocess.run([sys.executable.encode(), str(ROOT / "focus.py").encode(), *args], cwd=ROOT, env=shell_env,
                          capture_output=True, timeout=t(30))
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr.decode() == f"focus: {bad}; nothing was done: check your terminal's or script's encoding\n"
    assert sim.requests == []


def test_make_auth_with_an_argument_that_is_not_utf8_is_one_line(sim, shell_env) -> None:
    """`make auth ARGS="--scopes ..."` with bytes that are not UTF-8: the lone surrogates reached the form sent
    to Twitch, and requests' encoding of it ended in a traceback."""
    args = [b"--device", b"--no-browser", b"--scopes", b"user:read:chat\xff"]
    done = subprocess.run([sys.executable.encode(), str(ROOT / "auth_server.py").encode(), *args], cwd=ROOT,
                          env=shell_env, capture_output=True, timeout=t(30))
    assert (done.returncode, done.stdout) == (2, b""), done.stderr
    assert done.stderr.decode() == ("auth: argument 4 is not UTF-8 text (byte 0xff); nothing was done: check your "
                                    "terminal's or script's encoding\n")
    assert sim.requests == []


def test_make_auth_with_a_client_id_that_is_not_text_is_one_line(sim, shell_env) -> None:
    """A TWITCH_CLIENT_ID of bytes that are not UTF-8 (a .env saved in another encoding, an environment): the
    device sign-in's form could not be encoded, a traceback."""
    env = {**shell_env, "TWITCH_CLIENT_ID": "focus-demo\udcff"}  # the byte 0xff, as Python reads it
    done = subprocess.run([sys.executable, str(ROOT / "auth_server.py"), "--device", "--no-browser"], cwd=ROOT,
                          env=env, capture_output=True, text=True, errors="replace", timeout=t(30))
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert done.stderr == ("auth: TWITCH_CLIENT_ID='focus-demo\\udcff' is not a client id\n  -> copy it again from "
                           "dev.twitch.tv/console: one word of letters and digits\n")
    assert sim.requests == []
