from django.urls import path

from defensor.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("instruments/<str:code>/", views.instrument_detail, name="instrument"),
    path("provisions/<str:code>/", views.provision_detail, name="provision"),
    path("vocabularies/", views.vocabulary_list, name="vocabularies"),
]
