from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data: a fictional municipal administration with staff and appeals (`otklik load-demo`)."""

    name = "demo"
    verbose_name = "Демонстрационные данные"
