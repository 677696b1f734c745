"""Letter and delivery pages: access, the card panels, drafting, registering and sending from the page."""

import pytest
from django.core import mail
from django.urls import reverse

from delivery.choices import OutboxStatus
from delivery.models import OutboxMessage
from letters import services
from letters.choices import LetterStatus, Situation
from letters.models import Letter


def _urls(letter: Letter) -> list[tuple[str, str]]:
    pk = [letter.pk]
    return [
        ("post", reverse("letters:new", args=[letter.appeal_id])),
        ("get", reverse("letters:detail", args=pk)),
        ("post", reverse("letters:edit", args=pk)),
        ("post", reverse("letters:issue", args=pk)),
        ("post", reverse("letters:send", args=pk)),
        ("post", reverse("letters:cancel", args=pk)),
        ("get", reverse("letters:file", args=[letter.pk, "pdf"])),
        ("get", reverse("letters:usage")),
        ("get", reverse("delivery:failed")),
        ("get", reverse("delivery:print")),
        ("post", reverse("delivery:print")),
        ("post", reverse("delivery:retry", args=[1])),
        ("post", reverse("delivery:cancel", args=[1])),
        ("post", reverse("delivery:redirect", args=[1])),
        ("get", reverse("delivery:batch", args=[1])),
    ]


@pytest.fixture
def draft(cast, answered) -> Letter:
    return services.letter_prepare(appeal=answered, actor=cast.executor.user, situation=Situation.ANSWER)


@pytest.mark.parametrize("who", ["outsider", "citizen"])
def test_pages_refuse_users_without_a_role(cast, draft, login, who) -> None:
    client = login(getattr(cast, who))
    for method, url in _urls(draft):
        assert getattr(client, method)(url).status_code == 403, url
    assert Letter.objects.count() == 1 and not OutboxMessage.objects.exists()


def test_pages_send_anonymous_visitors_to_login(draft, client) -> None:
    for method, url in _urls(draft):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_staff_without_access_to_the_appeal_get_404(cast, draft, login) -> None:
    client = login(cast.other_executor)
    assert client.get(reverse("letters:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("letters:file", args=[draft.pk, "txt"])).status_code == 404
    assert client.post(reverse("letters:new", args=[draft.appeal_id]), {"situation": "answer"}).status_code == 404


def test_card_shows_letters_and_deliveries(cast, draft, login) -> None:
    page = login(cast.executor).get(reverse("appeals:detail", args=[draft.appeal_id])).content.decode()
    assert 'data-testid="letters"' in page and "Ответ по существу" in page
    assert 'data-testid="deliveries"' in page


def test_draft_register_and_send_from_the_pages(cast, answered, login) -> None:
    client = login(cast.executor)
    response = client.post(reverse("letters:new", args=[answered.pk]), {"situation": "answer"})
    letter = Letter.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("letters:detail", args=[letter.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Уважаемый Иван Петрович!" in page and "Иванову И. П." in page
    from people.models import PersonalDataAccess

    assert PersonalDataAccess.objects.filter(context__startswith="письмо к обращению").exists()
    assert client.get(reverse("letters:file", args=[letter.pk, "pdf"])).content.startswith(b"%PDF-")
    docx = client.get(reverse("letters:file", args=[letter.pk, "docx"]))
    assert docx.content[:2] == b"PK" and "attachment" in docx["Content-Disposition"]
    assert "Уважаемый Иван Петрович!" in client.get(reverse("letters:file", args=[letter.pk, "txt"])).content.decode()
    client.post(
        reverse("letters:edit", args=[letter.pk]),
        {"subject": "Ответ", "text": "Уважаемый Иван Петрович!\n\nИсправлено."},
    )
    letter.refresh_from_db()
    assert letter.text.endswith("Исправлено.")
    # The executor may not register; the operator registers and sends back by e-mail (the channel of receipt).
    client.post(reverse("letters:issue", args=[letter.pk]), {"send": "1"})
    letter.refresh_from_db()
    assert letter.status == LetterStatus.DRAFT
    operator = login(cast.operator)
    operator.post(reverse("letters:issue", args=[letter.pk]), {"send": "1", "channel": ""})
    letter.refresh_from_db()
    assert letter.status == LetterStatus.ISSUED and letter.number
    message = OutboxMessage.objects.get()
    assert message.channel == "email" and message.address == "ivanov@example.ru"
    from delivery.services import deliver

    assert deliver(message.pk) == OutboxStatus.SENT
    assert mail.outbox[-1].attachments[0][0].endswith(".pdf")
    card = operator.get(reverse("appeals:detail", args=[answered.pk])).content.decode()
    assert "Доставлено" in card and letter.number in card
    stored = operator.get(reverse("letters:file", args=[letter.pk, "pdf"]))
    assert stored.content == letter.pdf.open("rb").read()


def test_bad_input_changes_nothing(cast, answered, login) -> None:
    client = login(cast.operator)
    client.post(reverse("letters:new", args=[answered.pk]), {"situation": "nonsense"})
    client.post(reverse("letters:new", args=[answered.pk]), {"situation": "forwarding"})
    assert not Letter.objects.exists()
    assert client.get(reverse("letters:file", args=[1, "exe"])).status_code == 404


def test_failed_page_and_usage_page(cast, draft, login, settings) -> None:
    settings.OTKLIK_TELEGRAM_TOKEN = ""
    issued = services.letter_issue(letter=draft, actor=cast.operator.user)
    message = services.letter_send(letter=issued, actor=cast.operator.user, channel="telegram", address="42")
    from delivery.services import deliver

    assert deliver(message.pk) == OutboxStatus.FAILED
    client = login(cast.controller)
    page = client.get(reverse("delivery:failed")).content.decode()
    assert "OTKLIK_TELEGRAM_TOKEN" in page
    client.post(reverse("delivery:redirect", args=[message.pk]), {"channel": "email"})
    message.refresh_from_db()
    assert message.status == OutboxStatus.CANCELLED
    assert OutboxMessage.objects.filter(channel="email", status=OutboxStatus.QUEUED).exists()
    usage = client.get(reverse("letters:usage")).content.decode()
    assert issued.template.name in usage
    assert login(cast.executor).get(reverse("letters:usage")).status_code == 403


def test_print_page_builds_a_batch(cast, login) -> None:
    from letters.tests.conftest import answered_appeal

    appeal = answered_appeal(cast, channel="post")
    letter = services.letter_prepare(appeal=appeal, actor=cast.operator.user, situation=Situation.ANSWER)
    services.letter_send(
        letter=services.letter_issue(letter=letter, actor=cast.operator.user), actor=cast.operator.user
    )
    client = login(cast.operator)
    assert "Садовая" in client.get(reverse("delivery:print")).content.decode()
    client.post(reverse("delivery:print"), {"sender": "Администрация"})
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.SENT and message.print_batch is not None
    pdf = client.get(reverse("delivery:batch", args=[message.print_batch.pk]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")


def test_exchange_letter_carries_docx_and_card_retry_returns_to_card(cast, login, settings, tmp_path) -> None:
    from delivery.models import OutboxAttachment
    from delivery.services import deliver
    from letters.tests.conftest import answered_appeal

    settings.OTKLIK_EXCHANGE_DIR = tmp_path / "exchange"
    appeal = answered_appeal(cast, channel="edms")
    letter = services.letter_prepare(appeal=appeal, actor=cast.operator.user, situation=Situation.ANSWER)
    message = services.letter_send(
        letter=services.letter_issue(letter=letter, actor=cast.operator.user), actor=cast.operator.user
    )
    assert message.channel == "exchange"
    names = sorted(OutboxAttachment.objects.filter(message=message).values_list("name", flat=True))
    assert [n.rsplit(".", 1)[1] for n in names] == ["docx", "pdf"]
    (tmp_path / "exchange").write_text("not a folder")  # the EDMS share is broken: a retryable failure
    assert deliver(message.pk) == OutboxStatus.QUEUED
    message.refresh_from_db()
    assert "Папка обмена недоступна" in message.last_error
    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED)
    response = login(cast.operator).post(reverse("delivery:retry", args=[message.pk]), {"next": "appeal"})
    assert response["Location"] == reverse("appeals:detail", args=[appeal.pk])
