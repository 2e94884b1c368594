"""Memory: the SQLite chat history (writer thread, schema, queries)."""
