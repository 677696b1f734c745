"""Reads of incoming items for the «Входящие» page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from intake.choices import ItemStatus
from intake.models import IncomingItem

# What needs a person: failed items, scans waiting for a check, and items not registered yet.
ATTENTION = (ItemStatus.FAILED, ItemStatus.RECOGNISED, ItemStatus.RECEIVED)


def inbox(filters: dict[str, Any]) -> QuerySet[IncomingItem]:
    qs = IncomingItem.objects.select_related("appeal", "dispositioned_by")
    status = filters.get("status") or ""
    if status == "":
        qs = qs.filter(status__in=ATTENTION)
    elif status != "all":
        qs = qs.filter(status=status)
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("q"):
        q = filters["q"].strip()
        qs = qs.filter(Q(title__icontains=q) | Q(source_id__icontains=q) | Q(error__icontains=q))
    tz = timezone.get_current_timezone()
    if filters.get("date_from"):
        qs = qs.filter(received_at__gte=dt.datetime.combine(filters["date_from"], dt.time.min, tzinfo=tz))
    if filters.get("date_to"):
        qs = qs.filter(
            received_at__lt=dt.datetime.combine(filters["date_to"], dt.time.min, tzinfo=tz) + dt.timedelta(days=1)
        )
    return qs


def status_counts() -> dict[str, int]:
    rows = IncomingItem.objects.values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}
