"""The shell commands on arguments past any sensible size: one line and an exit code, never a traceback."""

from __future__ import annotations

from pathlib import Path

from test_history_faults import seed
from test_history_flow import shell


def test_a_huge_limit_is_refused_in_one_line(env):
    seed(Path(env["FOCUS_DATA_DIR"]))
    res = shell(env, "history", "ann", "--limit", "99999999999999999999")
    assert res.returncode == 2 and res.stdout == "" and "Traceback" not in res.stderr
    assert res.stderr == "focus: --limit must be between 1 and 100,000\n"
    res = shell(env, "history", "ann", "--limit", "100000")
    assert res.returncode == 0 and res.stdout.splitlines()[-1].endswith("seeded")


def test_a_recap_since_ages_ago_covers_the_history_there_is(env):
    seed(Path(env["FOCUS_DATA_DIR"]))
    res = shell(env, "recap", "--since", "9999999999w")
    assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert "  messages      1 from 1 chatter (1 new)" in res.stdout.splitlines()
