"""A clone's scripts on the wrong Python: `python3 focus.py stop` where python3 is not the checkout's .venv.

Each script calls `ensure` before it imports anything else of focus.  When this interpreter is older than
3.11 or lacks a requirement, the script is run again with the checkout's `.venv/bin/python` (what `make venv`
made), or, with no usable .venv, one line says to run `make venv`: never a ModuleNotFoundError traceback.
The look-up (`find_spec`, no import) costs about a millisecond.  This module must stay importable by any
Python 3 (no newer syntax): it is what runs before we know which Python this is.
"""

import importlib.util
import os
import sys

# requirements.txt's distributions and the name each is imported by (tests/test_package.py keeps them the same).
REQUIRED = (("websocket-client", "websocket"), ("websockets", "websockets"), ("python-dotenv", "dotenv"),
            ("wcwidth", "wcwidth"), ("orjson", "orjson"), ("requests", "requests"),
            ("prompt_toolkit", "prompt_toolkit"), ("argcomplete", "argcomplete"))
MINIMUM = (3, 11)
AGAIN = "_FOCUS_BOOTSTRAPPED"  # set for the re-run only, so a broken .venv is said, never re-run in a loop


def missing():
    """What this interpreter lacks to run focus: [] when nothing."""
    if sys.version_info < MINIMUM:
        return ["Python %d.%d or newer" % MINIMUM]
    return [dist for dist, name in REQUIRED if importlib.util.find_spec(name) is None]


def ensure(script, prog):
    """Return when this Python can run `script`; else re-run it with the checkout's .venv or exit in one line."""
    lacking = missing()
    again = os.environ.pop(AGAIN, None)
    if not lacking:
        return
    root = os.path.dirname(os.path.realpath(script))  # a link to focus.py (~/bin/focus): the clone it points into
    venv = os.path.join(root, ".venv", "bin", "python")
    here = os.path.realpath(sys.prefix) == os.path.realpath(os.path.join(root, ".venv"))
    if not again and not here and os.access(venv, os.X_OK):
        os.environ[AGAIN] = "1"
        try:
            os.execv(venv, [venv, os.path.abspath(script)] + sys.argv[1:])
        except OSError:
            pass  # a .venv whose Python is gone (moved, deleted): say what to do below
    what = ", ".join(lacking)
    if again or here:
        sys.stderr.write("%s: the checkout's .venv lacks %s: run `make venv` in %s (it reinstalls them)\n"
                         % (prog, what, root))
    else:
        sys.stderr.write("%s: this Python (%s) lacks %s: run `make venv` in %s, then run it again\n"
                         % (prog, sys.executable, what, root))
    sys.exit(2)
