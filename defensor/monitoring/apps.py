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
        self._register_reports()

    def _register_reports(self) -> None:
        """Trial reports: their renderer (PDF and DOCX in the background) and their label as a source."""
        from typing import Any

        from django.urls import reverse
        from django.utils.translation import gettext_lazy as _

        from defensor.core.permissions import Capability
        from defensor.core.rendering import jobs
        from defensor.monitoring.models import TrialReport
        from defensor.monitoring.reports.document import RENDER_KIND, render_trial_report
        from defensor.recommendations import sources

        jobs.register(RENDER_KIND, render_trial_report, label=_("Trial report"), capability=Capability.EXPORT)

        def describe(user: Any, report: TrialReport) -> sources.Described | None:
            if not TrialReport.objects.visible_to(user).filter(pk=report.pk).exists():
                return None
            return sources.Described(str(report.title), reverse("monitoring:report", args=[report.pk]))

        sources.register("monitoring.trialreport", describe, case_of=lambda report: report.plan.proceeding.case)
