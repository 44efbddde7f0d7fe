"""SQLite store shared by the UI process and the sync process (WAL mode)."""
