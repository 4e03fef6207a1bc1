from django.urls import path

from defensor.public import views

app_name = "public"

urlpatterns = [
    path("<slug:slug>/", views.signon, name="signon"),
    path("<slug:slug>/embed/", views.embed, name="embed"),
    path("<slug:slug>/challenge/", views.challenge, name="challenge"),
    path("<slug:slug>/confirm/<str:token>/", views.confirm, name="confirm"),
    path("<slug:slug>/unsign/<str:token>/", views.unsign, name="unsign"),
]
