from datetime import time, timedelta

from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "defensor.public"
    label = "public"
    verbose_name = "Public"

    def ready(self) -> None:
        from defensor.core import schedule
        from defensor.public.tasks import erase_signatures_after_retention

        schedule.register(
            "public.erase_signatures_after_retention",
            erase_signatures_after_retention,
            every=timedelta(days=1),
            at=time(3, 30),
        )
