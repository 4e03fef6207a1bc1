from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "defensor.public"
    label = "public"
    verbose_name = "Public"
