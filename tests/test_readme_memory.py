"""docs/memory.md (Chat memory, moved there from the README) shows real output: tests/readme_memory.py plays its
scripted streams against focus.py and the shell commands, and every block it prints must be on that page (times
aside)."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT, t

TIMES = [(re.compile(r"\d{4}-\d\d-\d\d"), "DATE"), (re.compile(r"\d\d:\d\d"), "HH:MM"),
         (re.compile(r"\(\d+ (?:s|min)\)"), "(DURATION)"),
         (re.compile(r"^  per minute .*$", re.MULTILINE), "  per minute SPARKLINE")]  # a run may cross a minute


def masked(text: str) -> str:
    for pattern, mask in TIMES:
        text = pattern.sub(mask, text)
    return text


def test_the_memory_page_shows_what_the_chat_memory_commands_print_today():
    res = subprocess.run([sys.executable, "tests/readme_memory.py"], cwd=ROOT, capture_output=True, text=True,
                         timeout=t(180))
    assert res.returncode == 0, res.stderr
    page = masked((ROOT / "docs" / "memory.md").read_text(encoding="utf-8"))
    blocks = res.stdout.strip("\n").split("\n\n")
    assert len(blocks) == 6 and blocks[0].startswith("· held: new chatter ") and blocks[1].startswith("recap ")
    blocks[0] = "  " + blocks[0]  # indented in its list item
    for block in blocks:
        assert masked(block) in page, f"docs/memory.md does not show this (run tests/readme_memory.py):\n{block}"
