"""Seed the five fixed roles; their codes are wired into the access rules."""

from django.db import migrations

ROLES = [
    ("operator", "Оператор (регистрация)"),
    ("head", "Руководитель"),
    ("executor", "Исполнитель"),
    ("controller", "Контролёр"),
    ("administrator", "Администратор"),
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("org", "Role")
    for code, name in ROLES:
        Role.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
