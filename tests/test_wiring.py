"""The App is wired at construction (runtime/wiring.py): nothing assigns its hooks, or its session's or parser's
settings, on a built App from outside; what is known only later is a `Late`, set once and read once."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from focuslib.runtime.wiring import Hooks, Late

ROOT = Path(__file__).resolve().parent.parent
# The App's own module, and the modules that define what it owns (they set their own attributes through `self`).
OWNERS = {"focuslib/runtime/app.py", "focuslib/twitch/session.py", "focuslib/twitch/messages.py"}
BUILT = {"app", "session", "parser"}  # App, Session, FrameParser: as set-up and the rest of focuslib name them


def outside_assignments(root: Path) -> list[str]:
    """`app.x = ...`, `app.session.x = ...`, `handle.app.x = ...`, `parser.x = ...` outside their owners (the
    simulator's sessions are its own records, not focus's Session)."""
    found = []
    for path in sorted((root / "focuslib").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in OWNERS or rel.startswith("focuslib/sim/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), rel)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, (ast.AugAssign, ast.AnnAssign)) else []
            for target in targets:
                if not isinstance(target, ast.Attribute):
                    continue
                owner = target.value
                name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                if name in BUILT:
                    found.append(f"{rel}:{node.lineno} {ast.unparse(target)}")
    return found


def test_nothing_outside_the_app_assigns_its_hooks_or_its_session_and_parser_settings():
    assert outside_assignments(ROOT) == []


def test_the_assignment_check_finds_a_planted_hook(tmp_path):
    (tmp_path / "focuslib" / "runtime").mkdir(parents=True)
    (tmp_path / "focuslib" / "runtime" / "setup.py").write_text(
        "def f(app, handle):\n    app.on_show = print\n    handle.app.memory = None\n    app.session.desired = ()\n"
        "    app.parser.channel: str = ''\n    self.app = app\n")
    (tmp_path / "focuslib" / "runtime" / "app.py").write_text("def f(app):\n    app.memory = None\n")
    assert outside_assignments(tmp_path) == [
        "focuslib/runtime/setup.py:2 app.on_show", "focuslib/runtime/setup.py:3 handle.app.memory",
        "focuslib/runtime/setup.py:4 app.session.desired", "focuslib/runtime/setup.py:5 app.parser.channel"]


def test_a_late_part_is_set_once_and_never_after_the_app_read_it():
    memory: Late[str] = Late("the chat memory")
    assert memory.set("memory") == "memory" and memory.get() == "memory"
    with pytest.raises(RuntimeError, match="the chat memory is wired once"):
        memory.set("another")
    unset: Late[str] = Late("the token check")
    assert unset.get() is None  # none was built (twitch-cli's mock: no token keeper)
    with pytest.raises(RuntimeError):  # too late: the App's loop has started without it
        unset.set("late")


def test_each_app_gets_late_parts_of_its_own():
    one, two = Hooks(), Hooks()
    one.memory.set("one")
    assert two.memory.get() is None and one.memory.get() == "one"
