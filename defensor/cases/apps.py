from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "defensor.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from defensor.cases import imports, sections
        from defensor.core import navigation

        navigation.register(label=_("Cases"), url_name="cases:list", capability="view", order=10)
        sections.register_all()
        imports.register()
