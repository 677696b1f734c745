"""Inserting many new rows whose ids nobody needs back, as cheaply as the database allows.

`QuerySet.bulk_create` compiles every value of every row through the query compiler (and asks
for the ids back); for the wide rows registration writes by the thousand — stage plans, history
lines, routing decisions — most of its time goes there. `insert_rows` prepares each value the
way a save does (`pre_save`, then the field's database preparation) and sends one statement
with many parameter rows. Like `bulk_create` it sends no signals and calls no `save()`.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router


def insert_rows(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert `objs` (new instances of `model`, ids left unset) in one executemany."""
    if not objs:
        return
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key or not isinstance(f, models.AutoField)]
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608
        f"VALUES ({placeholders})"
    )
    rows = []
    for obj in objs:
        # A related object saved after it was assigned lends its id now (as bulk_create does).
        obj._prepare_related_fields_for_save(operation_name="insert_rows")  # type: ignore[attr-defined]
        rows.append([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
