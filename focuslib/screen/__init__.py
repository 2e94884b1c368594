"""Screen mode (issue 19): what focus draws when it owns the terminal.  The header row is `header.py`."""
