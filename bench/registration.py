"""Registration and registry speed.

Registers appeals through `appeal_register` (numbering lock, deadline, history, search text)
and compares with the simplest baseline: inserting the same rows with plain ORM calls and no
rules. Then fills the registry to a realistic size and times the first page of a search.
Prints figures; the last line is a one-line summary.
"""

from __future__ import annotations

import datetime as dt
import random
import time

from _setup import django_in_temp_database, percentile

REGISTER = 400
REGISTRY_SIZE = 20_000

WORDS = [
    "фонарь",
    "яма",
    "двор",
    "мусор",
    "отопление",
    "дорога",
    "подъезд",
    "крыша",
    "снег",
    "детская",
    "площадка",
    "остановка",
]


def main() -> None:
    django_in_temp_database()
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    from appeals.models import Appeal, Question
    from appeals.selectors import RegistryFilter, registry, with_list_relations
    from appeals.services import appeal_register
    from org.models import Body
    from people.models import Applicant

    rng = random.Random(7)
    body = Body.objects.create(code="bench", name="Администрация", short_name="Администрация")
    applicant = Applicant.objects.create(surname="Иванов", first_name="Иван")
    texts = [" ".join(rng.choices(WORDS, k=12)) for _ in range(REGISTER)]

    service_ms: list[float] = []
    for text in texts:
        start = time.perf_counter()
        appeal_register(body=body, actor=None, channel="post", text=text, applicants=[applicant])
        service_ms.append((time.perf_counter() - start) * 1000)

    baseline_ms: list[float] = []
    now = timezone.now()
    for i, text in enumerate(texts):
        start = time.perf_counter()
        appeal = Appeal.objects.create(
            body=body,
            number=f"B-{i}",
            number_year=2026,
            number_seq=i,
            received_at=now,
            channel="post",
            form="written",
            text=text,
            due_date=now.date(),
        )
        appeal.applicants.add(applicant)
        Question.objects.create(appeal=appeal, text=text, due_date=now.date())
        baseline_ms.append((time.perf_counter() - start) * 1000)

    print(
        f"registration through the service, {REGISTER} appeals: p50={percentile(service_ms, 50):.2f} ms "
        f"p95={percentile(service_ms, 95):.2f} ms"
    )
    print(
        f"baseline plain inserts, same rows:         p50={percentile(baseline_ms, 50):.2f} ms "
        f"p95={percentile(baseline_ms, 95):.2f} ms"
    )

    # Fill the registry with bulk rows (the benchmark's own data, not a registration path).
    batch = []
    base = timezone.now() - dt.timedelta(days=150)
    for i in range(REGISTRY_SIZE):
        text = " ".join(rng.choices(WORDS, k=15))
        batch.append(
            Appeal(
                body=body,
                number=f"F-{i}",
                number_year=2025,
                number_seq=i,
                received_at=base,
                registered_at=base + dt.timedelta(minutes=i),
                channel="web",
                form="electronic",
                text=text,
                due_date=base.date(),
                search_document=text,
            )
        )
    Appeal.objects.bulk_create(batch, batch_size=2000)
    from django.contrib.auth.models import User

    from org.models import Role, StaffMember

    user = User.objects.create_user("controller")
    staff = StaffMember.objects.create(user=user, body=body)
    staff.roles.set(Role.objects.filter(code="controller"))
    assert not isinstance(user, AnonymousUser)

    search_ms: list[float] = []
    naive_ms: list[float] = []
    for word in WORDS * 3:
        start = time.perf_counter()
        qs = registry(user, RegistryFilter(q=f"{word} двор"))
        total = qs.count()
        list(with_list_relations(qs)[:25])
        search_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        naive = Appeal.objects.filter(text__icontains=word).filter(text__icontains="двор")
        naive.count()
        list(naive.order_by("-registered_at")[:25])
        naive_ms.append((time.perf_counter() - start) * 1000)
        assert total >= 0
    print(
        f"registry search, first page + count, {REGISTRY_SIZE + 2 * REGISTER} appeals: "
        f"p50={percentile(search_ms, 50):.1f} ms p95={percentile(search_ms, 95):.1f} ms"
    )
    print(
        f"baseline icontains on the raw text, same queries:  p50={percentile(naive_ms, 50):.1f} ms "
        f"p95={percentile(naive_ms, 95):.1f} ms"
    )
    print(
        f"register_p95_ms={percentile(service_ms, 95):.1f} baseline_insert_p95_ms={percentile(baseline_ms, 95):.1f} "
        f"search_p95_ms={percentile(search_ms, 95):.1f} baseline_search_p95_ms={percentile(naive_ms, 95):.1f}"
    )


if __name__ == "__main__":
    main()
