"""The Django admin opens for the administrator and stays closed to everyone else."""

import pytest
from django.urls import reverse

from tests.factories import make_appeal

PAGES = [
    "admin:index",
    "admin:org_body_changelist",
    "admin:org_department_changelist",
    "admin:org_staffmember_changelist",
    "admin:auth_user_changelist",
    "admin:classification_classifierentry_changelist",
    "admin:appeals_numberingscheme_changelist",
    "admin:appeals_appeal_changelist",
    "admin:core_calendarday_changelist",
    "admin:people_personaldataaccess_changelist",
]


@pytest.mark.parametrize("name", PAGES)
def test_admin_pages_open_for_administrator(cast, login, name) -> None:
    assert login(cast.administrator).get(reverse(name)).status_code == 200


def test_admin_user_page_edits_staff_card(cast, login) -> None:
    url = reverse("admin:auth_user_change", args=[cast.executor.user.pk])
    html = login(cast.administrator).get(url).content.decode()
    assert "Должность" in html and "Подразделение" in html and "roles" in html


def test_appeal_is_read_only_in_admin(cast, login) -> None:
    appeal = make_appeal(body=cast.body)
    client = login(cast.administrator)
    page = client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk])).content.decode()
    assert appeal.number in page and 'name="_save"' not in page


@pytest.mark.parametrize("who", ["operator", "executor", "outsider"])
def test_admin_closed_to_others(cast, login, who) -> None:
    user = getattr(cast, who)
    response = login(user).get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
