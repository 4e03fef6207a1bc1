from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "defensor.directory"
    label = "directory"
    verbose_name = "Directory"
