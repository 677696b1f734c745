"""Seed the default regimes, workflows and reminders."""

from django.db import migrations

from workflow.defaults import install


def create(apps, schema_editor):
    install(
        apps.get_model("workflow", "Regime"),
        apps.get_model("workflow", "Workflow"),
        apps.get_model("workflow", "StageDefinition"),
        apps.get_model("workflow", "EscalationRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
