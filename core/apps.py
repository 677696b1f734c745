from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Основа"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from core.calendar import forget_cached_calendar
        from core.models import CalendarDay

        def forget(**kwargs: object) -> None:
            forget_cached_calendar()

        post_save.connect(forget, sender=CalendarDay, weak=False, dispatch_uid="calendar-cache")
        post_delete.connect(forget, sender=CalendarDay, weak=False, dispatch_uid="calendar-cache-delete")
