"""The import page: upload an export, check the first rows, run it and watch its progress."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from intake import rules
from intake.forms import ImportForm
from intake.imports import TARGETS, detect_format, import_run_start, mapping_save, parse_mapping_lines, preview
from intake.models import ImportMapping, ImportRun
from org.decorators import staff_required


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied("Требуется вход в систему.")
    return request.user


def _mapping(form: ImportForm) -> ImportMapping:
    data = form.cleaned_data
    saved = ImportMapping.objects.filter(source=data["source"]).first()
    columns = parse_mapping_lines(data["columns"])
    id_column = data["id_column"].strip()
    if not columns:
        if saved is None:
            raise ValidationError("Для нового источника укажите сопоставление столбцов (хотя бы text=СТОЛБЕЦ).")
        # The saved mapping, with its id column unless another one is named.
        columns, id_column = saved.columns, id_column or saved.id_column
    return ImportMapping(source=data["source"], channel=data["channel"], columns=columns, id_column=id_column)


@staff_required(*rules.HANDLERS)
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    rows = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            draft = _mapping(form)
            suffix = Path(upload.name or "").suffix
            fmt = detect_format(Path(upload.name or ""))
            if "preview" in request.POST:
                with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
                    for chunk in upload.chunks():
                        copy.write(chunk)
                    copy.flush()
                    rows = preview(Path(copy.name), draft, fmt=fmt)
            else:
                with transaction.atomic():
                    mapping = mapping_save(
                        source=draft.source, channel=draft.channel, columns=draft.columns, id_column=draft.id_column
                    )
                    run = import_run_start(actor=_user(request), mapping=mapping, upload=upload)
                return redirect("intake:import_run", pk=run.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
    context = {
        "form": form,
        "rows": rows,
        "targets": TARGETS,
        "mappings": ImportMapping.objects.all(),
        "runs": ImportRun.objects.select_related("mapping", "started_by")[:20],
    }
    return render(request, "intake/import.html", context, status=400 if form.errors else 200)


@staff_required(*rules.HANDLERS)
@require_GET
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(ImportRun.objects.select_related("mapping"), pk=pk)
    template = "intake/_import_run.html" if request.headers.get("HX-Request") else "intake/import_run.html"
    return render(request, template, {"run": run})
