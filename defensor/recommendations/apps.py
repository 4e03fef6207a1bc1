from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "defensor.recommendations"
    label = "recommendations"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        import datetime

        from django.utils.translation import gettext_lazy as _

        from defensor.core import navigation, schedule
        from defensor.recommendations import sections, tasks

        navigation.register(label=_("Recommendations"), url_name="recommendations:board", order=40)
        sections.register_all()
        # Reminders go out once a day, early in the organisation's working day (settings.TIME_ZONE).
        schedule.register(
            "recommendations.reminders",
            tasks.send_reminders,
            every=datetime.timedelta(days=1),
            at=datetime.time(7, 0),
        )
