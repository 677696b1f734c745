"""Inserting many new rows whose ids nobody needs back, as cheaply as the database allows.

`QuerySet.bulk_create` compiles every value of every row through the query compiler (and asks
for the ids back); for the wide rows registration writes by the thousand — stage plans, history
lines, routing decisions — most of its time goes there. `insert_rows` prepares each value the
way a save does and sends one statement with many parameter rows: plain text, number and
flag columns (and foreign keys) are passed as they are, with the type the field would give
them; everything else (dates and times, JSON, defaults filled in on save such as `auto_now`)
goes through the field's own `pre_save` and database preparation. Like `bulk_create` it sends
no signals and calls no `save()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields import AutoFieldMixin

# Field classes whose value goes to the database as the Python type below (None stays None).
_PLAIN: tuple[tuple[type[models.Field], Callable[[Any], Any]], ...] = (
    (models.BooleanField, bool),
    (models.CharField, str),
    (models.TextField, str),
    (models.FloatField, float),
    (models.IntegerField, int),  # and the small, big and positive kinds
)


def _converter(field: models.Field, connection: BaseDatabaseWrapper) -> Callable[[models.Model], Any]:
    attname = field.attname
    if field.is_relation:  # a foreign key: its id column, as stored on the instance
        return lambda obj: getattr(obj, attname)
    for kind, cast in _PLAIN:
        if type(field) is kind or (isinstance(field, kind) and kind is models.IntegerField):

            def plain(obj: models.Model, attname: str = attname, cast: Callable[[Any], Any] = cast) -> Any:
                value = getattr(obj, attname)
                return None if value is None else cast(value)

            return plain
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


def _link_related(obj: models.Model, relations: Sequence[models.Field]) -> None:
    """A related object saved after it was assigned lends its id now (as bulk_create does)."""
    for field in relations:
        if getattr(obj, field.attname) is None and field.is_cached(obj):  # type: ignore[attr-defined]
            related = field.get_cached_value(obj)  # type: ignore[attr-defined]
            if related is not None:
                if related.pk is None:
                    raise ValueError(f"insert_rows(): the related {field.name} of {obj!r} is not saved")
                setattr(obj, field.attname, related.pk)


def insert_rows(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert `objs` (new instances of `model`, ids left unset) in one executemany."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    relations = [f for f in fields if f.is_relation]
    converters = [_converter(f, connection) for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(str(f.column)) for f in fields)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = []
    for obj in objs:
        _link_related(obj, relations)
        rows.append([convert(obj) for convert in converters])
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
