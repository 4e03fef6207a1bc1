from django.urls import path

from defensor.core import views

app_name = "core"

urlpatterns = [
    path("app/audit/", views.audit_list, name="audit"),
    path("app/audit/export/", views.audit_export, name="audit_export"),
    path("healthz", views.healthz, name="healthz"),
]
