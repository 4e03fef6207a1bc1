from django.urls import path

from defensor.recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.add, name="add"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/follow-ups/add/", views.followup_add, name="followup_add"),
]
