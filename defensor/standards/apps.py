from django.apps import AppConfig


class StandardsConfig(AppConfig):
    name = "defensor.standards"
    label = "standards"
    verbose_name = "Standards"
