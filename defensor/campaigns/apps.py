from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "defensor.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        import datetime

        from django.utils.translation import gettext_lazy as _

        from defensor.campaigns import letters, tasks
        from defensor.core import navigation, schedule
        from defensor.core.permissions import Capability
        from defensor.core.rendering import jobs

        navigation.register(label=_("Campaigns"), url_name="campaigns:list", order=35)
        jobs.register(
            letters.RENDER_KIND, letters.render_letters, label=_("Campaign letters"), capability=Capability.EDIT
        )
        # Queued letters go out as soon as they are queued; this pass sends what the throttle or a retry held back.
        schedule.register("campaigns.deliveries_send", tasks.deliveries_send, every=datetime.timedelta(minutes=1))
