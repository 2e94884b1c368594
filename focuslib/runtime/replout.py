"""Where `focuslib.start()` prints chat in a Python REPL: above the prompt, never through it.

A REPL that runs on prompt_toolkit (IPython, ptpython) draws its own prompt: prompt_toolkit's StdoutProxy
hands each write to the running prompt (`run_in_terminal`), which prints it above and draws itself again.
The plain REPL reads its line with readline, which cannot be told to redraw: each batch of lines erases
the prompt's row, prints, and writes the prompt and what was typed so far again (readline's buffer), so
typing goes on where it was.
"""

from __future__ import annotations

import sys
from typing import TextIO


class PromptKeeper:
    """A stdout for focus's lines in the plain REPL (readline)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, text: str) -> int:
        prompt = getattr(sys, "ps1", "")
        typed = ""
        if prompt and "readline" in sys.modules:
            try:
                typed = sys.modules["readline"].get_line_buffer()
            except Exception:  # an editline or a stub without it: the prompt alone
                typed = ""
        self.out.write("\r\x1b[K" + text + (f"{prompt}{typed}" if prompt else ""))
        self.out.flush()
        return len(text)

    def flush(self) -> None:
        self.out.flush()

    def isatty(self) -> bool:
        return self.out.isatty()

    def close(self) -> None:
        pass


class ThroughPrompt:
    """prompt_toolkit's StdoutProxy without its `fileno`: focus writes through a stream's file descriptor when it
    has one (runtime/outwriter.py), which went around the proxy and over the REPL's prompt."""

    def __init__(self, proxy: TextIO) -> None:
        self.proxy = proxy

    def write(self, text: str) -> int:
        return self.proxy.write(text)

    def flush(self) -> None:
        self.proxy.flush()

    def isatty(self) -> bool:
        return self.proxy.isatty()

    def close(self) -> None:
        self.proxy.close()  # its thread ends once what it holds is written


def repl_out() -> TextIO:
    """A stdout for focus's lines that leaves this REPL's prompt intact."""
    if "prompt_toolkit" in sys.modules and ("IPython" in sys.modules or "ptpython" in sys.modules):
        from prompt_toolkit.patch_stdout import StdoutProxy

        return ThroughPrompt(StdoutProxy(raw=True))  # type: ignore[arg-type, return-value]
    return PromptKeeper(sys.stdout)  # type: ignore[return-value]
