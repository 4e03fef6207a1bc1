from django.urls import path

from defensor.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.campaign_create, name="create"),
    path("join/", views.partner_request, name="join"),
    path("<int:pk>/", views.campaign_detail, name="detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="edit"),
    path("<int:pk>/launch/", views.campaign_launch, name="launch"),
    path("<int:pk>/pause/", views.campaign_pause, name="pause"),
    path("<int:pk>/close/", views.campaign_close, name="close"),
    path("<int:pk>/partners/<int:partner_pk>/decide/", views.partner_decide, name="partner_decide"),
    path("<int:pk>/targets/add/", views.target_add, name="target_add"),
    path("<int:pk>/targets/<int:target_pk>/remove/", views.target_remove, name="target_remove"),
    path("<int:pk>/letter/", views.template_edit, name="template"),
    path("<int:pk>/letter/preview/", views.template_preview, name="template_preview"),
    path("<int:pk>/letters/render/", views.letters_render, name="render"),
    path("<int:pk>/deliveries/email/", views.deliveries_email, name="send_email"),
    path("<int:pk>/deliveries/record/", views.delivery_record, name="record_delivery"),
    path("<int:pk>/responses/add/", views.response_add, name="response_add"),
    path("<int:pk>/updates/new/", views.update_write, name="update_write"),
    path("<int:pk>/updates/<int:update_pk>/send/", views.update_send, name="update_send"),
]
