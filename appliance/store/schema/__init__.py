"""The database schema: one module per area's tables, applied in order by the migrations."""
