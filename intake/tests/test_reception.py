"""Internet reception: art. 7 fields, consent, the e-mail code, the number, rate limiting."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from appeals.choices import Channel, Kind
from appeals.models import Appeal
from intake.models import IncomingItem, WebSubmission

FORM = {
    "surname": "Лебедева",
    "first_name": "Ирина",
    "patronymic": "Павловна",
    "email": "lebedeva@example.org",
    "postal_address": "г. Энск, ул. Садовая, д. 1, кв. 2",
    "addressee": "Глава администрации",
    "text": "Прошу установить скамейки на детской площадке у дома 1 по улице Садовой.",
    "consent": "on",
}


def _code() -> str:
    match = re.search(r"\b(\d{6})\b", mail.outbox[-1].body)
    assert match
    return match.group(1)


@pytest.mark.django_db
def test_submit_confirm_and_see_the_number(cast, client, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    photo = SimpleUploadedFile("площадка.jpg", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, content_type="image/jpeg")
    response = client.post(reverse("reception:form"), {**FORM, "attachments": [photo]})
    assert response.status_code == 302
    submission = WebSubmission.objects.get()
    assert mail.outbox[-1].to == ["lebedeva@example.org"]
    assert not IncomingItem.objects.exists()  # nothing received before the address is confirmed

    wrong = client.post(
        reverse("reception:confirm", args=[submission.token]), {"code": "000000" if _code() != "000000" else "111111"}
    )
    assert "Неверный код. Осталось попыток: 4" in wrong.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reception:confirm", args=[submission.token]), {"code": _code()})
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert (appeal.channel, appeal.kind) == (Channel.WEB, Kind.APPEAL)
    assert appeal.addressee == "Глава администрации"
    assert appeal.attachments.get().original_name == "площадка.png"  # the real type
    applicant = appeal.applicants.get()
    assert applicant.consent_personal_data and applicant.surname == "Лебедева"
    page = client.get(reverse("reception:done", args=[submission.token])).content.decode()
    assert appeal.number in page
    assert "Лебедева" not in page  # the public page carries no personal data
    # Confirming again (a second click) changes nothing.
    client.post(reverse("reception:confirm", args=[submission.token]), {"code": _code()})
    assert Appeal.objects.count() == 1


@pytest.mark.django_db
def test_consent_and_required_fields(cast, client) -> None:  # type: ignore[no-untyped-def]
    response = client.post(reverse("reception:form"), {**FORM, "consent": ""})
    assert response.status_code == 400
    response = client.post(reverse("reception:form"), {**FORM, "email": "не адрес", "text": ""})
    assert response.status_code == 400
    assert not WebSubmission.objects.exists() and not mail.outbox


@pytest.mark.django_db
def test_bad_attachment_is_refused_with_reason(cast, client) -> None:  # type: ignore[no-untyped-def]
    exe = SimpleUploadedFile("справка.pdf", b"MZ" + b"\x00" * 100)
    response = client.post(reverse("reception:form"), {**FORM, "attachments": [exe]})
    assert response.status_code == 400 and "исполняемые" in response.content.decode()
    assert not WebSubmission.objects.exists()


@pytest.mark.django_db
def test_rate_limit_per_address(cast, client, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_WEB_PER_HOUR = 2
    for _ in range(2):
        assert client.post(reverse("reception:form"), FORM).status_code == 302
    response = client.post(reverse("reception:form"), FORM)
    assert response.status_code == 400 and "слишком много" in response.content.decode()
    other = client.post(reverse("reception:form"), FORM, REMOTE_ADDR="192.0.2.55")
    assert other.status_code == 302
    assert WebSubmission.objects.count() == 3


@pytest.mark.django_db
def test_too_many_wrong_codes_lock_the_submission(cast, client) -> None:  # type: ignore[no-untyped-def]
    client.post(reverse("reception:form"), FORM)
    submission = WebSubmission.objects.get()
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(reverse("reception:confirm", args=[submission.token]), {"code": wrong})
    response = client.post(reverse("reception:confirm", args=[submission.token]), {"code": code})
    assert "Слишком много неверных попыток" in response.content.decode()
    assert not IncomingItem.objects.exists()


@pytest.mark.django_db
def test_message_setting(cast, client, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    settings.OTKLIK_WEB_KIND = "message"
    client.post(reverse("reception:form"), FORM)
    submission = WebSubmission.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reception:confirm", args=[submission.token]), {"code": _code()})
    assert Appeal.objects.get().kind == Kind.MESSAGE


@pytest.mark.django_db
def test_unconfirmed_submissions_are_forgotten(cast, client) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from intake.reception import submissions_forget_unconfirmed

    client.post(reverse("reception:form"), FORM)
    submission = WebSubmission.objects.get()
    stored = submission.document.name
    assert submissions_forget_unconfirmed() == 0  # the code is still valid
    WebSubmission.objects.update(expires_at=submission.expires_at - dt.timedelta(days=2))
    assert submissions_forget_unconfirmed() == 1
    assert not WebSubmission.objects.exists()
    assert not submission.document.storage.exists(stored)


@pytest.mark.django_db
def test_mail_failure_keeps_nothing(cast, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(**kwargs):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr("intake.reception.send_mail", refuse)
    response = client.post(reverse("reception:form"), FORM)
    assert response.status_code == 400 and "Не удалось отправить код" in response.content.decode()
    assert not WebSubmission.objects.exists()
