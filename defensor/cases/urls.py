from django.urls import path

from defensor.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="open"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/events/add/", views.event_add, name="event_add"),
    path("<int:pk>/documents/add/", views.document_add, name="document_add"),
    path("<int:pk>/access/", views.access_manage, name="access"),
    path("<int:pk>/access/<int:access_pk>/revoke/", views.access_revoke, name="access_revoke"),
    path("<int:pk>/shares/add/", views.share_add, name="share_add"),
    path("<int:pk>/shares/<int:share_pk>/revoke/", views.share_revoke, name="share_revoke"),
    path("<int:pk>/risk/", views.risk_assess, name="risk"),
    path("<int:pk>/publication/", views.publication_edit, name="publication"),
    path("<int:pk>/subjects/add/", views.subject_add, name="subject_add"),
    path("<int:pk>/subjects/<int:subject_pk>/remove/", views.subject_remove, name="subject_remove"),
    path("<int:pk>/proceedings/add/", views.proceeding_add, name="proceeding_add"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("proceedings/<int:pk>/", views.proceeding_edit, name="proceeding_edit"),
    path("proceedings/<int:pk>/charges/add/", views.charge_add, name="charge_add"),
]
