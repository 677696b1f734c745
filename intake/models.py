"""Incoming items: whatever a channel delivered, stored as received before anything reads it."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from appeals.choices import Channel
from core.models import TimeStampedModel
from intake.choices import SCAN_CONTENT_TYPES, Disposition, ItemStatus


class IncomingItem(TimeStampedModel):
    """One delivery of one channel. The pair (channel, source id) is unique: the same letter,
    row or request delivered again — also at the same moment — is this item, never a second one."""

    channel = models.CharField("канал", max_length=20, choices=Channel.choices)
    source_id = models.CharField("идентификатор в источнике", max_length=200)
    body = models.ForeignKey(
        "org.Body", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="орган"
    )
    payload = models.FileField("содержимое как получено", upload_to="intake/%Y/%m/%d/", max_length=300)
    payload_size = models.PositiveBigIntegerField("размер, байт", default=0)
    payload_sha256 = models.CharField(max_length=64, editable=False, default="")
    content_type = models.CharField("тип содержимого", max_length=100)
    headers = models.JSONField("заголовки", default=dict, blank=True)
    received_at = models.DateTimeField("поступило", db_index=True)
    status = models.CharField(
        "состояние", max_length=20, choices=ItemStatus.choices, default=ItemStatus.RECEIVED, db_index=True
    )
    title = models.CharField("тема", max_length=300, blank=True)
    error = models.TextField("ошибка", blank=True)
    attempts = models.PositiveSmallIntegerField("попыток регистрации", default=0)
    appeal = models.ForeignKey(
        "appeals.Appeal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incoming_items",
        verbose_name="обращение",
    )
    disposition = models.CharField("решение", max_length=20, choices=Disposition.choices, blank=True)
    disposition_note = models.TextField("комментарий к решению", blank=True)
    dispositioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="кто разобрал",
    )
    dispositioned_at = models.DateTimeField("когда разобрано", null=True, blank=True)
    # A paper scan cannot be registered from its bytes: the operator checks the recognised text
    # and the applicant, and registration reads this document (the operator's form, as JSON).
    checked = models.JSONField("проверено оператором", default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "входящее"
        verbose_name_plural = "входящие"
        constraints = [
            models.UniqueConstraint(fields=["channel", "source_id"], name="incoming_unique_source_id"),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="incoming_status_received")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.source_id}"

    @property
    def is_scan(self) -> bool:
        """A scanned paper letter: registered from the operator's check, not from its bytes."""
        return self.content_type in SCAN_CONTENT_TYPES


class ScanPage(models.Model):
    """One page of a paper scan: the image shown beside the text, and what Tesseract read."""

    item = models.ForeignKey(IncomingItem, on_delete=models.CASCADE, related_name="scan_pages")
    number = models.PositiveSmallIntegerField("страница")
    image = models.FileField("изображение", upload_to="intake/scans/%Y/%m/%d/", max_length=300)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    text = models.TextField("распознанный текст", blank=True)

    class Meta:
        ordering = ["item", "number"]
        verbose_name = "страница скана"
        verbose_name_plural = "страницы скана"
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="scan_page_unique_number")]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.number}"


class IntegrationClient(TimeStampedModel):
    """A system that sends appeals through the REST API with its own token (only its hash is kept)."""

    name = models.CharField("наименование", max_length=200)
    code = models.SlugField("код", max_length=50, unique=True)
    channel = models.CharField("канал", max_length=20, choices=Channel.choices, default=Channel.EPGU)
    body = models.ForeignKey(
        "org.Body", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="орган"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_prefix = models.CharField("начало токена", max_length=8, editable=False)
    is_active = models.BooleanField("действует", default=True)
    last_used_at = models.DateTimeField("последнее обращение", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "клиент API"
        verbose_name_plural = "клиенты API"

    def __str__(self) -> str:
        return self.name

    # DRF treats request.user as authenticated when this is true.
    @property
    def is_authenticated(self) -> bool:
        return True


class ImportMapping(TimeStampedModel):
    """How the columns of one source's export (ПОС, ССТУ.РФ, an old system) map to an appeal's
    fields; saved by the first import and reused by the next ones."""

    source = models.SlugField("источник", max_length=50, unique=True)
    channel = models.CharField("канал", max_length=20, choices=Channel.choices, default=Channel.EDMS)
    columns = models.JSONField("соответствие полей и столбцов", default=dict)
    id_column = models.CharField(
        "столбец с номером в источнике", max_length=200, blank=True, help_text="Пусто: строка узнаётся по содержимому."
    )

    class Meta:
        ordering = ["source"]
        verbose_name = "сопоставление столбцов импорта"
        verbose_name_plural = "сопоставления столбцов импорта"

    def __str__(self) -> str:
        return self.source


class WebSubmission(TimeStampedModel):
    """An appeal written in the internet reception, waiting for its e-mail confirmation code.
    The document (text, applicant, attachments) is stored as it will be received; confirmed,
    it goes through the entry service like any channel."""

    token = models.CharField(max_length=43, unique=True, editable=False)
    document = models.FileField("документ", upload_to="reception/%Y/%m/%d/", max_length=300)
    email = models.EmailField("e-mail для подтверждения")
    code_hash = models.CharField(max_length=64, editable=False)
    attempts = models.PositiveSmallIntegerField("попыток ввода кода", default=0)
    address_hash = models.CharField(max_length=64, db_index=True, editable=False)
    expires_at = models.DateTimeField("код действует до")
    confirmed_at = models.DateTimeField("подтверждено", null=True, blank=True)
    item = models.OneToOneField(
        IncomingItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="web_submission"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "обращение из интернет-приёмной"
        verbose_name_plural = "обращения из интернет-приёмной"

    def __str__(self) -> str:
        return f"{self.pk}"


class ImportRun(TimeStampedModel):
    """One import of a file started from the web page; the task fills in progress and the report."""

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        RUNNING = "running", "Идёт"
        DONE = "done", "Завершён"
        FAILED = "failed", "Не выполнен"

    mapping = models.ForeignKey(ImportMapping, on_delete=models.PROTECT, related_name="runs", verbose_name="источник")
    file = models.FileField("файл", upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField("имя файла", max_length=255)
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField("строк", default=0)
    done = models.PositiveIntegerField("обработано", default=0)
    new = models.PositiveIntegerField("новых", default=0)
    repeated = models.PositiveIntegerField("повторных", default=0)
    invalid = models.PositiveIntegerField("с ошибками", default=0)
    errors = models.JSONField("ошибки по строкам", default=list, blank=True)
    error = models.TextField("ошибка", blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="кто запустил"
    )
    finished_at = models.DateTimeField("завершён", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "импорт файла"
        verbose_name_plural = "импорт файлов"

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class TelegramChat(TimeStampedModel):
    """The bot's dialogue with one private chat while an appeal is being written: the text, the
    place, the files, the name. Deleted when the appeal is sent or cancelled, and when abandoned
    (`OTKLIK_TELEGRAM_DIALOGUE_HOURS`), files included."""

    class Step(models.TextChoices):
        TEXT = "text", "Текст обращения"
        NAME = "name", "Имя и контакт"
        CONFIRM = "confirm", "Подтверждение"

    chat_id = models.BigIntegerField("чат", unique=True)
    step = models.CharField("шаг", max_length=20, choices=Step.choices, default=Step.TEXT)
    text = models.TextField("текст", blank=True)
    latitude = models.FloatField("широта", null=True, blank=True)
    longitude = models.FloatField("долгота", null=True, blank=True)
    # [{"name": shown name, "path": storage name}] of files already checked and stored.
    files = models.JSONField("файлы", default=list, blank=True)
    profile_first_name = models.CharField("имя в Telegram", max_length=150, blank=True)
    profile_last_name = models.CharField("фамилия в Telegram", max_length=150, blank=True)
    full_name = models.CharField("как обращаться", max_length=450, blank=True)
    surname = models.CharField("фамилия", max_length=150, blank=True)
    first_name = models.CharField("имя", max_length=150, blank=True)
    phone = models.CharField("телефон", max_length=50, blank=True)

    class Meta:
        verbose_name = "диалог Telegram"
        verbose_name_plural = "диалоги Telegram"

    def __str__(self) -> str:
        return f"{self.pk}"


class TelegramUpdate(models.Model):
    """An update_id the webhook has acted on: the same update delivered again is ignored."""

    update_id = models.BigIntegerField(primary_key=True)
    processed_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "обработанное обновление Telegram"
        verbose_name_plural = "обработанные обновления Telegram"

    def __str__(self) -> str:
        return str(self.update_id)
