"""The iCalendar feed of a user's hearings, reached by its token alone (no session, no MFA).

So it reveals little: an event names the case reference and the court, never a person;
only hearings the user may see now, from 30 days ago onwards. An unknown or revoked token
is a plain 404.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from defensor.monitoring import ical, selectors, services
from defensor.monitoring.models import MonitoringPlan


@require_GET
def hearings_ical(request: HttpRequest, token: str) -> HttpResponse:
    feed = selectors.feed_for_token(token_hash=services.feed_token_hash(token))
    if feed is None:
        raise Http404
    services.calendar_feed_used(feed=feed)
    host = request.get_host()
    events = []
    for hearing in selectors.feed_hearings(user=feed.user):
        case = hearing.plan.proceeding.case
        court = hearing.court.display_name if hearing.court else ""
        events.append(
            ical.CalendarEvent(
                uid=f"hearing-{hearing.pk}@{host}",
                start=hearing.scheduled_start,
                end=hearing.actual_end,
                summary=f"{case.reference} · {court}" if court else case.reference,
                location=court,
                url=request.build_absolute_uri(reverse("monitoring:hearing", args=[hearing.pk])),
                cancelled=hearing.plan.status == MonitoringPlan.Status.CANCELLED,
            )
        )
    body = ical.calendar(events, name="Defensor hearings", now=timezone.now())
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store, max-age=0"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Content-Disposition"] = 'inline; filename="hearings.ics"'
    return response
