"""The running focus: set-up and tear-down, the main loop and its typed inbox, the pid lock."""
