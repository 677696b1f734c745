"""Output forms: the PDF carries Cyrillic text, batches cut into one PDF per letter, admin checks wordings."""

import datetime as dt

import pytest
from django.urls import reverse

from letters.models import LetterTemplate, TemplateGroup
from letters.rendering import LetterDocument, paragraphs_of, to_html, to_pdf_many, to_text


def _doc(i: int) -> LetterDocument:
    return LetterDocument(
        body_name="Администрация района",
        letterhead=["191023, Санкт-Петербург"],
        number=f"{i}-ОГ/2026",
        date=dt.date(2026, 6, 15),
        reply_to="На № ОГ-2026-000001 от 01.06.2026",
        addressee=["Иванову И. П."],
        subject="Ответ",
        paragraphs=["Уважаемый Иван Петрович!", "Текст. " * (40 * (i + 1))],
        signer_position="Глава администрации",
        signer_name="И. И. Главный",
    )


def test_paragraphs_split_on_blank_lines() -> None:
    assert paragraphs_of("Один\r\nещё строка\n\n\n  Два  \n \nТри") == ["Один\nещё строка", "Два", "Три"]


def test_html_escapes_and_text_has_signature() -> None:
    doc = _doc(1)
    doc.paragraphs.append("<script>alert(1)</script>")
    assert "&lt;script&gt;" in to_html(doc) and "<script>alert" not in to_html(doc)
    text = to_text(doc)
    assert text.startswith("Исх. № 1-ОГ/2026 от 15.06.2026") and "И. И. Главный" in text


def test_batch_gives_one_pdf_per_letter_with_its_pages() -> None:
    from weasyprint import HTML

    pdfs = to_pdf_many([_doc(0), _doc(12), _doc(1)])
    assert len(pdfs) == 3 and all(p.startswith(b"%PDF-") for p in pdfs)
    assert len(pdfs[1]) > len(pdfs[0])  # the long letter runs over several pages
    assert to_pdf_many([]) == []
    del HTML


@pytest.mark.django_db
def test_admin_refuses_a_wording_that_does_not_render(cast, login) -> None:
    group = TemplateGroup.objects.create(situation="answer", name="Проверка")
    client = login(cast.administrator)
    url = reverse("admin:letters_lettertemplate_add")
    data = {
        "group": group.pk,
        "name": "Плохой",
        "subject": "Ответ",
        "body": "{{ applicant.greting }}",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "Неизвестные поля" in response.content.decode()
    assert not LetterTemplate.objects.filter(name="Плохой").exists()
    data["body"] = "{{ applicant.greeting }}\n\nТекст."
    assert client.post(url, data).status_code == 302
    assert LetterTemplate.objects.filter(name="Плохой").exists()
    changelist = client.get(reverse("admin:letters_lettertemplate_changelist")).content.decode()
    assert "за 30 дней" in changelist.lower()


@pytest.mark.django_db(transaction=True)
def test_parallel_batch_renders_inside_a_transaction_without_touching_its_connection() -> None:
    from django.contrib.auth.models import User
    from django.db import transaction

    docs = [_doc(0), _doc(12), _doc(1), _doc(12), _doc(0), _doc(1)]
    with transaction.atomic():
        User.objects.create(username="during-render")
        pdfs = to_pdf_many(docs, processes=2, chunk=2)  # three chunks for two rendering processes
        assert User.objects.filter(username="during-render").exists()  # the connection still works
    assert User.objects.filter(username="during-render").exists()  # and the transaction committed
    assert len(pdfs) == len(docs) and all(p.startswith(b"%PDF-") for p in pdfs)
    # The same letters in the same order: the two long letters (several pages) come back in place.
    assert min(len(pdfs[1]), len(pdfs[3])) > max(len(pdfs[i]) for i in (0, 2, 4, 5))
    assert pdfs[0].count(b"stream\n") < pdfs[1].count(b"stream\n")  # more pages, more content streams
