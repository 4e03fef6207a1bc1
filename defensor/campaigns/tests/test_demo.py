"""The demo builder: a live campaign with signatures, a closed one with letters and a response, a coalition."""

from __future__ import annotations

import pytest

from defensor.accounts import demo as accounts_demo
from defensor.campaigns import demo as campaigns_demo
from defensor.campaigns import letters
from defensor.campaigns.models import Campaign, CampaignPartner, Delivery, Response, Signature
from defensor.cases import demo as cases_demo
from defensor.core import crypto
from defensor.core.management.commands.demo import Demo
from defensor.directory import demo as directory_demo
from defensor.standards.loader import load

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> Demo:
    load()
    demo = Demo()
    for builder in (accounts_demo, directory_demo, cases_demo, campaigns_demo):
        builder.build(demo)
    return demo


def test_a_live_campaign_for_matalaev_has_hundreds_of_confirmed_signatures(demo):
    campaign = demo.objects["campaign:live"]
    assert campaign.status == Campaign.Status.LIVE
    assert campaign.cases.get().reference == "JI-2017-001"
    assert campaign.signatures.filter(status=Signature.Status.CONFIRMED).count() >= 300
    assert "Gaspar Matalaev" in letters.case_facts(campaign)


def test_demo_signatures_are_found_by_their_blind_index(demo):
    campaign = demo.objects["campaign:live"]
    signature = campaign.signatures.order_by("id").first()
    index = crypto.blind_index(
        signature.email.strip().lower(),
        organisation_id=campaign.organisation_id,
        context=f"campaigns.signature.email:{campaign.pk}",
    )
    assert campaign.signatures.get(email_index=index) == signature


def test_a_closed_campaign_has_letters_sent_and_a_response(demo):
    campaign = demo.objects["campaign:closed"]
    assert campaign.status == Campaign.Status.CLOSED
    assert Delivery.objects.filter(campaign=campaign, status=Delivery.Status.SENT).count() == 2
    assert Response.objects.filter(campaign=campaign).exists()


def test_the_coalition_campaign_is_led_by_l4l_with_ji_accepted(demo):
    campaign = demo.objects["campaign:coalition"]
    assert campaign.organisation == demo.objects["org:l4l"]
    partner = campaign.partners.get()
    assert partner.partner == demo.objects["org:ji"]
    assert partner.status == CampaignPartner.Status.ACCEPTED


def test_running_the_demo_again_changes_nothing(demo):
    counts = (Campaign.objects.count(), Signature.objects.count(), Delivery.objects.count())
    campaigns_demo.build(demo)
    assert (Campaign.objects.count(), Signature.objects.count(), Delivery.objects.count()) == counts
