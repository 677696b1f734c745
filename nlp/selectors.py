"""Reads for text analysis: the gazetteer index (cached per process) and stored analyses."""

from __future__ import annotations

import threading

from django.db.models import Count, Max

from nlp.gazetteer import Building, GazetteerIndex
from nlp.models import AppealAnalysis, GazetteerAddress

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[int, int], GazetteerIndex]] = {}


def gazetteer_index() -> GazetteerIndex:
    """The gazetteer as an in-memory index; rebuilt only when the table changed (one cheap query)."""
    stamp_row = GazetteerAddress.objects.aggregate(n=Count("pk"), top=Max("pk"))
    stamp = (stamp_row["n"] or 0, stamp_row["top"] or 0)
    cached = _cache.get("index")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        rows = GazetteerAddress.objects.values_list("address", "district", "lat", "lon", "street_key", "house")
        index = GazetteerIndex(
            Building(address=a, district=d, lat=lat, lon=lon, street_key=k, house=h) for a, d, lat, lon, k, h in rows
        )
        _cache["index"] = (stamp, index)
    return index


def districts() -> list[str]:
    """Districts the gazetteer knows, for choosing in routing rules."""
    return list(
        GazetteerAddress.objects.exclude(district="").values_list("district", flat=True).distinct().order_by("district")
    )


def analysis_for(appeal_id: int) -> AppealAnalysis | None:
    return AppealAnalysis.objects.filter(appeal_id=appeal_id).first()
