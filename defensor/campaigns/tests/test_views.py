from __future__ import annotations

from django.urls import reverse

from defensor.campaigns import services
from defensor.campaigns.models import Campaign, Delivery, LetterTemplate, Target
from defensor.core.testing import assert_persona_matrix

READ = {"anonymous": 302, "outsider": 404, "volunteer": 200, "case_officer": 200, "director": 200}
WRITE_FORM = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 200}
WRITE_POST = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 302, "director": 302}


def url(name: str, campaign: Campaign, **extra: int) -> str:
    return reverse(f"campaigns:{name}", kwargs={"pk": campaign.pk, **extra})


def test_list_matrix_and_outsider_sees_none_of_ours(world):
    assert_persona_matrix(
        world.personas,
        reverse("campaigns:list"),
        {"anonymous": 302, "outsider": 200, "volunteer": 200, "case_officer": 200, "director": 200},
    )
    response = world.personas.client("outsider").get(reverse("campaigns:list"))
    assert world.campaign.title_en not in response.content.decode()


def test_list_shows_our_campaign(world):
    response = world.personas.client("volunteer").get(reverse("campaigns:list"))
    assert world.campaign.title_en in response.content.decode()


def test_detail_matrix(world):
    assert_persona_matrix(world.personas, url("detail", world.campaign), READ)


def test_detail_shows_the_confirmed_count_and_deliveries(world):
    target = world.target()
    world.sign("Anna de Wit", "anna@example.org")
    Delivery.objects.create(
        organisation=world.organisation,
        campaign=world.campaign,
        target=target,
        channel="email",
        status="bounced",
        recipient="x@prosecutor.example",
        recorded_by=world.user("case_officer"),
    )
    page = world.personas.client("volunteer").get(url("detail", world.campaign)).content.decode()
    assert '<dd class="campaign-count">1</dd>' in page
    assert "Bounced" in page
    assert "Dear Prosecutor General," in page


def test_create_matrix(world):
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 403, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("campaigns:create"), expected)


def test_create_keeps_what_was_typed_on_error(world):
    client = world.personas.client("case_officer")
    response = client.post(
        reverse("campaigns:create"),
        {
            "title_en": "Typed title",
            "slug": world.campaign.slug,
            "ask_en": "Ask",
            "mode": "joint",
            "retention_days": 90,
        },
    )
    assert response.status_code == 422
    assert "Typed title" in response.content.decode()


def test_create_then_lands_on_the_campaign(world):
    client = world.personas.client("case_officer")
    response = client.post(
        reverse("campaigns:create"),
        {
            "title_en": "New one",
            "slug": "new-one",
            "ask_en": "Ask",
            "mode": "joint",
            "retention_days": 90,
            "cases": [world.case.pk],
            "co_signing_organisations": "Freedom United\nHRW",
        },
    )
    campaign = Campaign.objects.get(slug="new-one")
    assert response["Location"] == url("detail", campaign)
    assert campaign.co_signing_organisations == ["Freedom United", "HRW"]


def test_edit_matrix(world):
    assert_persona_matrix(world.personas, url("edit", world.campaign), WRITE_FORM)


def test_target_add_matrix(world):
    assert_persona_matrix(world.personas, url("target_add", world.campaign), WRITE_FORM)


def test_target_add_by_form(world):
    client = world.personas.client("case_officer")
    client.post(url("target_add", world.campaign), {"institution": world.ministry.pk, "position": "", "language": "en"})
    assert Target.objects.get().salutation == "Dear Minister,"


def test_target_remove_matrix(world):
    target = world.target()
    assert_persona_matrix(
        world.personas, url("target_remove", world.campaign, target_pk=target.pk), WRITE_POST, method="post"
    )


def test_template_editor_matrix(world):
    assert_persona_matrix(world.personas, url("template", world.campaign), WRITE_FORM)


def test_template_editor_has_a_live_preview(world):
    page = world.personas.client("case_officer").get(url("template", world.campaign)).content.decode()
    assert 'hx-trigger="keyup changed delay:500ms' in page
    assert url("template_preview", world.campaign) in page


def test_template_save_refuses_unknown_fields_and_keeps_the_text(world):
    client = world.personas.client("case_officer")
    response = client.post(
        url("template", world.campaign),
        {"kind": "letter", "language": "en", "subject": "S", "body": "{{ salutation }} {{ bogus }}"},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Unknown merge fields" in page
    assert "{{ bogus }}" in page
    assert not LetterTemplate.objects.exists()


def test_template_preview_matrix(world):
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 200, "director": 200}
    assert_persona_matrix(
        world.personas,
        url("template_preview", world.campaign),
        expected,
        method="post",
        data={"subject": "s", "body": "{{ salutation }}", "language": "en"},
    )


def test_template_preview_renders_the_first_target(world):
    world.target()
    response = world.personas.client("case_officer").post(
        url("template_preview", world.campaign),
        {"subject": "To {{ target }}", "body": "{{ salutation }} <b>x</b>", "language": "en"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert "Dear Prosecutor General," in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


def test_launch_matrix_needs_publish(world):
    world.letter()
    expected = {"anonymous": 302, "outsider": 404, "volunteer": 403, "case_officer": 403, "director": 302}
    assert_persona_matrix(world.personas, url("launch", world.campaign), expected, method="post")
    world.campaign.refresh_from_db()
    assert world.campaign.status == Campaign.Status.LIVE


def test_pause_matrix(world):
    assert_persona_matrix(world.personas, url("pause", world.campaign), WRITE_POST, method="post")


def test_close_matrix(world):
    assert_persona_matrix(world.personas, url("close", world.campaign), WRITE_POST, method="post")
    world.campaign.refresh_from_db()
    assert world.campaign.status == Campaign.Status.CLOSED


def test_join_matrix(world):
    expected = {"anonymous": 302, "outsider": 200, "volunteer": 403, "case_officer": 200, "director": 200}
    assert_persona_matrix(world.personas, reverse("campaigns:join"), expected)


def test_outsider_asks_to_join_a_live_campaign(world):
    world.letter()
    services.campaign_launch(actor=world.user("director"), campaign=world.campaign)
    response = world.personas.client("outsider").post(reverse("campaigns:join"), {"slug": world.campaign.slug})
    assert response.status_code == 302
    assert world.campaign.partners.get().status == "requested"


def test_a_draft_cannot_be_joined(world):
    response = world.personas.client("outsider").post(reverse("campaigns:join"), {"slug": world.campaign.slug})
    assert response.status_code == 422
    assert not world.campaign.partners.exists()


def test_partner_decide_matrix(world):
    membership = services.partner_request(
        actor=world.user("outsider"), campaign=world.campaign, partner=world.personas.other_organisation
    )
    assert_persona_matrix(
        world.personas,
        url("partner_decide", world.campaign, partner_pk=membership.pk),
        WRITE_POST,
        method="post",
        data={"accept": "1"},
    )
    membership.refresh_from_db()
    assert membership.status == "accepted"


def test_render_matrix(world):
    world.target()
    world.letter()
    assert_persona_matrix(
        world.personas, url("render", world.campaign), WRITE_POST, method="post", data={"kind": "letter"}
    )


def test_send_email_matrix(world):
    world.target()
    world.letter()
    assert_persona_matrix(
        world.personas, url("send_email", world.campaign), WRITE_POST, method="post", data={"kind": "letter"}
    )


def test_record_delivery_matrix(world):
    assert_persona_matrix(world.personas, url("record_delivery", world.campaign), WRITE_FORM)


def test_record_delivery_by_form(world):
    target = world.target()
    world.personas.client("case_officer").post(
        url("record_delivery", world.campaign),
        {"target": target.pk, "channel": "hand", "sent_on": "2024-02-01", "kind": "letter"},
    )
    assert Delivery.objects.get().channel == "hand"


def test_response_add_matrix(world):
    assert_persona_matrix(world.personas, url("response_add", world.campaign), WRITE_FORM)


def test_update_write_matrix(world):
    assert_persona_matrix(world.personas, url("update_write", world.campaign), WRITE_FORM)


def test_update_send_matrix(world):
    update = services.update_write(actor=world.user("case_officer"), campaign=world.campaign, title_en="t", body_en="b")
    assert_persona_matrix(
        world.personas, url("update_send", world.campaign, update_pk=update.pk), WRITE_POST, method="post"
    )


def test_detail_shows_sent_updates_and_the_letters_job(world):
    world.target()
    world.letter()
    world.sign("Anna de Wit", "anna@example.org", consent_updates=True)
    update = services.update_write(
        actor=world.user("case_officer"), campaign=world.campaign, title_en="Freed", body_en="b"
    )
    services.update_send(actor=world.user("case_officer"), update=update)
    services.letters_render_start(actor=world.user("case_officer"), campaign=world.campaign)
    page = world.personas.client("case_officer").get(url("detail", world.campaign)).content.decode()
    assert "sent on" in page
    assert 'class="render-job"' in page


def test_campaign_page_names_only_the_cases_the_reader_may_see(db):
    import datetime

    from django.urls import reverse

    from defensor.campaigns.models import Campaign
    from defensor.cases import services as cases
    from defensor.core.testing import build_personas

    personas = build_personas()
    officer = personas.users["case_officer"]
    secret = cases.case_open(
        actor=officer,
        organisation=personas.organisation,
        title="Hidden",
        country="TM",
        lead=officer,
        sensitivity="confidential",
        opened_on=datetime.date(2017, 1, 5),
    )
    campaign = Campaign.objects.create(
        organisation=personas.organisation, slug="hidden-case", title_en="Letters", ask_en="Release", created_by=officer
    )
    campaign.cases.add(secret)
    page = personas.client("volunteer").get(reverse("campaigns:detail", args=[campaign.pk]))
    assert page.status_code == 200
    assert secret.reference not in page.content.decode()
