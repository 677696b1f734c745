"""Recompute contacts' normal forms (phones by phonenumbers, Yandex/Gmail aliases, addresses as
street|house|flat) and build every card's match profile and blocking keys."""

from django.db import migrations


def reindex(apps, schema_editor):  # type: ignore[no-untyped-def]
    from collections import Counter

    from people.matching.keys import key_hash, stored_keys
    from people.matching.memory import frequency_keys
    from people.matching.record import record_from_values
    from people.normalize import normalize_contact

    Applicant = apps.get_model("people", "Applicant")
    Contact = apps.get_model("people", "Contact")
    MatchKey = apps.get_model("people", "MatchKey")
    NameFrequency = apps.get_model("people", "NameFrequency")
    frequencies: Counter[str] = Counter()
    seen: set[tuple[int, str, str]] = set()
    for contact in Contact.objects.order_by("applicant_id", "-is_primary", "pk").iterator():
        normalized = normalize_contact(contact.kind, contact.value)
        key = (contact.applicant_id, contact.kind, normalized)
        if key in seen:
            contact.delete()  # two spellings of one contact: keep the first
            continue
        seen.add(key)
        if normalized != contact.normalized:
            Contact.objects.filter(pk=contact.pk).update(normalized=normalized)
    keys = []
    for applicant in Applicant.objects.filter(merged_into__isnull=True).iterator():
        record = record_from_values(
            kind=applicant.kind,
            surname=applicant.surname,
            first_name=applicant.first_name,
            patronymic=applicant.patronymic,
            gender=applicant.gender,
            organisation_name=applicant.organisation_name,
            gosuslugi_id=applicant.gosuslugi_id,
            inn=applicant.inn,
            contacts=Contact.objects.filter(applicant_id=applicant.pk).values_list("kind", "normalized"),
        )
        Applicant.objects.filter(pk=applicant.pk).update(match_profile=record.to_json())
        frequencies.update(frequency_keys(record))
        frequencies["total"] += 1
        keys.extend(MatchKey(applicant_id=applicant.pk, key=key_hash(k)) for k in sorted(stored_keys(record)))
        if len(keys) > 5000:
            MatchKey.objects.bulk_create(keys)
            keys = []
    MatchKey.objects.bulk_create(keys)
    NameFrequency.objects.bulk_create([NameFrequency(key=k, count=v) for k, v in frequencies.items()])


class Migration(migrations.Migration):
    dependencies = [("people", "0002_dedup")]

    operations = [migrations.RunPython(reindex, migrations.RunPython.noop)]
