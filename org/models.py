"""The body, its departments, staff and their roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import TimeStampedModel
from org.choices import RoleCode, UnitKind


class Body(TimeStampedModel):
    """A public body (administration, committee) that receives appeals."""

    name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=200)
    code = models.SlugField("код", max_length=50, unique=True, help_text="Латиницей, используется в номерах и API.")
    address = models.CharField("почтовый адрес", max_length=500, blank=True)
    email = models.EmailField("e-mail", blank=True)
    phone = models.CharField("телефон", max_length=50, blank=True)
    head_name = models.CharField("руководитель (ФИО)", max_length=200, blank=True)
    head_position = models.CharField("должность руководителя", max_length=200, blank=True)

    class Meta:
        ordering = ["short_name"]
        verbose_name = "орган"
        verbose_name_plural = "органы"

    def __str__(self) -> str:
        return self.short_name


class Department(TimeStampedModel):
    """A unit of the body: a department, a territorial unit or a subordinate institution."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="departments", verbose_name="орган")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="входит в"
    )
    name = models.CharField("наименование", max_length=300)
    short_name = models.CharField("краткое наименование", max_length=100, blank=True)
    kind = models.CharField("вид", max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    head = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="headed_departments",
        verbose_name="руководитель",
    )
    email = models.EmailField("e-mail", blank=True)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        ordering = ["body", "name"]
        verbose_name = "подразделение"
        verbose_name_plural = "подразделения"
        constraints = [models.UniqueConstraint(fields=["body", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.short_name or self.name

    def subtree_ids(self) -> set[int]:
        """Ids of this unit and every unit below it."""
        result = {self.pk}
        frontier = {self.pk}
        while frontier:
            frontier = set(Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - result
            result |= frontier
        return result


class Role(models.Model):
    """A role a staff member can hold; the codes are fixed, the names are for people."""

    code = models.CharField("код", max_length=30, unique=True, choices=RoleCode.choices)
    name = models.CharField("название", max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = "роль"
        verbose_name_plural = "роли"

    def __str__(self) -> str:
        return self.name


class StaffMember(TimeStampedModel):
    """A user who works in the body: their unit, position and roles."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff", verbose_name="пользователь"
    )
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="staff", verbose_name="орган")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name="подразделение"
    )
    position = models.CharField("должность", max_length=200, blank=True)
    patronymic = models.CharField("отчество", max_length=150, blank=True)
    phone = models.CharField("телефон", max_length=50, blank=True)
    roles = models.ManyToManyField(Role, related_name="staff", blank=True, verbose_name="роли")
    is_absent = models.BooleanField(
        "отсутствует", default=False, help_text="Отпуск, болезнь: новые вопросы не назначаются."
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        verbose_name = "сотрудник"
        verbose_name_plural = "сотрудники"

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        parts = [self.user.last_name, self.user.first_name, self.patronymic]
        return " ".join(p for p in parts if p) or self.user.get_username()

    @property
    def short_name(self) -> str:
        """Surname and initials: «Петрова А. С.»."""
        initials = " ".join(f"{p[0]}." for p in (self.user.first_name, self.patronymic) if p)
        return f"{self.user.last_name} {initials}".strip() or self.user.get_username()


class Substitution(TimeStampedModel):
    """While `absent` is away, `substitute` sees and handles their questions."""

    absent = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="substituted_by", verbose_name="замещаемый"
    )
    substitute = models.ForeignKey(
        StaffMember, on_delete=models.CASCADE, related_name="substitutes_for", verbose_name="замещающий"
    )
    starts_on = models.DateField("с")
    ends_on = models.DateField("по")
    reason = models.CharField("основание", max_length=255, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = "замещение"
        verbose_name_plural = "замещения"
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="substitution_period_valid"),
            models.CheckConstraint(condition=~Q(absent=models.F("substitute")), name="substitution_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.substitute} за {self.absent} ({self.starts_on:%d.%m}–{self.ends_on:%d.%m.%Y})"
