"""The catalogue pages: who may read them, what they show, and the search."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from defensor.core.testing import assert_persona_matrix
from defensor.standards.models import Provision, Term

pytestmark = pytest.mark.usefixtures("standards_catalogue")

EVERY_MEMBER = {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200}
NOT_FOUND = {"anonymous": 302, "outsider": 404, "volunteer": 404, "case_officer": 404, "director": 404}


def page(personas, url: str, persona: str = "volunteer", **extra) -> str:
    response = personas.client(persona).get(url, **extra)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        reverse("standards:catalogue"),
        reverse("standards:catalogue") + "?q=lawyer&to_verify=on",
        reverse("standards:instrument", args=["BPRL"]),
        reverse("standards:provision", args=["ICCPR-14.3.b"]),
        reverse("standards:vocabularies"),
    ],
)
def test_every_signed_in_member_may_read_the_catalogue(personas, url):
    assert_persona_matrix(personas, url, EVERY_MEMBER)


@pytest.mark.parametrize(
    "url", [reverse("standards:instrument", args=["NOPE"]), reverse("standards:provision", args=["BPRL-30"])]
)
def test_unknown_code_is_404(personas, url):
    assert_persona_matrix(personas, url, NOT_FOUND)


def test_catalogue_lists_instruments_with_counts(personas):
    html = page(personas, reverse("standards:catalogue"))
    assert reverse("standards:instrument", args=["COE-R2000-21"]) in html
    assert '<td class="num">32</td>' in html  # the Basic Principles: 29 principles and 16(a)-(c)


def test_catalogue_shows_the_to_verify_badge_on_an_uncertain_instrument(personas):
    html = page(personas, reverse("standards:catalogue"))
    row = html[html.index(reverse("standards:instrument", args=["COE-LAWYERS-2025"])) :]
    assert 'class="badge to-verify"' in row[: row.index("</td>")]


def test_search_by_words_lists_matching_provisions(personas):
    html = page(personas, reverse("standards:catalogue") + "?q=48+hours")
    assert reverse("standards:provision", args=["BPRL-7"]) in html
    assert reverse("standards:provision", args=["BPRL-18"]) not in html
    assert "2 provisions found" in html


def test_search_in_russian_reads_the_russian_texts(personas):
    client = personas.client("volunteer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get(reverse("standards:catalogue") + "?q=отождествляется").content.decode()
    assert reverse("standards:provision", args=["BPRL-18"]) in html
    assert "Юрист не отождествляется с клиентом" in html


def test_search_with_no_match_says_so(personas):
    html = page(personas, reverse("standards:catalogue") + "?q=zzzz")
    assert "No provision matches" in html


def test_to_verify_filter_lists_only_uncertain_items(personas):
    html = page(personas, reverse("standards:catalogue") + "?to_verify=on")
    assert reverse("standards:provision", args=["ICCPR-9.3.prompt_48h"]) in html
    assert reverse("standards:provision", args=["BPRL-18"]) not in html


def test_htmx_search_returns_only_the_results(personas):
    html = page(personas, reverse("standards:catalogue") + "?q=48+hours", HTTP_HX_REQUEST="true")
    assert "<html" not in html
    assert reverse("standards:provision", args=["BPRL-7"]) in html
    assert "Instruments" not in html


def test_htmx_history_restore_gets_the_whole_page(personas):
    html = page(
        personas,
        reverse("standards:catalogue") + "?q=48+hours",
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in html
    assert reverse("standards:provision", args=["BPRL-7"]) in html


def test_too_long_search_is_refused_and_keeps_what_was_typed(personas):
    typed = "x" * 201
    response = personas.client("volunteer").get(reverse("standards:catalogue"), {"q": typed})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Use at most 200 characters." in html
    assert f'value="{typed}"' in html


def test_too_long_htmx_search_answers_the_message_in_the_partial(personas):
    response = personas.client("volunteer").get(
        reverse("standards:catalogue"), {"q": "x" * 201}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Use at most 200 characters." in response.content.decode()


def test_instrument_page_shows_headings_and_the_provision_tree(personas):
    html = page(personas, reverse("standards:instrument", args=["BPRL"]))
    assert "<h2>Guarantees for the functioning of lawyers</h2>" in html
    assert reverse("standards:provision", args=["BPRL-16.c"]) in html
    assert html.index("BPRL-16.a") < html.index("BPRL-17")


def test_instrument_page_shows_the_to_verify_note(personas):
    html = page(personas, reverse("standards:instrument", args=["COE-LAWYERS-2025"]))
    assert 'class="verify-note"' in html
    assert "CETS No. 226" in html


def test_provision_page_shows_paraphrase_parent_children_and_siblings(personas):
    html = page(personas, reverse("standards:provision", args=["ICCPR-14.3"]))
    assert "a list of minimum guarantees" in html
    assert reverse("standards:provision", args=["ICCPR-14"]) in html  # parent
    assert reverse("standards:provision", args=["ICCPR-14.3.g"]) in html  # child
    assert reverse("standards:provision", args=["ECHR-6.3"]) in html  # sibling


def test_provision_page_shows_the_reprisal_types_that_engage_it(personas):
    html = page(personas, reverse("standards:provision", args=["BPRL-18"]))
    assert "rep.threat.identification_with_client" in html


def test_provision_page_shows_the_to_verify_badge_and_note(personas):
    html = page(personas, reverse("standards:provision", args=["ICCPR-9.3.prompt_48h"]))
    assert 'class="badge to-verify"' in html
    assert "may be corrected in the data files" in html
    assert "General Comment 35" in html


def test_provision_page_of_a_certain_item_has_no_to_verify_badge(personas):
    html = page(personas, reverse("standards:provision", args=["BPRL-18"]))
    assert "to-verify" not in html


def test_provision_page_in_russian(personas):
    client = personas.client("volunteer")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    html = client.get(reverse("standards:provision", args=["BPRL-22"])).content.decode()
    assert "Конфиденциальность общения юриста с клиентом" in html


def test_withdrawn_provision_still_opens_and_says_it_is_withdrawn(personas):
    Provision.objects.filter(code="BPRL-3").update(active=False)
    html = page(personas, reverse("standards:provision", args=["BPRL-3"]))
    assert 'class="badge withdrawn"' in html


def test_vocabularies_page_lists_terms_with_their_hierarchy(personas):
    html = page(personas, reverse("standards:vocabularies"))
    assert 'id="vocabulary-reprisal_type"' in html
    assert 'class="term term-depth-1"' in html
    assert "rep.lib.arrest" in html
    assert reverse("standards:provision", args=["ICCPR-9.1"]) in html


def test_vocabularies_page_marks_terms_to_verify_and_withdrawn(personas):
    Term.objects.filter(code="risk.high").update(to_verify=True, verify_note_en="Check the threshold.")
    Term.objects.filter(code="risk.low").update(active=False)
    html = page(personas, reverse("standards:vocabularies"))
    high = html[html.index("<code>risk.high</code>") :]
    assert 'class="badge to-verify"' in high[: high.index("</li>")]
    assert "Check the threshold." in high[: high.index("</li>")]
    low = html[html.index("<code>risk.low</code>") :]
    assert 'class="badge withdrawn"' in low[: low.index("</li>")]


def test_navigation_shows_the_standards_area(personas):
    html = page(personas, reverse("standards:catalogue"))
    assert f'<a href="{reverse("standards:catalogue")}" aria-current="page">Standards</a>' in html
