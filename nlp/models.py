"""The territory's gazetteer and what was read from each appeal's text."""

from __future__ import annotations

from django.db import models


class GazetteerAddress(models.Model):
    """A building of the territory: its address, district and coordinates (`otklik import-gazetteer`)."""

    address = models.CharField("адрес", max_length=500)
    street_key = models.CharField("улица (ключ)", max_length=200, db_index=True)
    house = models.CharField("дом (ключ)", max_length=50, blank=True)
    district = models.CharField("район", max_length=200, blank=True, db_index=True)
    lat = models.FloatField("широта", null=True, blank=True)
    lon = models.FloatField("долгота", null=True, blank=True)

    class Meta:
        ordering = ["address"]
        verbose_name = "адрес справочника"
        verbose_name_plural = "справочник адресов территории"
        indexes = [models.Index(fields=["street_key", "house"], name="gazetteer_street_house")]

    def __str__(self) -> str:
        return self.address


class AppealAnalysis(models.Model):
    """What the text analysis read from an appeal: cleaned text, entities, place, signals."""

    appeal = models.OneToOneField(
        "appeals.Appeal", on_delete=models.CASCADE, related_name="analysis", verbose_name="обращение"
    )
    body = models.TextField("текст без служебных частей", blank=True)
    data = models.JSONField("сущности", default=dict, blank=True)
    signals = models.JSONField("сигналы", default=list, blank=True)
    district = models.CharField("район", max_length=200, blank=True, db_index=True)
    place_precision = models.CharField("точность места", max_length=20, blank=True)
    place_address = models.CharField("адрес по справочнику", max_length=500, blank=True)
    lat = models.FloatField(null=True, blank=True)
    lon = models.FloatField(null=True, blank=True)
    analysed_at = models.DateTimeField("проанализировано")

    class Meta:
        verbose_name = "анализ текста"
        verbose_name_plural = "анализ текста обращений"

    def __str__(self) -> str:
        return f"анализ {self.appeal_id}"

    @property
    def signal_codes(self) -> list[str]:
        return [s.get("code", "") for s in self.signals]
