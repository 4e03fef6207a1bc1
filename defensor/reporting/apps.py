from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "defensor.reporting"
    label = "reporting"
    verbose_name = "Reporting"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from defensor.core import navigation

        navigation.register(label=_("Dashboard"), url_name="reporting:dashboard", capability="view", order=0)
