from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "defensor.core"
    label = "core"
    verbose_name = "Defensor core"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from defensor.core import navigation

        navigation.register(label=_("Import"), url_name="core:import_start", capability="edit", order=800)
        navigation.register(label=_("Audit log"), url_name="core:audit", capability="administer", order=920)

        from defensor.core.tasks import register_periodic

        register_periodic()
