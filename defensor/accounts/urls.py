from django.urls import path

from defensor.accounts import views

app_name = "accounts"

urlpatterns = [
    path("app/switch/", views.organisation_switch, name="organisation_switch"),
    path("language/", views.language_set, name="language"),
    path("app/account/", views.profile, name="profile"),
    path("app/account/security/", views.security, name="security"),
    path("app/members/", views.member_list, name="members"),
    path("app/members/<int:pk>/<str:action>/", views.member_action, name="member_action"),
    path("app/invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("app/roles/", views.role_list, name="roles"),
    path("app/roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
