"""Applicants (people and organisations), their contacts and the log of personal-data access."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from people.choices import ApplicantKind, ContactKind, DataAccessAction, Gender


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
        if self.kind == ApplicantKind.ORGANISATION:
            return self.organisation_name or "Организация без названия"
        name = " ".join(p for p in (self.surname, self.first_name, self.patronymic) if p)
        return name or "Аноним"

    @property
    def is_anonymous(self) -> bool:
        return self.kind == ApplicantKind.PERSON and not self.surname

    def save(self, *args: object, **kwargs: object) -> None:
        from people.normalize import search_key

        self.search_name = search_key(self.surname, self.first_name, self.patronymic, self.organisation_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


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
        from people.normalize import normalize_contact

        self.normalized = normalize_contact(self.kind, self.value)
        super().save(*args, **kwargs)  # type: ignore[arg-type]


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
