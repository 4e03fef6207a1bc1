from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "defensor.directory"
    label = "directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from defensor.core import navigation
        from defensor.directory import imports

        navigation.register(label=_("People"), url_name="directory:people", order=20)
        navigation.register(label=_("Institutions"), url_name="directory:institutions", order=25)
        imports.register()
