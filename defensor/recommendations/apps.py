from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "defensor.recommendations"
    label = "recommendations"
    verbose_name = "Recommendations"
