"""In-app notifications; e-mail and messengers join when delivery channels exist."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import User

from workflow.models import Notification


def notify(users: Iterable[User | None], *, key: str, title: str, body: str = "", url: str = "") -> int:
    """Create one notification per user; a key already sent to a user is not sent again."""
    rows = [
        Notification(user=u, key=key[:200], title=title[:300], body=body, url=url[:300])
        for u in {u.pk: u for u in users if u is not None and u.is_active}.values()
    ]
    if not rows:
        return 0
    existing = set(
        Notification.objects.filter(key=key[:200], user__in=[r.user for r in rows]).values_list("user_id", flat=True)
    )
    fresh = [r for r in rows if r.user.pk not in existing]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)
