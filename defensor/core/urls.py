from django.urls import path

from defensor.core import views, views_imports
from defensor.core.rendering import views as rendering_views

app_name = "core"

urlpatterns = [
    path("app/audit/", views.audit_list, name="audit"),
    path("app/audit/export/", views.audit_export, name="audit_export"),
    path("healthz", views.healthz, name="healthz"),
    path("app/import/", views_imports.import_start, name="import_start"),
    path("app/import/<int:pk>/", views_imports.import_detail, name="import_detail"),
    path("app/import/<int:pk>/mapping/", views_imports.import_mapping, name="import_mapping"),
    path("app/import/<int:pk>/preview/", views_imports.import_preview, name="import_preview"),
    path("app/import/<int:pk>/apply/", views_imports.import_apply, name="import_apply"),
    path("app/import/<int:pk>/cancel/", views_imports.import_cancel, name="import_cancel"),
]

# ---- rendering: background document jobs ----
urlpatterns += [
    path("app/renders/<int:pk>/", rendering_views.render_job, name="render_job"),
    path("app/renders/<int:pk>/download/", rendering_views.render_job_download, name="render_download"),
]
