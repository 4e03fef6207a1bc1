import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "defensor.settings")
django_application = get_wsgi_application()

from defensor.public.lane import SignOnLane  # noqa: E402 - needs the apps loaded above

# The public sign-on POST is taken in front of Django's request cycle: see defensor.public.lane.
application = SignOnLane(django_application)
application.warm()
