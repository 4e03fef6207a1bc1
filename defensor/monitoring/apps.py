from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "defensor.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"
