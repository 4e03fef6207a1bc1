from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "defensor.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed
        from django.utils.translation import gettext_lazy as _

        from defensor.core import navigation
        from defensor.monitoring.models import Question, refuse_provision_change_when_frozen

        navigation.register(label=_("Trial monitoring"), url_name="monitoring:plans", order=30)
        navigation.register(label=_("My hearings"), url_name="monitoring:my", order=31)
        # The guarantees of a published question are frozen like its other fields.
        m2m_changed.connect(
            refuse_provision_change_when_frozen,
            sender=Question.provisions.through,
            dispatch_uid="monitoring_frozen_question_provisions",
        )
