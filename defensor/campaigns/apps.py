from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "defensor.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"
