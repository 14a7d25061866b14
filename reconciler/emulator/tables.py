"""The emulator store's tables (``store.py`` says what each holds) and their version.

``PRAGMA user_version`` is the version: 0 for a file made before the ``refs`` index existed, which
is indexed once (from the rows it has) in the transaction that opens it; :data:`SCHEMA_VERSION` after.
"""

from __future__ import annotations

import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS entities (
    api TEXT NOT NULL,
    scope TEXT NOT NULL,
    container TEXT NOT NULL,
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    archived INTEGER NOT NULL DEFAULT 0,
    parent TEXT,
    subtype TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (api, scope, container, kind, id)
);
CREATE INDEX IF NOT EXISTS entities_in_order ON entities (api, scope, container, kind, seq);
CREATE TABLE IF NOT EXISTS refs (
    api TEXT NOT NULL,
    container TEXT NOT NULL,
    child_kind TEXT NOT NULL,
    child_id TEXT NOT NULL,
    parent_id TEXT NOT NULL,
    parent_seq INTEGER NOT NULL,
    located TEXT NOT NULL,
    PRIMARY KEY (api, container, child_kind, child_id, parent_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS refs_by_parent ON refs (api, container, parent_id);
"""
# 1: ``refs`` is complete (a store made before it had the table is indexed once when opened).
SCHEMA_VERSION = 1


def create(conn: sqlite3.Connection) -> None:
    """Create what is missing and bring an older file up to :data:`SCHEMA_VERSION` (inside the
    caller's write transaction, so two processes opening one file upgrade it once)."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)
    if int(conn.execute("PRAGMA user_version").fetchone()[0]) < SCHEMA_VERSION:
        _upgrade(conn)


def _upgrade(conn: sqlite3.Connection) -> None:
    """Index a store made before ``refs`` existed (the rows it has, in this transaction)."""
    if conn.execute("SELECT 1 FROM entities WHERE api = 'menus-v1' LIMIT 1").fetchone() is not None:
        # Imported here: what a Menus (New) row references is that API's knowledge, and a store
        # with no such rows (every new one) need not import it.
        from reconciler.emulator.menus import parents

        parents.rebuild(conn)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
