"""Locks that several worker processes take in the database, held until the transaction ends.

SQLite takes its one write lock for every writing transaction, so these are needed — and
taken — only on PostgreSQL, as transaction-level advisory locks.
"""

from __future__ import annotations

import zlib

from django.db import connection, transaction


def _key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (the same in every process and release)."""
    return zlib.crc32(f"otklik:{name}".encode()) - 2**31


def transaction_lock(name: str) -> None:
    """Wait for and hold the lock `name` until the surrounding transaction commits or rolls back.

    What a holder wrote is visible to the next holder: it takes the lock only after the commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transaction_lock() must run inside a transaction")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
