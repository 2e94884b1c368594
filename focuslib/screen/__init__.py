"""Screen mode: focus draws the whole terminal (issue 19).

`pane.py` keeps the chat pane's lines (bounded, keyed, taken back in place), `writer.py` is the main thread's
way in (the same interface as view/terminal.py's `Terminal`), `header.py` is the header row's model and its
one-row rendering, `app.py` is the full-screen prompt_toolkit application that draws the header, the pane and
the desk in a thread of its own.
"""
