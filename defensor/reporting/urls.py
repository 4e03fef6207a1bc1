from django.urls import path

from defensor.reporting import views

app_name = "reporting"

urlpatterns = [path("app/", views.dashboard, name="dashboard")]
