"""The layers of focuslib/ and no import circles, checked by parsing every module's imports.

Every `import` and `from ... import` counts, wherever it stands: at the top, inside a function (a lazy
import is still a dependency), under `if TYPE_CHECKING:` (a type-only circle is still a circle).
A module imported by a name computed at run time (importlib) would be an edge nobody sees: none may be.

The layers (docs/development.md, The map): base = focuslib/__init__, errors, config, playground (the
running demo's marker), text and its combining-mark table (text_marks), threads, version, floodgate (a pure rate
gate the view and the chat memory share), usable by all.
  twitch/   the pure protocol                 base only
  view/     pure rendering                    base + twitch/'s event records (twitch/events*.py) and AutoMod's
                                              number table (twitch/automod.py): never the session, its actions,
                                              the command grammar or the subscription catalog
  screen/   screen mode's pane, writer, app   what view/ may, and view/ (prompt_toolkit draws it)
  net/      I/O to Twitch                     base + twitch/
  auth/     tokens and sign-in                base + net/ + twitch/
  store/, devlog/                             base + twitch/
  sim/      the simulated Twitch              base only (it stays an independent double of Twitch)
  settings  every setting read and checked    base + twitch/ (the event groups) + view/ (the /patterns/ check)
  runtime/, cli/                              anything
Base modules import only base modules.

Why view/ may read twitch/'s records at all: it renders them.  A line function is chosen by the record's type
(~50 of them) and reads its fields; the records are defined beside their parsers in twitch/events*.py.  Moving
them to a base module would only rename the dependency (and make "base" the protocol), and a type-only import
is an edge here too, so a view that dispatched on a `kind` string would still name the types it draws.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BASE = frozenset({"focuslib", "focuslib.errors", "focuslib.config", "focuslib.playground",
                  "focuslib.floodgate",
                  "focuslib.text", "focuslib.text_marks", "focuslib.threads", "focuslib.version"})
ANYTHING = None
MAY_IMPORT: dict[str, frozenset[str] | None] = {
    "twitch": frozenset(),
    "view": frozenset({"twitch"}),  # only RECORDS of twitch/: see `layer_violations`
    "screen": frozenset({"view", "twitch"}),  # screen mode's pane, writer and app: like view/, plus view/ itself
    "net": frozenset({"twitch"}),
    "auth": frozenset({"net", "twitch"}),
    "store": frozenset({"twitch"}),
    "devlog": frozenset({"twitch"}),
    "sim": frozenset(),
    "settings": frozenset({"twitch", "view"}),  # the one table of settings: it checks groups and /patterns/ too
    "runtime": ANYTHING,
    "cli": ANYTHING,
    "__main__": ANYTHING,  # `python -m focuslib`: the `focus` command (cli/entry.py)
    "api": ANYTHING,  # the public Python API (focuslib.connect, focuslib.start): focus's runtime behind it
}
# The package's own __init__ hands out the public API's names on first use (focuslib.connect): the one edge
# from the base to a layer above, lazy, so `import focuslib` (every script's first import) stays cheap.
PUBLIC_FACE = ("focuslib", "focuslib.api")


def modules(root: Path, package: str = "focuslib") -> dict[str, Path]:
    """Dotted module name -> file, for every module of `package` under `root` (a package is its __init__)."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _targets(name: str, path: Path, node: ast.Import | ast.ImportFrom, known: dict[str, Path],
             package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == package]
    base = node.module or ""
    if node.level:  # relative: from the module's own package, `level - 1` packages up
        here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        here = here[:len(here) - (node.level - 1)]
        base = ".".join(here + ([base] if base else []))
    if base.split(".")[0] != package:
        return []
    # `from pkg import name`: the submodule pkg.name when there is one, else pkg itself.
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]


def import_graph(root: Path, package: str = "focuslib") -> dict[str, set[str]]:
    """Module -> the package's modules it imports anywhere in its file (functions and TYPE_CHECKING too)."""
    known = modules(root, package)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _targets(name, path, node, known, package):
                    while target not in known and "." in target:  # an attribute of a module
                        target = target.rsplit(".", 1)[0]
                    if target in known and target != name:
                        graph[name].add(target)
    return graph


# The twitch/ modules view/ may import: the records it renders, and AutoMod's number table it numbers holds in.
RECORDS = re.compile(r"^focuslib\.twitch\.(events\w*|automod)$")


def layer(module: str) -> str:
    return "base" if module in BASE else module.split(".")[1]


def layer_violations(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for source, targets in sorted(graph.items()):
        own = layer(source)
        allowed = MAY_IMPORT.get(own, frozenset())
        for target in sorted(targets):
            other = layer(target)
            if other in ("base", own) or (source, target) == PUBLIC_FACE:  # base, its own package, the API
                continue
            if own == "base" or (allowed is not ANYTHING and other not in allowed):
                bad.append(f"{source} ({own}) imports {target} ({other})")
            elif own in ("view", "screen") and other == "twitch" and not RECORDS.match(target):
                bad.append(f"{source} ({own}) imports {target} (twitch, not a record module)")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_import_stays_within_the_layers():
    assert layer_violations(import_graph(ROOT)) == []


def test_there_is_no_import_circle_not_even_a_lazy_or_type_only_one():
    assert cycles(import_graph(ROOT)) == []


DYNAMIC = frozenset({"import_module", "__import__", "spec_from_file_location", "run_module", "run_path"})


def dynamic_imports(root: Path, package: str = "focuslib") -> list[str]:
    """Calls that import a module by a name computed at run time: the graph above cannot see their edge."""
    found = []
    for name, path in modules(root, package).items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if called in DYNAMIC:
                    found.append(f"{name}:{node.lineno} {called}()")
    return found


def test_no_module_is_imported_by_a_name_the_checker_cannot_read():
    assert dynamic_imports(ROOT) == []


def test_every_package_has_a_layer_rule():
    packages = {layer(name) for name in modules(ROOT)} - {"base"}
    assert packages <= set(MAY_IMPORT), packages - set(MAY_IMPORT)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_checker_finds_lazy_relative_and_type_only_edges(tmp_path):
    # A checker that cannot fail proves nothing: plant each kind of edge in a tiny copy of the layout.
    _write(tmp_path, {
        "focuslib/__init__.py": "",
        "focuslib/errors.py": "",
        "focuslib/twitch/__init__.py": "",
        "focuslib/twitch/session.py": "from typing import TYPE_CHECKING\n"
                                      "if TYPE_CHECKING:\n    from focuslib.view.render import Renderer\n",
        "focuslib/view/__init__.py": "",
        "focuslib/view/render.py": "from focuslib.twitch import session\nfrom . import lines\n",
        "focuslib/view/present.py": "from focuslib.twitch.events import ChatMessage\nfrom focuslib.twitch import automod\n",
        "focuslib/twitch/events.py": "",
        "focuslib/twitch/automod.py": "",
        "focuslib/sim/__init__.py": "",
        "focuslib/sim/server.py": "from focuslib.config import Settings\nfrom focuslib.twitch import events\n",
        "focuslib/config.py": "",
        "focuslib/view/lines.py": "def f():\n    from .render import g\n",
        "focuslib/net/__init__.py": "",
        "focuslib/net/helix.py": "import focuslib.errors\ndef f():\n    import focuslib.auth.tokens\n",
        "focuslib/auth/__init__.py": "",
        "focuslib/auth/tokens.py": "from focuslib import errors\nfrom focuslib.net.helix import Helix\n",
    })
    graph = import_graph(tmp_path)
    _write(tmp_path, {"focuslib/view/colors.py": "import importlib\n"
                                                 "def f():\n    return importlib.import_module('focuslib.auth')\n"})
    assert dynamic_imports(tmp_path) == ["focuslib.view.colors:3 import_module()"]
    assert graph["focuslib.view.render"] == {"focuslib.twitch.session", "focuslib.view.lines"}
    assert graph["focuslib.auth.tokens"] == {"focuslib.errors", "focuslib.net.helix"}
    assert layer_violations(graph) == [
        "focuslib.net.helix (net) imports focuslib.auth.tokens (auth)",
        "focuslib.sim.server (sim) imports focuslib.twitch.events (twitch)",
        "focuslib.twitch.session (twitch) imports focuslib.view.render (view)",
        "focuslib.view.render (view) imports focuslib.twitch.session (twitch, not a record module)",
    ]
    assert sorted(cycles(graph)) == [
        ["focuslib.auth.tokens", "focuslib.net.helix"],
        ["focuslib.twitch.session", "focuslib.view.lines", "focuslib.view.render"],
    ]


# -- the chat memory decides, the App draws ---------------------------------------------------------------------------
# The chat memory (runtime/memory.py and its parts) returns records (runtime/memory_records.py) that the App draws
# (runtime/memory_draw.py); it must not reach the view, not even through another module, nor hold or call a
# renderer, presenter or terminal.

MEMORY = frozenset({"focuslib.runtime.memory", "focuslib.runtime.memory_records", "focuslib.runtime.memory_setup",
                    "focuslib.runtime.holding", "focuslib.runtime.hold", "focuslib.runtime.loading",
                    "focuslib.runtime.vetting", "focuslib.runtime.recall", "focuslib.runtime.doors"})
# What drawing looks like: the view's objects by name (held, passed or called), and the renderer's and terminal's
# methods that draw or mark, called on anything (`entry.quiet`, a held chatter's silenced placeholder, is a field).
DRAWING = frozenset({"terminal", "Terminal", "renderer", "_renderer", "Renderer", "presenter", "_presenter",
                     "Presenter", "last_rows", "screen"})
DRAWING_CALLS = frozenset({"quiet", "notice", "mark_first", "hide_quote", "withhold", "line", "status", "bell",
                           "event", "show"})


def reach(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module `start` imports, directly or through others."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for nxt in graph.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def memory_reaches_view(graph: dict[str, set[str]], memory: frozenset[str] = MEMORY) -> list[str]:
    return sorted(f"{name} reaches {target}" for name in memory if name in graph
                  for target in reach(graph, name) if layer(target) in ("view", "screen"))


def drawing_names(root: Path, memory: frozenset[str] = MEMORY) -> list[str]:
    """Names and attributes in the memory's modules that draw (`self.terminal.line`, `renderer.quiet(...)`)."""
    found = []
    for name, path in modules(root).items():
        if name not in memory:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            word = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
            if isinstance(node, ast.arg):
                word = node.arg
            if word in DRAWING:
                found.append(f"{name}:{node.lineno} {word}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DRAWING_CALLS:
                found.append(f"{name}:{node.lineno} {node.func.attr}()")
    return sorted(found)


def test_the_chat_memory_reaches_no_view_module():
    graph = import_graph(ROOT)
    assert MEMORY <= set(graph), MEMORY - set(graph)  # a module renamed away would pass unseen
    assert memory_reaches_view(graph) == []


def test_the_chat_memory_never_holds_nor_calls_a_renderer_or_a_terminal():
    assert drawing_names(ROOT) == []


def test_the_memory_checks_find_a_planted_drawing(tmp_path):
    _write(tmp_path, {
        "focuslib/__init__.py": "",
        "focuslib/view/__init__.py": "",
        "focuslib/view/terminal.py": "",
        "focuslib/runtime/__init__.py": "",
        "focuslib/runtime/hold.py": "",
        "focuslib/runtime/private.py": "from focuslib.view import terminal\n",
        "focuslib/runtime/memory.py": "from typing import TYPE_CHECKING\nfrom focuslib.runtime import hold\n"
                                      "if TYPE_CHECKING:\n    from focuslib.runtime import private\n"
                                      "class ChatMemory:\n    def f(self, text):\n"
                                      "        self.terminal.line(self._renderer().quiet(text))\n",
    })
    assert memory_reaches_view(import_graph(tmp_path)) == [
        "focuslib.runtime.memory reaches focuslib.view.terminal"]  # through runtime/private.py
    assert drawing_names(tmp_path) == ["focuslib.runtime.memory:7 _renderer", "focuslib.runtime.memory:7 line()",
                                       "focuslib.runtime.memory:7 quiet()", "focuslib.runtime.memory:7 terminal"]


# -- one name, one meaning ------------------------------------------------------------------------------------------
# A class name defined in two modules makes a reader (and a search) guess which one a line means: `Held` was once
# a first-time chatter in the hold queue, an AutoMod hold in the executor and AutoMod's table entry.  No exceptions
# (none is needed: a record a layer below already has is imported, not redefined).


def class_names(root: Path, package: str = "focuslib") -> dict[str, list[str]]:
    """Top-level class name -> the modules defining it (classes nested in functions or classes are local)."""
    found: dict[str, list[str]] = {}
    for name, path in modules(root, package).items():
        for node in ast.parse(path.read_text(encoding="utf-8"), str(path)).body:
            if isinstance(node, ast.ClassDef):
                found.setdefault(node.name, []).append(name)
    return found


def name_collisions(root: Path, package: str = "focuslib") -> dict[str, list[str]]:
    return {cls: where for cls, where in sorted(class_names(root, package).items())
            if len(where) > 1}


def test_each_class_name_is_defined_once():
    assert name_collisions(ROOT) == {}


def test_the_name_check_finds_a_class_defined_twice(tmp_path):
    _write(tmp_path, {
        "focuslib/__init__.py": "",
        "focuslib/twitch/__init__.py": "",
        "focuslib/twitch/commands.py": "class Ban:\n    pass\nclass Say:\n    pass\n",
        "focuslib/twitch/events.py": "from typing import NamedTuple\nclass Ban(NamedTuple):\n    user: str\n"
                                     "def f():\n    class Say:  # local: not a module's name\n        pass\n",
    })
    assert name_collisions(tmp_path) == {"Ban": ["focuslib.twitch.commands", "focuslib.twitch.events"]}


# -- names a reader can follow --------------------------------------------------------------------------------------
# `commands as C` makes every use site a riddle (`C.Ban` beside the event `ChannelBan`); a module is imported by its
# name, or under a word that says what it is.


def one_letter_aliases(root: Path, package: str = "focuslib") -> list[str]:
    found = []
    for name, path in modules(root, package).items():
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # bench/.venv (made by make bench) holds other people's code, not ours
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found += [f"{name}:{node.lineno} {alias.name} as {alias.asname}"
                          for alias in node.names if alias.asname is not None and len(alias.asname) == 1]
    return found


def test_no_module_is_imported_under_a_single_letter():
    assert one_letter_aliases(ROOT) == []


def test_no_test_or_bench_module_imports_under_a_single_letter():
    # Tests and the bench are read as examples of the API: the same rule holds there.
    assert one_letter_aliases(ROOT, "tests") + one_letter_aliases(ROOT, "bench") == []


def test_the_alias_check_finds_a_single_letter(tmp_path):
    _write(tmp_path, {
        "focuslib/__init__.py": "",
        "focuslib/runtime/__init__.py": "",
        "focuslib/runtime/talk.py": "from focuslib.twitch import commands as C\nimport json as j\n"
                                    "from focuslib.sim import payloads_chat as chat\n",
    })
    assert one_letter_aliases(tmp_path) == ["focuslib.runtime.talk:1 commands as C", "focuslib.runtime.talk:2 json as j"]


def test_the_alias_check_skips_a_virtualenv_inside_the_bench(tmp_path):
    # make bench creates bench/.venv; make test must still pass after it
    (tmp_path / "bench" / ".venv" / "lib").mkdir(parents=True)
    (tmp_path / "bench" / ".venv" / "lib" / "other.py").write_text("import os as o\n")
    (tmp_path / "bench" / "ours.py").write_text("import os as o\n")
    assert [hit.split(":")[0] for hit in one_letter_aliases(tmp_path, "bench")] == ["bench.ours"]
