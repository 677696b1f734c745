"""«Входящие»: who sees it, filters, the error, retry and disposition through htmx."""

import pytest
from django.urls import reverse

from appeals.choices import Channel
from intake import services
from intake.choices import DOCUMENT_CONTENT_TYPE, ItemStatus
from intake.models import IncomingItem
from intake.parsers import document_bytes
from tests.factories import BodyFactory


@pytest.fixture
def failed_item(cast, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    BodyFactory(code="second")  # two bodies, none configured: registration fails
    with django_capture_on_commit_callbacks(execute=True):
        item = services.item_receive(
            channel=Channel.SSTU,
            source_id="sstu-77",
            payload=document_bytes({"text": "Прошу проверить управляющую компанию."}),
            content_type=DOCUMENT_CONTENT_TYPE,
            title="Проверка УК",
        ).item
    item.refresh_from_db()
    assert item.status == ItemStatus.FAILED
    return item


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["outsider", "citizen", "executor", "head"])
def test_inbox_refuses_those_who_do_not_register(cast, login, failed_item, who) -> None:  # type: ignore[no-untyped-def]
    client = login(getattr(cast, who))
    for url in (
        reverse("intake:inbox"),
        reverse("intake:item", args=[failed_item.pk]),
        reverse("intake:payload", args=[failed_item.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("intake:retry", args=[failed_item.pk])).status_code == 403


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, failed_item) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("intake:inbox"))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.django_db
def test_controller_sees_but_cannot_act(cast, login, failed_item) -> None:  # type: ignore[no-untyped-def]
    client = login(cast.controller)
    page = client.get(reverse("intake:inbox")).content.decode()
    assert "Проверка УК" in page and "OTKLIK_INTAKE_BODY" in page
    assert "Повторить регистрацию" not in page
    assert client.post(reverse("intake:retry", args=[failed_item.pk])).status_code == 403


@pytest.mark.django_db
def test_filters(cast, login, failed_item) -> None:  # type: ignore[no-untyped-def]
    client = login(cast.operator)
    assert "Проверка УК" in client.get(reverse("intake:inbox"), {"channel": Channel.SSTU}).content.decode()
    assert "Проверка УК" not in client.get(reverse("intake:inbox"), {"channel": Channel.EMAIL}).content.decode()
    assert "Проверка УК" not in client.get(reverse("intake:inbox"), {"status": ItemStatus.REGISTERED}).content.decode()
    assert (
        "Проверка УК" in client.get(reverse("intake:inbox"), {"q": "sstu-77"}, HTTP_HX_REQUEST="true").content.decode()
    )


@pytest.mark.django_db
def test_operator_retries_and_dispositions_with_htmx(
    cast, login, failed_item, settings, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client = login(cast.operator)
    detail = client.get(reverse("intake:item", args=[failed_item.pk])).content.decode()
    assert "Прошу проверить управляющую компанию" in detail
    assert client.get(reverse("intake:payload", args=[failed_item.pk])).getvalue() == failed_item.payload.read()
    settings.OTKLIK_INTAKE_BODY = cast.body.code
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("intake:retry", args=[failed_item.pk]), HTTP_HX_REQUEST="true")
    row = response.content.decode()
    assert response.status_code == 200 and f'id="item-{failed_item.pk}"' in row
    assert "поставлена в очередь" in row and "OTKLIK_INTAKE_BODY" not in row
    failed_item.refresh_from_db()
    assert failed_item.status == ItemStatus.REGISTERED
    assert failed_item.appeal.number in client.get(reverse("intake:item", args=[failed_item.pk])).content.decode()
    # A registered item cannot be dispositioned: the reason is shown in the row.
    response = client.post(
        reverse("intake:disposition", args=[failed_item.pk]), {"disposition": "spam"}, HTTP_HX_REQUEST="true"
    )
    assert "уже разобрано" in response.content.decode()


@pytest.mark.django_db
def test_disposition_without_htmx_redirects(cast, login, failed_item) -> None:  # type: ignore[no-untyped-def]
    client = login(cast.operator)
    response = client.post(
        reverse("intake:disposition", args=[failed_item.pk]), {"disposition": "not_appeal", "note": "благодарность"}
    )
    assert response.status_code == 302
    item = IncomingItem.objects.get(pk=failed_item.pk)
    assert (item.status, item.disposition_note) == (ItemStatus.DISPOSITIONED, "благодарность")
    # Gone from the default view (needs attention), still there under «Все».
    assert "Проверка УК" not in client.get(reverse("intake:inbox")).content.decode()
    assert "Проверка УК" in client.get(reverse("intake:inbox"), {"status": "all"}).content.decode()


@pytest.mark.django_db
def test_menu_link_only_for_those_who_see_the_inbox(cast, login) -> None:  # type: ignore[no-untyped-def]
    link = f'href="{reverse("intake:inbox")}"'
    assert link in login(cast.operator).get(reverse("dashboard")).content.decode()
    assert link not in login(cast.executor).get(reverse("dashboard")).content.decode()
