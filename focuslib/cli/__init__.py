"""Command lines: focus (and its subcommands), doctor, make auth, devlog's printer."""
