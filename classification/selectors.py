"""Reads of the classifier, models and suggestions; the suggestion engine built from the database."""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from appeals.choices import Kind, QuestionType
from classification.choices import ModelStatus
from classification.engine import Engine, Vocabulary
from classification.learning import bundle
from classification.learning.features import Record
from classification.models import ClassificationRule, ClassifierEntry, LocalCategory, ModelVersion, Suggestion
from classification.rules import RuleSet, RuleSpec, split_lines
from classification.similarity import SimilarityIndex, entry_description


def question_codes() -> QuerySet[ClassifierEntry]:
    """Active codes a question can carry (вопрос and уточнение levels)."""
    return ClassifierEntry.objects.filter(is_active=True, level__gte=4).order_by("code")


def search_codes(term: str, limit: int = 20) -> list[ClassifierEntry]:
    term = term.strip()
    if not term:
        return list(question_codes()[:limit])
    return list(question_codes().filter(Q(code__startswith=term) | Q(name__icontains=term))[:limit])


def active_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(is_active=True).defer("artifact").first()


def versions() -> QuerySet[ModelVersion]:
    return ModelVersion.objects.defer("artifact").select_related("trained_by").order_by("-number")


def running_version() -> ModelVersion | None:
    return versions().filter(status__in=[ModelStatus.QUEUED, ModelStatus.TRAINING]).first()


def suggestions_for(question_ids: list[int]) -> dict[int, Suggestion]:
    """Suggestions of several questions in one query (the appeal card shows them all)."""
    rows = Suggestion.objects.filter(question_id__in=question_ids).select_related(
        "classifier", "local_category", "local_assigned", "model_version"
    )
    return {s.question_id: s for s in rows.only(
        "question_id", "classifier__code", "classifier__name", "confidence", "alternatives", "explanation",
        "source", "local_category__name", "local_category__code", "local_confidence", "local_alternatives",
        "local_assigned__name", "local_assigned__code", "qtype", "qtype_confidence", "kind", "kind_confidence",
        "model_version__number", "status", "decided_at",
    )}  # fmt: skip


# --- the engine ------------------------------------------------------------------------

_lock = threading.Lock()
_engine_cache: dict[str, tuple[tuple[Any, ...], Engine]] = {}


def _stamp() -> tuple[Any, ...]:
    """Changes whenever anything the engine is built from changes — in one query of sub-selects."""
    from org.models import Department

    tables = {
        "ce": ClassifierEntry._meta.db_table,
        "lc": LocalCategory._meta.db_table,
        "cr": ClassificationRule._meta.db_table,
        "mv": ModelVersion._meta.db_table,
        "dp": Department._meta.db_table,
    }
    # Table names come from the models, nothing from a user.
    sql = (  # noqa: S608
        "SELECT (SELECT COUNT(*) FROM {ce}), (SELECT MAX(id) FROM {ce}), "
        "(SELECT SUM(LENGTH(name) + LENGTH(description) + CASE WHEN is_active THEN 1 ELSE 0 END) FROM {ce}), "
        "(SELECT COUNT(*) FROM {lc}), (SELECT MAX(id) FROM {lc}), "
        "(SELECT SUM(LENGTH(name) + LENGTH(description) + CASE WHEN is_active THEN 1 ELSE 0 END + COALESCE(classifier_id, 0)) FROM {lc}), "
        "(SELECT COUNT(*) FROM {cr}), (SELECT MAX(updated_at) FROM {cr}), "
        "(SELECT MAX(id) FROM {mv} WHERE is_active = %s), "
        "(SELECT COUNT(*) FROM {dp}), (SELECT MAX(updated_at) FROM {dp})"
    ).format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, [True])
        row = cursor.fetchone()
    return tuple(row or ())


def _code_index(entries: list[ClassifierEntry]) -> SimilarityIndex:
    by_code = {e.code: e for e in entries}
    texts = []
    for e in entries:
        if e.level < 4 or not e.is_active:
            continue
        ancestors = []
        parent = by_code.get(e.parent.code) if e.parent_id and e.parent else None
        while parent is not None and parent.level >= 2:
            ancestors.append(parent.name)
            parent = by_code.get(parent.parent.code) if parent.parent_id and parent.parent else None
        texts.append((e.code, entry_description(e.name, ancestors, e.description)))
    return SimilarityIndex(texts)


def build_engine() -> Engine:
    """Read codes, local categories, rules and the active model into a fresh engine."""
    entries = list(ClassifierEntry.objects.select_related("parent").only(
        "pk", "code", "name", "level", "is_active", "description", "parent__code"
    ))  # fmt: skip
    active_codes = {e.code: e.name for e in entries if e.is_active and e.level >= 4}
    categories = list(LocalCategory.objects.filter(is_active=True).select_related("classifier", "parent"))
    rules = [
        RuleSpec(
            name=r.name,
            code=r.classifier.code if r.classifier_id and r.classifier else "",
            local=r.local_category.code if r.local_category_id and r.local_category else "",
            qtype=r.qtype,
            keywords=split_lines(r.keywords),
            phrases=split_lines(r.phrases),
            patterns=split_lines(r.patterns),
            weight=r.weight,
        )
        for r in ClassificationRule.objects.filter(is_active=True).select_related("classifier", "local_category")
    ]
    from org.models import Department

    vocabulary = Vocabulary(
        codes=active_codes,
        code_ids={e.code: e.pk for e in entries if e.is_active and e.level >= 4},
        local_ids={c.code: c.pk for c in categories},
        locals={c.code: c.name for c in categories},
        local_to_code={c.code: c.classifier.code for c in categories if c.classifier_id and c.classifier},
        departments={str(pk): name for pk, name in Department.objects.filter(is_active=True).values_list("pk", "name")},
        qtypes=dict(QuestionType.choices),
        kinds=dict(Kind.choices),
    )
    version = ModelVersion.objects.filter(is_active=True, status=ModelStatus.READY).first()
    models = bundle.loads(bytes(version.artifact)) if version is not None and version.artifact else {}
    local_index = SimilarityIndex(
        (c.code, entry_description(c.name, [c.parent.name] if c.parent else [], c.description)) for c in categories
    )
    return Engine(
        vocabulary=vocabulary,
        models=models,
        rules=RuleSet(rules),
        code_index=_code_index(entries),
        local_index=local_index,
        model_version_id=version.pk if version is not None else None,
    )


def engine() -> Engine:
    """The engine for the current data, rebuilt only when codes, rules or the active model change."""
    stamp = _stamp()
    cached = _engine_cache.get("engine")
    if cached is not None and cached[0] == stamp:
        return cached[1]
    with _lock:
        cached = _engine_cache.get("engine")
        if cached is not None and cached[0] == stamp:
            return cached[1]
        built = build_engine()
        _engine_cache["engine"] = (stamp, built)
        return built


def record_for(*, text: str, channel: str = "", district: str = "", address: str = "",
               lat: float | None = None, lon: float | None = None) -> Record:  # fmt: skip
    """The features a question carries at registration, in the form the models learn from."""
    fields = {"channel": channel, "district": district}
    return Record(text=text, fields={k: v for k, v in fields.items() if v}, address=address, lat=lat, lon=lon)


# --- training data ----------------------------------------------------------------------


def training_rows() -> list[dict[str, Any]]:
    """Every question with what is known of it, oldest first, as plain values (one query).

    A label counts only when a person stands behind it: a code the registrar set, an operator
    confirmed or corrected — never a code the system applied and nobody looked at; a unit that
    actually took the question into work.
    """
    from appeals.models import Question

    rows = Question.objects.order_by("appeal__registered_at", "appeal_id", "position").values(
        "pk",
        "position",
        "text",
        "qtype",
        "status",
        "department_id",
        "classifier__code",
        "classifier__is_active",
        "appeal__kind",
        "appeal__channel",
        "appeal__registered_by_id",
        "appeal__analysis__district",
        "appeal__analysis__place_address",
        "appeal__analysis__lat",
        "appeal__analysis__lon",
        "suggestion__status",
        "suggestion__local_assigned__code",
    )
    return [dict(row) for row in rows]


def new_labels_since_active() -> int:
    """Classifications decided by people since the active model was trained (all of them without one)."""
    active = ModelVersion.objects.filter(is_active=True).only("started_at").first()
    decided = Suggestion.objects.filter(status__in=["confirmed", "corrected"])
    if active is not None and active.started_at is not None:
        decided = decided.filter(decided_at__gte=active.started_at)
    return decided.count()
