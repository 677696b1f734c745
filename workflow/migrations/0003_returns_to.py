"""Backward transitions between stages: where a returned answer goes."""

from django.db import migrations, models

STAGE_CHOICES = [
    ("receipt", "Поступление"),
    ("registration", "Регистрация"),
    ("resolution", "Резолюция руководителя"),
    ("execution", "Исполнение"),
    ("draft", "Подготовка ответа"),
    ("approval", "Согласование"),
    ("signing", "Подписание"),
    ("dispatch", "Отправка ответа"),
    ("request", "Запрос в другой орган"),
    ("inspection", "Выезд на место"),
    ("clarification", "Уточнение у заявителя"),
    ("forwarding", "Направление по компетенции"),
    ("notice", "Уведомление заявителя"),
]


def defaults(apps, schema_editor):
    Stage = apps.get_model("workflow", "StageDefinition")
    Stage.objects.filter(code__in=["approval", "signing"], returns_to="").update(returns_to="draft")


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_defaults")]
    operations = [
        migrations.AddField(
            model_name="stagedefinition",
            name="returns_to",
            field=models.CharField(
                blank=True,
                choices=STAGE_CHOICES,
                max_length=20,
                verbose_name="можно вернуть на этап",
                help_text="Переход назад: куда отправляется работа, если на этом этапе её вернули на доработку",
            ),
        ),
        migrations.AddField(
            model_name="stageplan",
            name="returns_to",
            field=models.CharField(blank=True, choices=STAGE_CHOICES, max_length=20),
        ),
        migrations.RunPython(defaults, migrations.RunPython.noop),
    ]
