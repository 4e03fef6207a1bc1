"""The site's routes plus the calendar feed, as the lead will include it at the root."""

from django.urls import include, path

from defensor.urls import urlpatterns as site_urlpatterns

urlpatterns = [*site_urlpatterns, path("", include("defensor.monitoring.feed_urls"))]
