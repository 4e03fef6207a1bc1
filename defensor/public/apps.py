from datetime import time, timedelta

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "defensor.public"
    label = "public"
    verbose_name = "Public"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from defensor.campaigns.models import Campaign
        from defensor.core import schedule
        from defensor.public.selectors import campaigns_forget
        from defensor.public.tasks import erase_signatures_after_retention, send_confirmations

        schedule.register(
            "public.erase_signatures_after_retention",
            erase_signatures_after_retention,
            every=timedelta(days=1),
            at=time(3, 30),
        )
        # Sign-ons queue the mailer themselves; this sends retries and anything a lost wake-up left.
        schedule.register("public.confirmations_send", send_confirmations, every=timedelta(minutes=1))
        post_save.connect(campaigns_forget, sender=Campaign, dispatch_uid="public.campaigns_forget.save")
        post_delete.connect(campaigns_forget, sender=Campaign, dispatch_uid="public.campaigns_forget.delete")
