"""The public page: who may see it, what of the case it shows, its language, the embeddable form."""

from __future__ import annotations

import pytest
from django.test import Client

from defensor.campaigns.models import Campaign
from defensor.cases.models import Case, CasePublication, CaseSubject
from defensor.core.testing import Personas, assert_persona_matrix
from defensor.directory.models import Person

pytestmark = pytest.mark.django_db

EVERYONE_200 = {"anonymous": 200, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}
EVERYONE_404 = {"anonymous": 404, "outsider": 404, "volunteer": 404, "case_officer": 404, "director": 404}


def test_everyone_sees_the_public_page(personas: Personas, campaign: Campaign) -> None:
    assert_persona_matrix(personas, f"/act/{campaign.slug}/", EVERYONE_200)


def test_everyone_sees_the_embeddable_form(personas: Personas, campaign: Campaign) -> None:
    assert_persona_matrix(personas, f"/act/{campaign.slug}/embed/", EVERYONE_200)


def test_everyone_gets_a_challenge(personas: Personas, campaign: Campaign) -> None:
    assert_persona_matrix(personas, f"/act/{campaign.slug}/challenge/", EVERYONE_200)


def test_nobody_sees_a_draft_campaign(personas: Personas, campaign: Campaign) -> None:
    campaign.status = Campaign.Status.DRAFT
    campaign.save()
    assert_persona_matrix(personas, f"/act/{campaign.slug}/", EVERYONE_404)


def test_nobody_sees_a_campaign_without_a_public_page(personas: Personas, campaign: Campaign) -> None:
    campaign.public_page = False
    campaign.save()
    assert_persona_matrix(personas, f"/act/{campaign.slug}/embed/", EVERYONE_404)


def test_an_unknown_token_page_is_404_for_everyone(personas: Personas, campaign: Campaign) -> None:
    assert_persona_matrix(personas, f"/act/{campaign.slug}/confirm/nothing/", EVERYONE_404)
    assert_persona_matrix(personas, f"/act/{campaign.slug}/unsign/nothing/", EVERYONE_404)


def test_the_page_shows_the_ask_and_the_count(campaign: Campaign) -> None:
    response = Client().get(f"/act/{campaign.slug}/")
    assert b"Release the lawyer now." in response.content
    assert b'data-testid="signature-count"' in response.content


def test_the_count_is_hidden_when_the_campaign_says_so(campaign: Campaign) -> None:
    campaign.show_count = False
    campaign.save()
    assert b'data-testid="signature-count"' not in Client().get(f"/act/{campaign.slug}/").content


def test_the_page_is_in_russian_for_a_russian_visitor(campaign: Campaign) -> None:
    response = Client().get(f"/act/{campaign.slug}/", HTTP_ACCEPT_LANGUAGE="ru")
    assert b'<html lang="ru"' in response.content
    assert "Свободу защитнику".encode() in response.content
    assert "Немедленно освободите адвоката.".encode() in response.content
    assert b'language="ru"' in response.content


def test_the_page_loads_nothing_from_another_origin(campaign: Campaign) -> None:
    response = Client().get(f"/act/{campaign.slug}/")
    assert b'src="http' not in response.content
    assert b'href="http' not in response.content
    assert "'self'" in response["Content-Security-Policy"]


def _case_with_publication(personas: Personas, campaign: Campaign, *, use_real_name: bool) -> Case:
    director = personas.users["director"]
    case = Case.objects.create(
        organisation=personas.organisation,
        reference="JI-2025-001",
        title="Secret dossier title",
        summary="Internal summary, never public",
        country="BY",
        lead=director,
        opened_on="2025-01-10",
    )
    person = Person.objects.create(organisation=personas.organisation, name="Real Name Of Defender")
    CaseSubject.objects.create(case=case, person=person, role=CaseSubject.Role.LAWYER_AT_RISK)
    CasePublication.objects.create(
        case=case,
        pseudonym="Lawyer A.",
        use_real_name=use_real_name,
        fields=["summary"],
        public_summary="A lawyer detained for defending protesters.",
        updated_by=director,
    )
    campaign.cases.add(case)
    return case


def test_the_page_shows_the_pseudonym_without_consent_to_the_real_name(personas: Personas, campaign: Campaign) -> None:
    _case_with_publication(personas, campaign, use_real_name=False)
    content = Client().get(f"/act/{campaign.slug}/").content
    assert b"Lawyer A." in content
    assert b"Real Name Of Defender" not in content
    assert b"A lawyer detained for defending protesters." in content
    assert b"Secret dossier title" not in content
    assert b"Internal summary" not in content


def test_the_page_shows_the_real_name_with_consent(personas: Personas, campaign: Campaign) -> None:
    _case_with_publication(personas, campaign, use_real_name=True)
    assert b"Real Name Of Defender" in Client().get(f"/act/{campaign.slug}/").content


def test_the_page_shows_only_the_fields_that_may_be_published(personas: Personas, campaign: Campaign) -> None:
    _case_with_publication(personas, campaign, use_real_name=False)
    content = Client().get(f"/act/{campaign.slug}/").content.decode()
    assert "public-case-facts" not in content
    CasePublication.objects.update(fields=["summary", "country"])
    assert "public-case-facts" in Client().get(f"/act/{campaign.slug}/").content.decode()


def test_the_embed_may_be_framed_only_by_the_listed_origins(campaign: Campaign) -> None:
    campaign.embed_origins = ["https://partner.example", "https://coalition.example"]
    campaign.save()
    response = Client().get(f"/act/{campaign.slug}/embed/")
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors https://partner.example https://coalition.example" in policy
    assert "X-Frame-Options" not in response


def test_the_embed_of_a_campaign_without_origins_may_not_be_framed(campaign: Campaign) -> None:
    response = Client().get(f"/act/{campaign.slug}/embed/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_full_page_may_never_be_framed(campaign: Campaign) -> None:
    campaign.embed_origins = ["https://partner.example"]
    campaign.save()
    response = Client().get(f"/act/{campaign.slug}/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_embed_has_no_site_chrome(campaign: Campaign) -> None:
    content = Client().get(f"/act/{campaign.slug}/embed/").content
    assert b"public-header" not in content
    assert b'<form method="post" action="/act/free-the-defender/embed/"' in content
