"""Writes of classification: the official file, local categories, suggestions, confirmations, models."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction

from appeals import rules as appeal_rules
from appeals import services as appeal_services
from appeals.choices import EventKind, QuestionType
from appeals.models import AppealEvent, Question
from classification.choices import ModelStatus, SuggestionSource, SuggestionStatus
from classification.engine import Choice, Understanding, Vocabulary
from classification.models import ClassifierEntry, LocalCategory, ModelVersion, Suggestion
from classification.selectors import training_rows
from classification.training import train_bundle
from core import clock
from org.choices import RoleCode
from org.selectors import actor_for

CODE_RE = re.compile(r"^\d{4}(\.\d{4}){3}(\.\d{4})?$")
REQUIRED_COLUMNS = ("code", "level", "name", "parent_code")


class ClassifierImportError(ValueError):
    """The file cannot be imported; nothing was changed."""


@dataclass
class ImportReport:
    """What an import did, for the command to print."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    deactivated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.deactivated)


@dataclass(frozen=True)
class _Row:
    code: str
    level: int
    name: str
    parent_code: str


def _parse(text: str) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ClassifierImportError(f"в файле нет столбцов: {', '.join(missing)}")
    rows: list[_Row] = []
    errors: list[str] = []
    seen: set[str] = set()
    for line_no, raw in enumerate(reader, start=2):
        code = (raw.get("code") or "").strip()
        name = " ".join((raw.get("name") or "").split())
        parent = (raw.get("parent_code") or "").strip()
        level_raw = (raw.get("level") or "").strip()
        if not CODE_RE.match(code):
            errors.append(f"строка {line_no}: неверный код {code!r}")
            continue
        if not level_raw.isdigit() or not 1 <= int(level_raw) <= 5:
            errors.append(f"строка {line_no}: неверный уровень {level_raw!r}")
            continue
        if not name:
            errors.append(f"строка {line_no}: пустое наименование")
            continue
        if code in seen:
            errors.append(f"строка {line_no}: код {code} повторяется")
            continue
        if parent and not CODE_RE.match(parent):
            errors.append(f"строка {line_no}: неверный код родителя {parent!r}")
            continue
        seen.add(code)
        rows.append(_Row(code=code, level=int(level_raw), name=name, parent_code=parent))
    for row in rows:
        if row.parent_code and row.parent_code not in seen:
            errors.append(f"код {row.code}: родитель {row.parent_code} отсутствует в файле")
    if errors:
        shown = "\n".join(errors[:20])
        more = f"\n… и ещё {len(errors) - 20}" if len(errors) > 20 else ""
        raise ClassifierImportError(f"файл не загружен, ошибок: {len(errors)}\n{shown}{more}")
    if not rows:
        raise ClassifierImportError("файл не содержит ни одного кода")
    return rows


def read_classifier_file(path: Path) -> str:
    """Read the file as UTF-8 (with or without BOM), falling back to cp1251."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ClassifierImportError("файл не в кодировке UTF-8 или Windows-1251")


@transaction.atomic
def classifier_import(*, text: str, deactivate_missing: bool = False) -> ImportReport:
    """Create or update the codes of the file; idempotent. Validates everything before writing."""
    rows = _parse(text)
    report = ImportReport()
    existing = {e.code: e for e in ClassifierEntry.objects.all()}
    # Parents come before children once sorted by level, so every parent exists when needed.
    for row in sorted(rows, key=lambda r: (r.level, r.code)):
        parent = existing.get(row.parent_code) if row.parent_code else None
        entry = existing.get(row.code)
        if entry is None:
            entry = ClassifierEntry.objects.create(
                code=row.code, level=row.level, name=row.name, parent=parent, section=row.code[:4], is_active=True
            )
            existing[row.code] = entry
            report.created.append(row.code)
            continue
        changes = {
            "level": row.level,
            "name": row.name,
            "parent_id": parent.pk if parent else None,
            "is_active": True,
        }
        dirty = [f for f, v in changes.items() if getattr(entry, f) != v]
        if dirty:
            for f in dirty:
                setattr(entry, f, changes[f])
            entry.save(update_fields=dirty)
            report.updated.append(row.code)
        else:
            report.unchanged += 1
    if deactivate_missing:
        in_file = {r.code for r in rows}
        stale = [code for code, e in existing.items() if code not in in_file and e.is_active]
        ClassifierEntry.objects.filter(code__in=stale).update(is_active=False)
        report.deactivated.extend(sorted(stale))
    return report


def entries_by_codes(codes: Iterable[str]) -> dict[str, ClassifierEntry]:
    return {e.code: e for e in ClassifierEntry.objects.filter(code__in=list(codes))}


# --- local categories -------------------------------------------------------------------

LOCAL_COLUMNS = ("reason_id", "reason", "category")


@dataclass
class LocalImportReport:
    categories: int = 0
    reasons: int = 0


@transaction.atomic
def local_categories_import(*, text: str) -> LocalImportReport:
    """Load a portal's categories and reasons (reason_id, reason, category[, city_object, description]).

    Categories become parents, reasons their children; mappings to official codes set in the
    admin are kept. Idempotent; the file is validated before anything changes.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in LOCAL_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ClassifierImportError(f"в файле нет столбцов: {', '.join(missing)}")
    rows = list(reader)
    errors = [
        f"строка {i}: пустой код, причина или категория"
        for i, r in enumerate(rows, start=2)
        if not (
            (r.get("reason_id") or "").strip() and (r.get("reason") or "").strip() and (r.get("category") or "").strip()
        )
    ]
    if errors:
        raise ClassifierImportError("файл не загружен:\n" + "\n".join(errors[:20]))
    report = LocalImportReport()
    parents: dict[str, LocalCategory] = {}
    for name in sorted({(r["category"] or "").strip() for r in rows}):
        code = "cat-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]  # noqa: S324 — a stable key, not security
        parent, created = LocalCategory.objects.update_or_create(
            code=code, defaults={"name": name[:500], "is_active": True}
        )
        parents[name] = parent
        report.categories += int(created)
    for r in rows:
        _, created = LocalCategory.objects.update_or_create(
            code=r["reason_id"].strip()[:50],
            defaults={
                "name": " ".join(r["reason"].split())[:500],
                "parent": parents[r["category"].strip()],
                "object_type": (r.get("city_object") or "").strip()[:200],
                "description": (r.get("description") or "").strip(),
                "is_active": True,
            },
        )
        report.reasons += int(created)
    return report


# --- suggestions ------------------------------------------------------------------------


def _event(question: Question, actor: User | None, *, field: str, old: str, new: str, note: str) -> None:
    """A history entry for a change made here (the system acts when `actor` is None)."""
    AppealEvent.objects.create(
        appeal_id=question.appeal_id,
        question=question,
        actor=actor if actor is not None and actor.is_authenticated else None,
        at=clock.now(),
        kind=EventKind.CHANGED,
        field=field,
        old_value=old,
        new_value=new,
        note=note,
    )


def _code_label(entry: ClassifierEntry | None) -> str:
    return f"{entry.code} {entry.name}" if entry is not None else "—"


def _choices(items: list[Choice]) -> list[dict[str, Any]]:
    return [{"value": c.value, "label": c.label, "confidence": c.confidence} for c in items]


def _words(pairs: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [{"word": w, "weight": round(float(v), 4)} for w, v in pairs if w]


def auto_threshold() -> float:
    return settings.OTKLIK_AUTO_CLASSIFY_PERCENT / 100


@transaction.atomic
def question_classify(
    *,
    question: Question,
    understanding: Understanding,
    vocabulary: Vocabulary,
    model_version_id: int | None = None,
    replace: bool = True,
) -> Suggestion:
    """Store the suggestion for a question; set the code at once when the suggestion is sure enough.

    Only a model, a rule or a category mapping may set a code without a person; similarity to
    the classifier's names never does. A question that already has a code keeps it. `replace=False`
    is the registration path: the question is new, so the suggestion is simply created.
    """
    if not replace:
        return questions_classify_new(
            [(question, understanding)], vocabulary=vocabulary, model_version_id=model_version_id
        )[0]
    values, apply = _suggestion_values(question, understanding, vocabulary, model_version_id)
    suggestion, _ = Suggestion.objects.update_or_create(question=question, defaults=values)
    if apply:
        _apply_code(question, understanding, vocabulary)
    return suggestion


@transaction.atomic
def questions_classify_new(
    understood: Sequence[tuple[Question, Understanding]], *, vocabulary: Vocabulary, model_version_id: int | None
) -> list[Suggestion]:
    """The registration path of `question_classify` for many new questions: one insert of the
    suggestions, then the codes that are sure enough are set (each with its history entry)."""
    rows = []
    applied = []
    for question, understanding in understood:
        values, apply = _suggestion_values(question, understanding, vocabulary, model_version_id)
        rows.append(Suggestion(question=question, **values))
        if apply:
            applied.append((question, understanding))
    suggestions = Suggestion.objects.bulk_create(rows)
    for question, understanding in applied:
        _apply_code(question, understanding, vocabulary)
    return suggestions


def _suggestion_values(
    question: Question, understanding: Understanding, vocabulary: Vocabulary, model_version_id: int | None
) -> tuple[dict[str, Any], bool]:
    """The suggestion's fields, and whether its code is set on the question at once."""
    code = understanding.code
    local = understanding.local
    code_id = vocabulary.code_ids.get(code.value) if code else None
    values: dict[str, Any] = {
        "classifier_id": code_id,
        "confidence": code.confidence if code else 0.0,
        "alternatives": _choices(code.alternatives) if code else [],
        "explanation": _words(code.explanation) if code else [],
        "source": code.source if code else SuggestionSource.NONE,
        "local_category_id": vocabulary.local_ids.get(local.value) if local else None,
        "local_confidence": local.confidence if local else 0.0,
        "local_alternatives": _choices(local.alternatives) if local else [],
        "qtype": understanding.qtype.value,
        "qtype_confidence": understanding.qtype.confidence,
        "kind": understanding.kind.value,
        "kind_confidence": understanding.kind.confidence,
        "model_version_id": model_version_id,
        "status": SuggestionStatus.SUGGESTED,
        "created_at": clock.now(),
    }
    trusted = code is not None and code.source in (
        SuggestionSource.MODEL,
        SuggestionSource.RULES,
        SuggestionSource.MAPPING,
    )
    apply = (
        code is not None
        and code_id is not None
        and trusted
        and question.classifier_id is None
        and code.confidence >= auto_threshold()
    )
    if apply:
        values["status"] = SuggestionStatus.APPLIED
    return values, apply


def _apply_code(question: Question, understanding: Understanding, vocabulary: Vocabulary) -> None:
    code = understanding.code
    code_id = vocabulary.code_ids.get(code.value) if code is not None else None
    if code is None or code_id is None:  # only a suggestion with a known code is applied
        return
    Question.objects.filter(pk=question.pk).update(classifier_id=code_id)
    question.classifier_id = code_id
    _event(
        question,
        None,
        field=str(Question._meta.get_field("classifier").verbose_name),
        old="—",
        new=f"{code.value} {code.label}",
        note=f"Присвоен автоматически: уверенность {round(code.confidence * 100)} %",
    )


def _require_editor(actor: User, question: Question) -> None:
    info = actor_for(actor)
    if not (appeal_rules.can_edit_appeal(info, question.appeal) or appeal_rules.can_assign(info, question)):
        raise PermissionDenied(
            "Подтверждать и исправлять классификацию может оператор, руководитель или администратор."
        )


def _set_local(question: Question, suggestion: Suggestion, category: LocalCategory | None, actor: User) -> None:
    if suggestion.local_assigned_id == (category.pk if category else None):
        return
    old = suggestion.local_assigned.name if suggestion.local_assigned else "—"
    suggestion.local_assigned = category
    _event(question, actor, field="местная категория", old=old, new=category.name if category else "—", note="")


@transaction.atomic
def suggestion_confirm(*, question: Question, actor: User) -> Suggestion:
    """One click: the suggested code, local category and type become the question's."""
    question = Question.objects.select_related("appeal", "classifier").get(pk=question.pk)
    _require_editor(actor, question)
    suggestion = (
        Suggestion.objects.select_related("classifier", "local_category", "local_assigned")
        .filter(question=question)
        .first()
    )
    if suggestion is None or (suggestion.classifier is None and suggestion.local_category is None):
        raise ValidationError("Для этого вопроса нет подсказки: выберите код вручную.")
    changes: dict[str, Any] = {}
    if suggestion.classifier is not None and suggestion.classifier.is_active:
        changes["classifier"] = suggestion.classifier
    if suggestion.qtype:
        changes["qtype"] = suggestion.qtype
    if changes:
        appeal_services.question_update(question=question, actor=actor, **changes)
    if suggestion.local_category is not None:
        _set_local(question, suggestion, suggestion.local_category, actor)
    suggestion.status = SuggestionStatus.CONFIRMED
    suggestion.decided_by = actor
    suggestion.decided_at = clock.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "local_assigned"])
    return suggestion


@transaction.atomic
def suggestion_correct(
    *, question: Question, actor: User, code: str = "", local_code: str = "", qtype: str = ""
) -> Suggestion:
    """The operator's choice replaces the suggestion; it becomes a training example."""
    question = Question.objects.select_related("appeal", "classifier").get(pk=question.pk)
    _require_editor(actor, question)
    if not (code or local_code or qtype):
        raise ValidationError("Выберите код классификатора, местную категорию или тип вопроса.")
    changes: dict[str, Any] = {}
    entry = None
    if code:
        entry = ClassifierEntry.objects.filter(code=code.strip(), is_active=True, level__gte=4).first()
        if entry is None:
            raise ValidationError(f"Кода «{code.strip()[:40]}» нет среди действующих кодов вопросов классификатора.")
        changes["classifier"] = entry
    if qtype:
        if qtype not in QuestionType.values:
            raise ValidationError("Неизвестный тип вопроса.")
        changes["qtype"] = qtype
    category = None
    if local_code:
        category = LocalCategory.objects.filter(code=local_code.strip(), is_active=True).first()
        if category is None:
            raise ValidationError("Такой местной категории нет.")
    suggestion, _ = Suggestion.objects.select_related("classifier", "local_category", "local_assigned").get_or_create(
        question=question, defaults={"created_at": clock.now()}
    )
    if changes:
        appeal_services.question_update(question=question, actor=actor, **changes)
    if category is not None:
        _set_local(question, suggestion, category, actor)
    agrees = (entry is None or entry.pk == suggestion.classifier_id) and (
        category is None or category.pk == suggestion.local_category_id
    )
    suggestion.status = (
        SuggestionStatus.CONFIRMED if agrees and suggestion.classifier_id else SuggestionStatus.CORRECTED
    )
    suggestion.decided_by = actor
    suggestion.decided_at = clock.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "local_assigned"])
    return suggestion


# --- models -----------------------------------------------------------------------------


class TrainingRefused(ValidationError):
    """Training cannot start now (another one runs, or the actor may not)."""


def _require_administrator(actor: User | None) -> None:
    if actor is not None and not actor_for(actor).has(RoleCode.ADMINISTRATOR):
        raise PermissionDenied("Обучать модели и выбирать действующую может только администратор.")


def _next_number() -> int:
    return (ModelVersion.objects.aggregate(m=models.Max("number"))["m"] or 0) + 1


@transaction.atomic
def model_training_start(*, actor: User | None) -> ModelVersion:
    """Queue a training run (the worker does it); refused while another one is queued or running."""
    _require_administrator(actor)
    if ModelVersion.objects.filter(status__in=[ModelStatus.QUEUED, ModelStatus.TRAINING]).exists():
        raise TrainingRefused("Обучение уже идёт: дождитесь его окончания.")
    version = ModelVersion.objects.create(
        number=_next_number(),
        status=ModelStatus.QUEUED,
        trained_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=clock.now(),
        stage="в очереди",
    )
    from classification.tasks import train_models

    transaction.on_commit(lambda: train_models.enqueue(version_id=version.pk))
    return version


def _progress_writer(version_id: int) -> Callable[[float, str], None]:
    last = {"percent": -1, "stage": ""}

    def write(share: float, stage: str) -> None:
        percent = min(99, int(share * 100))
        if percent == last["percent"] and stage == last["stage"]:
            return
        last.update(percent=percent, stage=stage)
        # Outside any transaction of the caller: the page polling the progress sees it at once.
        ModelVersion.objects.filter(pk=version_id).update(progress=percent, stage=stage[:200])

    return write


def _better_or_equal(new: dict[str, Any], old: dict[str, Any]) -> bool:
    """The new bundle is no worse than the old on every target both have (one point of slack)."""
    for target, figures in old.items():
        if "accuracy" not in figures:
            continue
        if "accuracy" not in new.get(target, {}):
            return False
        if new[target]["accuracy"] < figures["accuracy"] - 0.01:
            return False
    return True


def model_train(
    *,
    actor: User | None = None,
    version: ModelVersion | None = None,
    activate: str = "always",
    progress: Callable[[float, str], None] | None = None,
) -> ModelVersion:
    """Train a model bundle on the body's history and store it with its metrics.

    `activate`: "always" makes it the active model, "if_better" only when it is no worse than
    the active one, "never" keeps it for an administrator to choose. Progress is written to the
    version row as it goes, so it is not one transaction; the final write and activation are.
    """
    _require_administrator(actor)
    if version is None:
        with transaction.atomic():
            if ModelVersion.objects.filter(status=ModelStatus.TRAINING).exists():
                raise TrainingRefused("Обучение уже идёт: дождитесь его окончания.")
            version = ModelVersion.objects.create(
                number=_next_number(),
                status=ModelStatus.QUEUED,
                trained_by=actor if actor is not None and actor.is_authenticated else None,
                created_at=clock.now(),
            )
    ModelVersion.objects.filter(pk=version.pk).update(
        status=ModelStatus.TRAINING, started_at=clock.now(), progress=0, stage="сбор истории"
    )
    write = _progress_writer(version.pk)

    def report(share: float, stage: str) -> None:
        write(share, stage)
        if progress is not None:
            progress(share, stage)

    try:
        result = train_bundle(training_rows(), min_samples=settings.OTKLIK_MODEL_MIN_SAMPLES, progress=report)
    except Exception as exc:
        # The message names the exception only: texts of appeals never go into an error field.
        ModelVersion.objects.filter(pk=version.pk).update(
            status=ModelStatus.FAILED, finished_at=clock.now(), error=f"{exc.__class__.__name__}", stage="ошибка"
        )
        raise
    with transaction.atomic():
        version = ModelVersion.objects.select_for_update().get(pk=version.pk)
        version.status = ModelStatus.READY if result.targets else ModelStatus.FAILED
        version.metrics = result.metrics
        version.samples = result.samples
        version.artifact = result.blob or None
        version.size = len(result.blob)
        version.finished_at = clock.now()
        version.progress = 100
        version.stage = "готово" if result.targets else "недостаточно истории"
        if not result.targets:
            version.error = "Ни для одной цели нет достаточной истории подтверждённых решений."
        version.save()
        current = ModelVersion.objects.filter(is_active=True).first()
        should = version.status == ModelStatus.READY and (
            activate == "always"
            or (activate == "if_better" and (current is None or _better_or_equal(version.metrics, current.metrics)))
        )
        if should:
            _activate(version)
    if progress is not None:
        progress(1.0, version.stage)
    return version


def _activate(version: ModelVersion) -> None:
    ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    ModelVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True


@transaction.atomic
def model_activate(*, version: ModelVersion, actor: User | None) -> ModelVersion:
    """Make a ready version the active one (a rollback is activating an older version)."""
    _require_administrator(actor)
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != ModelStatus.READY or not version.artifact:
        raise ValidationError("Действующей можно сделать только успешно обученную модель.")
    _activate(version)
    return version


@transaction.atomic
def model_deactivate(*, actor: User | None) -> None:
    """Go back to rules and similarity only (no trained model)."""
    _require_administrator(actor)
    ModelVersion.objects.filter(is_active=True).update(is_active=False)
