"""The devlog FIFO: the writer focus feeds, the reader devlog.py tails, the record format."""
