"""Applicants (people and organisations), their contacts and the log of personal-data access."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from people.choices import (
    ApplicantKind,
    ContactKind,
    DataAccessAction,
    DedupRunStatus,
    Gender,
    SuspicionSource,
    SuspicionStatus,
)


class Applicant(TimeStampedModel):
    """A person or an organisation who writes to the body."""

    kind = models.CharField("вид", max_length=20, choices=ApplicantKind.choices, default=ApplicantKind.PERSON)
    surname = models.CharField("фамилия", max_length=150, blank=True)
    first_name = models.CharField("имя", max_length=150, blank=True)
    patronymic = models.CharField("отчество", max_length=150, blank=True)
    gender = models.CharField("пол", max_length=1, choices=Gender.choices, blank=True, default=Gender.UNKNOWN)
    organisation_name = models.CharField("наименование организации", max_length=500, blank=True)
    inn = models.CharField("ИНН", max_length=12, blank=True)
    gosuslugi_id = models.CharField("ID на Госуслугах", max_length=64, blank=True)
    consent_personal_data = models.BooleanField("согласие на обработку ПДн", default=False)
    consent_personal_data_at = models.DateTimeField("дата согласия", null=True, blank=True)
    consent_notifications = models.BooleanField("согласие на уведомления", default=False)
    note = models.TextField("примечание", blank=True)
    search_name = models.CharField(max_length=600, editable=False, db_index=True, default="")
    # Left by duplicate merging: a merged card points at the card that absorbed it.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_cards", editable=False
    )
    # Normal forms matching compares (people.matching.record.MatchRecord), kept by the services.
    match_profile = models.JSONField(default=dict, editable=False)
    anonymised_at = models.DateTimeField("обезличен", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["surname", "first_name", "patronymic"]
        verbose_name = "заявитель"
        verbose_name_plural = "заявители"
        constraints = [
            models.UniqueConstraint(
                fields=["gosuslugi_id"],
                condition=~Q(gosuslugi_id="") & Q(merged_into__isnull=True),
                name="applicant_unique_gosuslugi_id",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.anonymised_at is not None:
            return f"Заявитель № {self.pk} (обезличен)"
        if self.kind == ApplicantKind.ORGANISATION:
            return self.organisation_name or "Организация без названия"
        name = " ".join(p for p in (self.surname, self.first_name, self.patronymic) if p)
        return name or "Аноним"

    @property
    def is_anonymous(self) -> bool:
        return self.kind == ApplicantKind.PERSON and not self.surname

    def save(self, *args: object, **kwargs: object) -> None:
        from people.index import applicant_changed
        from people.normalize import search_key

        self.search_name = search_key(self.surname, self.first_name, self.patronymic, self.organisation_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        applicant_changed(self)


class Contact(TimeStampedModel):
    """A phone, e-mail, postal address or messenger account of an applicant."""

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="contacts", verbose_name="заявитель"
    )
    kind = models.CharField("вид", max_length=20, choices=ContactKind.choices)
    value = models.CharField("значение", max_length=500)
    normalized = models.CharField(max_length=500, editable=False, db_index=True)
    is_primary = models.BooleanField("основной", default=False)

    class Meta:
        ordering = ["kind", "-is_primary", "pk"]
        verbose_name = "контакт"
        verbose_name_plural = "контакты"
        constraints = [
            models.UniqueConstraint(fields=["applicant", "kind", "normalized"], name="contact_unique_per_applicant")
        ]
        indexes = [models.Index(fields=["kind", "normalized"], name="contact_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    def save(self, *args: object, **kwargs: object) -> None:
        from people.index import applicant_changed
        from people.normalize import normalize_contact

        self.normalized = normalize_contact(self.kind, self.value)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
        applicant_changed(self.applicant)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        from people.index import applicant_changed

        result = super().delete(*args, **kwargs)  # type: ignore[arg-type]
        applicant_changed(self.applicant)
        return result


class PersonalDataAccess(models.Model):
    """One look at (or export of) an applicant's personal data by a staff member."""

    applicant = models.ForeignKey(
        Applicant, on_delete=models.CASCADE, related_name="access_log", verbose_name="заявитель"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="сотрудник"
    )
    at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    action = models.CharField(
        "действие", max_length=10, choices=DataAccessAction.choices, default=DataAccessAction.VIEW
    )
    context = models.CharField("где", max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = "доступ к персональным данным"
        verbose_name_plural = "журнал доступа к персональным данным"

    def __str__(self) -> str:
        return f"{self.at:%d.%m.%Y %H:%M} {self.user} {self.get_action_display()}"


class MatchKey(models.Model):
    """A blocking key a card is filed under (people.matching.keys): a lookup reads only the cards
    that share one of its keys. The key is a 64-bit hash, so the table holds no readable data."""

    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="match_keys")
    key = models.BigIntegerField()

    class Meta:
        verbose_name = "ключ поиска заявителя"
        verbose_name_plural = "ключи поиска заявителей"
        indexes = [models.Index(fields=["key", "applicant"], name="matchkey_lookup")]

    def __str__(self) -> str:
        return f"{self.applicant_id}: {self.key}"


class NameFrequency(models.Model):
    """How many cards carry a name part («s|иванов», «f|анна»): agreeing on a rare name says more.
    Recounted by `name_frequencies_rebuild`; the row «total» holds the number of cards counted."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "частота имени"
        verbose_name_plural = "частоты имён"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class ApplicantMerge(models.Model):
    """One merge of duplicate cards into a surviving card, with everything needed to undo it."""

    target = models.ForeignKey(
        Applicant, on_delete=models.PROTECT, related_name="merges_received", verbose_name="итоговая карточка"
    )
    merged = models.ManyToManyField(Applicant, related_name="merges_absorbed", verbose_name="объединённые карточки")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто объединил",
    )
    at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    reason = models.CharField("основание", max_length=300, blank=True)
    # Fields, contacts and signatures of every card before the merge (see services._snapshot).
    snapshot = models.JSONField(default=dict, editable=False)
    undone_at = models.DateTimeField("отменено", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто отменил",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "объединение карточек"
        verbose_name_plural = "объединения карточек"

    def __str__(self) -> str:
        return f"Объединение № {self.pk} в карточку № {self.target_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class DedupRun(models.Model):
    """A batch search for duplicates over the whole registry; its progress is shown while it runs."""

    status = models.CharField("состояние", max_length=10, choices=DedupRunStatus.choices, default=DedupRunStatus.QUEUED)
    auto_merge = models.BooleanField("объединять бесспорные дубликаты автоматически", default=False)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    started_at = models.DateTimeField("начата", null=True, blank=True)
    finished_at = models.DateTimeField("завершена", null=True, blank=True)
    total = models.PositiveIntegerField("карточек к проверке", default=0)
    processed = models.PositiveIntegerField("проверено", default=0)
    last_applicant_id = models.BigIntegerField(default=0, editable=False)
    suspicions = models.PositiveIntegerField("найдено возможных дубликатов", default=0)
    merges = models.PositiveIntegerField("объединено автоматически", default=0)
    error = models.CharField("ошибка", max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "пакетная проверка дубликатов"
        verbose_name_plural = "пакетные проверки дубликатов"

    def __str__(self) -> str:
        return f"Проверка № {self.pk} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == DedupRunStatus.DONE else 0
        return min(100, round(100 * self.processed / self.total))

    @property
    def is_active(self) -> bool:
        return self.status in (DedupRunStatus.QUEUED, DedupRunStatus.RUNNING)


class DuplicateSuspicion(models.Model):
    """Two cards that may be one person: the review queue. `first` is always the older card."""

    first = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="+", verbose_name="карточка 1")
    second = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="+", verbose_name="карточка 2")
    weight = models.FloatField("вес совпадения")
    probability = models.FloatField("вероятность")
    # [{"field": ..., "level": ..., "weight": ...}], the why of the score.
    evidence = models.JSONField(default=list)
    source = models.CharField("откуда", max_length=20, choices=SuspicionSource.choices)
    run = models.ForeignKey(DedupRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(
        "решение", max_length=10, choices=SuspicionStatus.choices, default=SuspicionStatus.PENDING
    )
    created_at = models.DateTimeField("найдено", auto_now_add=True)
    decided_at = models.DateTimeField("решено", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-probability", "pk"]
        verbose_name = "возможный дубликат"
        verbose_name_plural = "возможные дубликаты"
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="suspicion_unique_pair"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="suspicion_ordered_pair"),
        ]
        indexes = [models.Index(fields=["status", "-probability"], name="suspicion_queue")]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.probability:.0%})"

    @property
    def percent(self) -> str:
        return "> 99,9 %" if self.probability >= 0.999 else f"{self.probability * 100:.0f} %"

    @property
    def reasons(self) -> list[tuple[str, float]]:
        """The stored evidence as a person reads it: (label, weight)."""
        from people.matching.model import Evidence

        return [(Evidence(e["field"], e["level"], e["weight"]).label, e["weight"]) for e in self.evidence]
