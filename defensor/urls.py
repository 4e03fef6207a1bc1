from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # First: the public pages take the load, and are matched without trying the others.
    path("act/", include("defensor.public.urls")),
    path("", RedirectView.as_view(pattern_name="reporting:dashboard", permanent=False)),
    path("", include("defensor.reporting.urls")),
    path("", include("defensor.accounts.urls")),
    path("", include("defensor.core.urls")),
    path("app/standards/", include("defensor.standards.urls")),
    path("app/directory/", include("defensor.directory.urls")),
    path("app/cases/", include("defensor.cases.urls")),
    path("app/recommendations/", include("defensor.recommendations.urls")),
    path("app/monitoring/", include("defensor.monitoring.urls")),
    path("app/campaigns/", include("defensor.campaigns.urls")),
    path("", include("defensor.monitoring.feed_urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
