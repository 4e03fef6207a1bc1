from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "defensor.standards"
    label = "standards"
    verbose_name = "Standards"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from defensor.core import navigation

        navigation.register(label=_("Standards"), url_name="standards:catalogue", capability="view", order=60)
