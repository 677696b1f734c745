"""Seed the starter template groups and wordings."""

from django.db import migrations

from letters.defaults import install


def create(apps, schema_editor):
    install(apps.get_model("letters", "TemplateGroup"), apps.get_model("letters", "LetterTemplate"))


class Migration(migrations.Migration):
    dependencies = [("letters", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
