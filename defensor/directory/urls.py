from django.urls import path

from defensor.directory.views import affiliations, institutions, people

app_name = "directory"

urlpatterns = [
    path("people/", people.person_list, name="people"),
    path("people/new/", people.person_create, name="person_create"),
    path("people/similar/", people.person_similar, name="person_similar"),
    path("people/<int:pk>/", people.person_detail, name="person"),
    path("people/<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/archive/", people.person_archive, name="person_archive"),
    path("people/<int:pk>/photo/", people.person_photo, name="person_photo"),
    path("people/<int:pk>/photo/upload/", people.photo_upload, name="photo_upload"),
    path("people/<int:pk>/contacts/new/", people.contact_add, name="contact_add"),
    path("people/<int:pk>/contacts/<int:contact_pk>/remove/", people.contact_remove, name="contact_remove"),
    path("people/<int:pk>/consents/new/", people.consent_add, name="consent_add"),
    path("people/<int:pk>/consents/<int:consent_pk>/withdraw/", people.consent_withdraw, name="consent_withdraw"),
    path("people/<int:pk>/positions/new/", affiliations.affiliation_add_for_person, name="affiliation_add"),
    path("positions/<int:pk>/end/", affiliations.affiliation_end, name="affiliation_end"),
    path("institutions/", institutions.institution_list, name="institutions"),
    path("institutions/new/", institutions.institution_create, name="institution_create"),
    path("institutions/<int:pk>/", institutions.institution_detail, name="institution"),
    path("institutions/<int:pk>/edit/", institutions.institution_edit, name="institution_edit"),
    path(
        "institutions/<int:pk>/positions/new/",
        affiliations.affiliation_add_for_institution,
        name="institution_affiliation_add",
    ),
]
