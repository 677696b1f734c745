from django.apps import AppConfig


class GroupsConfig(AppConfig):
    name = "grouping"
    verbose_name = "Вопросы и тематические группы"
