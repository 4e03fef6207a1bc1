"""The private calendar feed, outside /app/: calendar apps cannot pass a second factor, so the
feed is reached by its token alone and reveals little. Included at the site root."""

from django.urls import path

from defensor.monitoring.views import feed

urlpatterns = [
    path("ical/<str:token>.ics", feed.hearings_ical, name="monitoring_ical_feed"),
]
