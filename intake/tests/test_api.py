"""REST API v1: token per client, idempotent by the client's external id, attachments checked."""

import base64

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from appeals.choices import Channel
from appeals.models import Appeal
from intake.choices import ItemStatus
from intake.models import IncomingItem
from intake.services import integration_client_create

URL = "/api/v1/intake/appeals/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"


@pytest.fixture
def api(cast):  # type: ignore[no-untyped-def]
    _client, token = integration_client_create(name="ПОС", code="pos", channel=Channel.EPGU, body=cast.body)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def _appeal(external_id: str = "ПОС-100", **extra):  # type: ignore[no-untyped-def]
    return {
        "external_id": external_id,
        "text": "Прошу отремонтировать дорогу на улице Лесной.",
        "applicant": {"surname": "Орлов", "first_name": "Игорь", "phone": "+7 911 222-33-44"},
        "attachments": [{"name": "фото.pdf", "content_base64": base64.b64encode(PDF).decode()}],
        **extra,
    }


@pytest.mark.django_db
def test_create_registers_and_repeat_is_idempotent(api, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(URL, _appeal(), format="json")
    assert response.status_code == 201, response.content
    item = IncomingItem.objects.get()
    assert item.source_id == "pos:ПОС-100" and item.channel == Channel.EPGU
    appeal = Appeal.objects.get()
    assert appeal.attachments.get().original_name == "фото.pdf"
    status = api.get(URL + "ПОС-100/").json()
    assert status["status"] == ItemStatus.REGISTERED and status["appeal_number"] == appeal.number
    again = api.post(URL, _appeal(), format="json")
    assert again.status_code == 200 and again.json()["id"] == item.pk
    assert Appeal.objects.count() == 1
    conflict = api.post(URL, _appeal(text="Совсем другой текст обращения."), format="json")
    assert conflict.status_code == 409


@pytest.mark.django_db
def test_bad_attachment_is_refused_and_nothing_stored(api) -> None:  # type: ignore[no-untyped-def]
    bad = _appeal(attachments=[{"name": "a.pdf", "content_base64": base64.b64encode(b"MZ" + b"\0" * 50).decode()}])
    response = api.post(URL, bad, format="json")
    assert response.status_code == 400 and "исполняемые" in response.content.decode()
    response = api.post(URL, _appeal(attachments=[{"name": "a.pdf", "content_base64": "не base64"}]), format="json")
    assert response.status_code == 400
    response = api.post(URL, {"external_id": "1"}, format="json")
    assert response.status_code == 400
    assert not IncomingItem.objects.exists()


@pytest.mark.django_db
def test_token_is_required_and_checked(cast, login) -> None:  # type: ignore[no-untyped-def]
    assert APIClient().post(URL, _appeal(), format="json").status_code in (401, 403)
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token nope")
    assert wrong.post(URL, _appeal(), format="json").status_code == 401
    # A staff session is not an integration client.
    staff = login(cast.administrator)
    assert staff.post(URL, _appeal(), content_type="application/json").status_code in (401, 403)


@pytest.mark.django_db
def test_schema_lists_the_endpoint(cast, login) -> None:  # type: ignore[no-untyped-def]
    schema = login(cast.operator).get("/api/v1/schema/").content.decode()
    assert "/api/v1/intake/appeals/" in schema and "integrationToken" in schema


@pytest.mark.django_db
def test_command_issues_a_token(cast, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("api_client", "ССТУ", code="sstu", channel="sstu", body=cast.body.code)
    token = capsys.readouterr().out.strip().splitlines()[-1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(URL + "none/").status_code == 404
