"""Demo cases (run by `defensor demo` after the accounts, standards and directory builders).

Two kinds of case. Those from the two documents Defensor was started from keep to their
public facts: the Turkmen defender imprisoned for documenting forced labour and Justice
International's petition to the UN Working Group on Arbitrary Detention, the Russian
lawyer pressed for defending Ukrainians, the side event at the OSCE Human Dimension
Implementation Meeting in Warsaw on 20 September 2017, the workshop in Bishkek from 23 April
to 2 May 2017, and the hearings, fact-finding and need-assessment missions of Lawyers for
Lawyers (Kazakhstan, Syria, Turkey; the Philippines and Colombia; Kyrgyzstan in June 2018).
Where the documents give a month or no day, the day here is an approximation, and events
say so through their date precision. Every other case and every person in it is invented,
and the person's notes say so.

Everything is written through the services, which validate and audit. Running the builder
again creates nothing: a case is looked up by its reference first, and only a new case gets
its people, timeline, proceedings, documents and risk history.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from defensor.cases import services
from defensor.cases.models import Case, CaseAccess, CaseShare, CaseSubject, Document, Event, Perpetrator, Proceeding
from defensor.core.ledger import activity_record
from defensor.core.models import Activity, ActivityKind, Sensitivity
from defensor.directory.models import Consent, ConsentScope, Gender, Person, Profession
from defensor.directory.services import person_create
from defensor.standards.models import Provision, Term

D = datetime.date
S = Sensitivity
R = Case.Risk
ST = Case.Status
ROLE = CaseSubject.Role
INVENTED = "Invented for the demonstration: this person does not exist."


# ------------------------------------------------------------------ what a case is made of


@dataclass(frozen=True)
class Ev:
    """An event of the timeline. `type` is a code of the reprisal_type (or proceeding_stage) vocabulary."""

    on: datetime.date
    type: str
    title: str
    provisions: tuple[str, ...] = ()
    perpetrator: str = ""  # a perpetrator_type code
    institution: str = ""  # a key of the directory demo ("institution:<key>")
    involvement: str = Perpetrator.Involvement.CARRIED_OUT
    source: str = "Account given by the lawyer to our case officer."
    reliability: str = "reliability.likely_reliable"
    anonymous: bool = False
    precision: str = "day"
    verification: str = Event.Verification.ALLEGED
    description: str = ""
    place: str = ""
    category: str = Event.Category.REPRISAL
    sensitivity: str = ""  # empty: the case's


@dataclass(frozen=True)
class Charge:
    article: str
    text: str = ""
    max_penalty: str = ""


@dataclass(frozen=True)
class Proc:
    kind: str
    stage: str
    started_on: datetime.date
    body: str = ""  # a key of the directory demo
    case_number: str = ""
    next_hearing_in_days: int | None = None  # from the day the demo is built, so that hearings lie ahead
    outcome: str = Proceeding.Outcome.PENDING
    sentence: str = ""
    ended_on: datetime.date | None = None
    charges: tuple[Charge, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Doc:
    filename: str
    title: str
    kind: str
    on: datetime.date
    text: str
    sensitivity: str = ""


@dataclass(frozen=True)
class Invented:
    name: str
    name_latin: str
    gender: str
    profession: str = Profession.LAWYER


@dataclass(frozen=True)
class Act:
    """A ledger activity about the case."""

    kind: str
    on: datetime.date
    title: str
    sensitivity: str = S.INTERNAL


@dataclass(frozen=True)
class Spec:
    reference: str
    organisation: str  # "ji" or "l4l"
    lead: str  # email
    country: str
    title: str
    summary: str
    opened_on: datetime.date
    status: str
    risk: str
    sensitivity: str
    programmes: tuple[str, ...]
    subject: str | Invented  # a directory demo key ("matalaev") or an invented person
    role: str
    events: tuple[Ev, ...] = ()
    proceedings: tuple[Proc, ...] = ()
    documents: tuple[Doc, ...] = ()
    activities: tuple[Act, ...] = ()
    risk_history: tuple[tuple[datetime.date, str, str], ...] = ()
    access: tuple[tuple[str, bool], ...] = ()  # (email, may edit)
    tags: tuple[str, ...] = ()
    closed_on: datetime.date | None = None
    first_risk: str = ""  # the level at opening when it later changed (risk_history)


JI_OFFICER = "officer@ji.example"
JI_DIRECTOR = "director@ji.example"
L4L_OFFICER = "officer@l4l.example"
L4L_DIRECTOR = "director@l4l.example"
LAWYER = ROLE.LAWYER_AT_RISK
DEFENDER = ROLE.DEFENDER_AT_RISK


# ------------------------------------------------------------------ cases from the seed documents

SEED_CASES: list[Spec] = [
    Spec(
        reference="JI-2017-001",
        organisation="ji",
        lead=JI_OFFICER,
        country="TM",
        title="Imprisonment of Gaspar Matalaev for documenting forced labour in the cotton harvest",
        summary=(
            "Gaspar Matalaev reported on forced labour in Turkmenistan's cotton harvest. He was detained, "
            "ill-treated and sent to prison. We petitioned the UN Working Group on Arbitrary Detention, which "
            "found his arrest and detention arbitrary and asked for his immediate release. About 91,000 people "
            "signed the petition for his release launched by Freedom United and other organisations."
        ),
        opened_on=D(2017, 2, 1),
        status=ST.ACTIVE,
        risk=R.HIGH,
        sensitivity=S.INTERNAL,
        programmes=("legal_assistance", "advocacy", "letters"),
        subject="matalaev",
        role=DEFENDER,
        tags=("forced labour", "cotton", "WGAD"),
        events=(
            Ev(
                D(2016, 10, 1),
                "rep.lib.arrest",
                "Detained after reporting on forced labour in the cotton harvest",
                ("ICCPR-9.1", "UNDHRD-12"),
                perpetrator="perp.state.security_services",
                precision="month",
                verification=Event.Verification.VERIFIED,
                source="Reports of independent Turkmen media, confirmed by his family.",
                reliability="reliability.highly_reliable",
            ),
            Ev(
                D(2016, 10, 1),
                "rep.phys.torture_ill_treatment",
                "Ill-treated in custody to make him confess",
                ("ICCPR-7", "CAT-2"),
                perpetrator="perp.state.police",
                precision="month",
                source="A relative who asked not to be named.",
                reliability="reliability.unsure",
                anonymous=True,
                sensitivity=S.CONFIDENTIAL,
            ),
            Ev(
                D(2016, 10, 1),
                "rep.jud.conviction",
                "Sentenced to three years in prison for fraud after a closed hearing",
                ("ICCPR-14.1", "ICCPR-14.3.b", "ICCPR-9.1"),
                perpetrator="perp.state.judiciary",
                precision="month",
                verification=Event.Verification.VERIFIED,
                source="Reports of independent Turkmen media.",
            ),
        ),
        proceedings=(
            Proc(
                kind=Proceeding.Kind.CRIMINAL,
                stage="stage.serving_sentence",
                started_on=D(2016, 10, 1),
                outcome=Proceeding.Outcome.CONVICTED,
                sentence="Three years' imprisonment",
                ended_on=D(2016, 10, 31),
                charges=(
                    Charge(
                        "Fraud (Criminal Code of Turkmenistan)", "The charge his family and colleagues call fabricated."
                    ),
                ),
                notes="No lawyer of his choice was allowed; the family learnt of the hearing afterwards.",
            ),
        ),
        documents=(
            Doc(
                "wgad-petition-summary.txt",
                "Summary of our petition to the Working Group on Arbitrary Detention",
                Document.Kind.REPORT,
                D(2017, 5, 15),
                "Petition on behalf of Gaspar Matalaev.\n\nThe petition sets out that he was detained for reporting "
                "on forced labour, held without access to a lawyer of his choice, ill-treated, and convicted after "
                "a closed hearing. It asks the Working Group to find the deprivation of liberty arbitrary under "
                "categories II and III and to request his immediate release.",
            ),
            Doc(
                "family-call-notes.txt",
                "Notes of a call with the family",
                Document.Kind.STATEMENT,
                D(2017, 3, 2),
                "The family confirmed the account of ill-treatment and asked that their names never appear in "
                "any letter or statement.",
                sensitivity=S.CONFIDENTIAL,
            ),
        ),
        activities=(
            Act(
                ActivityKind.LETTER_SENT,
                D(2017, 4, 3),
                "Letter to the Prosecutor General of Turkmenistan asking for the release of Gaspar Matalaev",
            ),
            Act(
                ActivityKind.SUBMISSION_FILED,
                D(2017, 5, 15),
                "Petition to the UN Working Group on Arbitrary Detention filed for Gaspar Matalaev",
            ),
            Act(
                ActivityKind.DECISION_RECEIVED,
                D(2017, 11, 24),
                "Opinion of the UN Working Group on Arbitrary Detention: the arrest and detention of Gaspar Matalaev "
                "are arbitrary; immediate release requested",
            ),
            Act(
                ActivityKind.SOCIAL_MEDIA,
                D(2017, 11, 27),
                "Posts sharing the Working Group's opinion on Gaspar Matalaev",
            ),
        ),
        risk_history=((D(2017, 11, 24), R.HIGH, "The opinion is public, but nothing shows he will be released soon."),),
    ),
    Spec(
        reference="JI-2017-002",
        organisation="ji",
        lead=JI_OFFICER,
        country="RU",
        title="Pressure on a Moscow advocate who defends Ukrainian clients",
        summary=(
            "A Russian advocate who often represents defendants from Ukraine faces threats, a disciplinary "
            "complaint and a campaign calling him a traitor. We supported him with a social-media campaign and "
            "technical assistance as he defended his right to keep practising."
        ),
        opened_on=D(2017, 9, 12),
        status=ST.ACTIVE,
        risk=R.IMMINENT,
        first_risk=R.HIGH,
        sensitivity=S.CONFIDENTIAL,
        programmes=("advocacy", "legal_assistance"),
        subject="dolgov",
        role=LAWYER,
        tags=("Ukrainian clients", "disciplinary"),
        access=(("volunteer@ji.example", False), ("expert@ji.example", False)),
        events=(
            Ev(
                D(2017, 6, 1),
                "rep.threat.identification_with_client",
                "Called a traitor on a state television talk show for defending Ukrainians",
                ("BPRL-18",),
                perpetrator="perp.nonstate.pro_government",
                precision="month",
                source="Recording of the broadcast kept by the lawyer.",
                reliability="reliability.highly_reliable",
                verification=Event.Verification.VERIFIED,
            ),
            Ev(
                D(2017, 8, 22),
                "rep.prof.disciplinary_proceedings",
                "Ministry of Justice asks the bar chamber to discipline him over his interviews",
                ("BPRL-16", "BPRL-23", "BPRL-28"),
                perpetrator="perp.state.executive",
                institution="moj-russia",
                involvement=Perpetrator.Involvement.ORDERED,
            ),
            Ev(
                D(2018, 2, 10),
                "rep.threat.death_threat",
                "Anonymous death threats after the campaign named him",
                ("BPRL-17", "ICCPR-17"),
                perpetrator="perp.unknown",
                source="Screenshots of the messages, kept by the lawyer.",
            ),
        ),
        proceedings=(
            Proc(
                kind=Proceeding.Kind.DISCIPLINARY,
                stage="disc.cleared",
                started_on=D(2017, 8, 22),
                body="moscow-bar",
                outcome=Proceeding.Outcome.CLEARED,
                ended_on=D(2018, 4, 20),
                charges=(
                    Charge(
                        "Code of Professional Ethics of Advocates",
                        "Said to have discredited the profession in interviews about his clients.",
                        "Disbarment",
                    ),
                ),
            ),
        ),
        documents=(
            Doc(
                "reply-outline.txt",
                "Outline of the reply to the disciplinary complaint",
                Document.Kind.LETTER,
                D(2017, 9, 25),
                "1. An advocate is not identified with the client or the client's cause (Basic Principles, "
                "principle 18).\n2. Public comment on a case is part of the freedom of expression of lawyers "
                "(principle 23).\n3. The complaint comes from the executive, not from a client.",
            ),
        ),
        activities=(
            Act(
                ActivityKind.ADVICE_GIVEN,
                D(2017, 9, 25),
                "Technical assistance with the reply to a disciplinary complaint",
                S.CONFIDENTIAL,
            ),
            Act(
                ActivityKind.SOCIAL_MEDIA,
                D(2017, 10, 2),
                "Social-media campaign for a Russian advocate who defends Ukrainian clients",
                S.CONFIDENTIAL,
            ),
        ),
        risk_history=((D(2018, 2, 15), R.IMMINENT, "New death threats; he asked us to stop naming him in public."),),
    ),
    Spec(
        reference="JI-2017-003",
        organisation="ji",
        lead=JI_OFFICER,
        country="TR",
        title="Prosecution of an Istanbul lawyer for the clients they defended",
        summary=(
            "An Istanbul lawyer is tried with colleagues of the same firm; the indictment lists their clients "
            "as evidence."
        ),
        opened_on=D(2017, 3, 20),
        status=ST.ACTIVE,
        risk=R.HIGH,
        sensitivity=S.INTERNAL,
        programmes=("trial_monitoring", "letters"),
        subject="arslan",
        role=LAWYER,
        tags=("mass trial",),
        events=(
            Ev(
                D(2016, 11, 8),
                "rep.lib.arrest",
                "Detained in a dawn raid with other lawyers of the firm",
                ("ICCPR-9.1", "ECHR-5", "BPRL-16"),
                perpetrator="perp.state.police",
                place="Istanbul",
            ),
            Ev(
                D(2016, 11, 8),
                "rep.priv.seizure_files_devices",
                "Client files and phones seized in the search of the office",
                ("BPRL-22", "ECHR-8"),
                perpetrator="perp.state.police",
                place="Istanbul",
            ),
            Ev(
                D(2017, 1, 20),
                "rep.threat.identification_with_client",
                "The indictment cites the clients they represented as evidence",
                ("BPRL-18",),
                perpetrator="perp.state.prosecution",
                source="The indictment, read by our observer.",
                reliability="reliability.highly_reliable",
                verification=Event.Verification.VERIFIED,
            ),
        ),
        proceedings=(
            Proc(
                kind=Proceeding.Kind.CRIMINAL,
                stage="stage.trial",
                started_on=D(2017, 1, 20),
                body="istanbul-heavy-penal-court",
                case_number="2017/112 E.",
                next_hearing_in_days=24,
                charges=(
                    Charge(
                        "Turkish Penal Code, Article 314(2)",
                        "Membership of an armed organisation",
                        "Ten years' imprisonment",
                    ),
                    Charge(
                        "Anti-Terror Law No. 3713, Article 7(2)",
                        "Propaganda for a terrorist organisation",
                        "Five years' imprisonment",
                    ),
                ),
            ),
        ),
        activities=(
            Act(
                ActivityKind.LETTER_SENT,
                D(2017, 4, 3),
                "Letter to the Minister of Justice of Türkiye on the trial of an Istanbul lawyer",
            ),
            Act(ActivityKind.HEARING_OBSERVED, D(2017, 9, 12), "Hearing observed in the trial of Istanbul lawyers"),
        ),
    ),
    Spec(
        reference="JI-2018-001",
        organisation="ji",
        lead=JI_DIRECTOR,
        country="KZ",
        title="Disciplinary pressure on an Almaty advocate who defends peaceful protesters",
        summary=(
            "An Almaty advocate was kept from a detained client, then reported to the bar for a comment to the press."
        ),
        opened_on=D(2018, 4, 3),
        status=ST.MONITORING,
        risk=R.MEDIUM,
        sensitivity=S.INTERNAL,
        programmes=("trial_monitoring", "legal_assistance"),
        subject="temirova",
        role=LAWYER,
        tags=("protesters",),
        events=(
            Ev(
                D(2018, 3, 15),
                "rep.obst.access_to_client_denied",
                "Kept from a detained client at the police station for a whole day",
                ("BPRL-8", "ICCPR-14.3.b"),
                perpetrator="perp.state.police",
                place="Almaty",
            ),
            Ev(
                D(2018, 3, 28),
                "rep.prof.disciplinary_proceedings",
                "The Ministry of Justice asks the bar to discipline her for a comment to the press",
                ("BPRL-23", "BPRL-28"),
                perpetrator="perp.state.executive",
                institution="moj-kazakhstan",
            ),
            Ev(
                D(2018, 5, 14),
                "",
                "Disciplinary hearing postponed at the request of the complainant",
                category=Event.Category.PROCEDURAL,
                verification=Event.Verification.VERIFIED,
            ),
        ),
        proceedings=(
            Proc(
                kind=Proceeding.Kind.DISCIPLINARY,
                stage="disc.complaint_filed",
                started_on=D(2018, 3, 28),
                body="almaty-bar",
                next_hearing_in_days=21,
                charges=(Charge("Rules of professional conduct", "Alleged disclosure of information about a client"),),
            ),
        ),
        activities=(
            Act(
                ActivityKind.LETTER_SENT,
                D(2018, 4, 10),
                "Letter to the Minister of Justice of Kazakhstan about the complaint against an Almaty advocate",
            ),
        ),
    ),
]


# ------------------------------------------------------------------ invented cases
# Each event type comes with the sentence, provisions and perpetrator type it usually has.

# fmt: off
EVENT_SHAPES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "rep.prof.disbarment": ("Struck off the roll of advocates", ("BPRL-16", "BPRL-28"), "perp.state.executive"),
    "rep.prof.licence_suspension":
        ("Licence suspended after a qualification review", ("BPRL-16", "BPRL-28"), "perp.state.executive"),
    "rep.prof.disciplinary_proceedings":
        ("Disciplinary proceedings opened", ("BPRL-27", "BPRL-28"), "perp.bar_association"),
    "rep.prof.admission_refused":
        ("Refused admission to the bar after the examination", ("BPRL-10",), "perp.bar_association"),
    "rep.prof.audience_denied":
        ("Not allowed into the courtroom to defend a client", ("BPRL-19", "ICCPR-14.3.d"), "perp.state.judiciary"),
    "rep.prof.removed_from_case":
        ("Removed from a client's case by the judge", ("BPRL-19", "ICCPR-14.3.d"), "perp.state.judiciary"),
    "rep.jud.criminal_investigation":
        ("Criminal investigation opened against the lawyer", ("BPRL-16", "BPRL-18"), "perp.state.prosecution"),
    "rep.jud.criminal_prosecution":
        ("Charged over their work for a client", ("BPRL-16", "BPRL-18", "ICCPR-14.1"), "perp.state.prosecution"),
    "rep.jud.conviction": ("Convicted after a hearing closed to the public", ("ICCPR-14.1",), "perp.state.judiciary"),
    "rep.jud.contempt_or_speech_charge":
        ("Fined for a post criticising a court decision", ("BPRL-23", "ICCPR-19"), "perp.state.judiciary"),
    "rep.jud.financial_or_tax_investigation":
        ("Tax inspection of the law office", ("BPRL-16",), "perp.state.executive"),
    "rep.jud.compelled_testimony":
        ("Summoned to testify against a client", ("BPRL-22",), "perp.state.security_services"),
    "rep.lib.arrest": ("Detained and questioned for a day", ("ICCPR-9.1",), "perp.state.police"),
    "rep.lib.arbitrary_detention":
        ("Held without charge for several days", ("ICCPR-9.1", "ICCPR-9.3"), "perp.state.police"),
    "rep.phys.assault": ("Beaten by officers", ("ICCPR-7", "BPRL-17"), "perp.state.police"),
    "rep.threat.threat": ("Threatened by local officials", ("BPRL-17", "UNDHRD-12"), "perp.state.executive"),
    "rep.threat.death_threat": ("Received death threats", ("BPRL-17",), "perp.unknown"),
    "rep.threat.family_targeted":
        ("Relatives questioned to put pressure on them", ("BPRL-16", "BPRL-17"), "perp.state.security_services"),
    "rep.threat.identification_with_client":
        ("Publicly equated with the clients they defend", ("BPRL-18",), "perp.nonstate.pro_government"),
    "rep.threat.smear_campaign":
        ("Smear articles in pro-government media", ("BPRL-16", "UNDHRD-12"), "perp.nonstate.pro_government"),
    "rep.threat.online_harassment": ("Harassed online under their own name", ("UNDHRD-12", "ICCPR-19"), "perp.unknown"),
    "rep.priv.search_office_home":
        ("Home and office searched", ("BPRL-22", "ICCPR-17"), "perp.state.security_services"),
    "rep.priv.seizure_files_devices":
        ("Computer and client files taken away", ("BPRL-22", "ICCPR-17"), "perp.state.security_services"),
    "rep.priv.interception_privileged":
        ("Calls with a client intercepted", ("BPRL-22", "ICCPR-17"), "perp.state.security_services"),
    "rep.priv.surveillance_physical":
        ("Followed by plain-clothes officers", ("ICCPR-17", "UNDHRD-12"), "perp.state.security_services"),
    "rep.obst.access_to_client_denied":
        ("Not allowed to see a detained client", ("BPRL-8", "ICCPR-14.3.b"), "perp.state.prison_admin"),
    "rep.obst.case_file_denied":
        ("Refused access to the case file", ("BPRL-21", "ICCPR-14.3.b"), "perp.state.prosecution"),
    "rep.obst.humiliating_search":
        ("Body-searched in a humiliating way at the prison gate", ("BPRL-16",), "perp.state.prison_admin"),
    "rep.move.travel_ban":
        ("Stopped at the border and banned from travelling", ("UNDHRD-5",), "perp.state.security_services"),
    "rep.move.passport_confiscated": ("Passport taken away", ("UNDHRD-12",), "perp.state.executive"),
    "rep.econ.org_deregistration":
        ("Organisation refused registration", ("ICCPR-22", "BPRL-24"), "perp.state.executive"),
    "rep.econ.client_pressure": ("Clients pressed to dismiss the lawyer", ("BPRL-16",), "perp.state.police"),
    "rep.phys.killing": ("A colleague working on the same cases was shot dead", ("ICCPR-6", "BPRL-17"), "perp.unknown"),
}
# fmt: on

PLACES = {
    "BY": "Minsk",
    "UA": "Simferopol",
    "TJ": "Dushanbe",
    "UZ": "Tashkent",
    "KZ": "Almaty",
    "TM": "Ashgabat",
    "KG": "Bishkek",
    "RU": "Moscow",
    "TR": "Istanbul",
    "SY": "Damascus",
    "PH": "Manila",
    "CO": "Bogotá",
}
DISCIPLINARY = {"rep.prof.disbarment", "rep.prof.licence_suspension", "rep.prof.disciplinary_proceedings"}

A, H, L, P, E, T, M = (
    "advocacy",
    "legal_assistance",
    "letters",
    "trial_monitoring",
    "emergency",
    "training",
    "missions",
)


F, MA = Gender.FEMALE, Gender.MALE
HRD, ADV, LAW = Profession.HRD, Profession.ADVOCATE, Profession.LAWYER

# reference, organisation, lead, country, title, person, role, status, risk, sensitivity, programmes, opened on,
# events as (date, reprisal type)
# fmt: off
INVENTED_CASES: list[tuple[Any, ...]] = [
    ("JI-2017-004", "ji", JI_OFFICER, "BY", "Disbarment of a Minsk advocate after defending detained protesters",
     ("Аляксей Дубко", "Aliaksei Dubko", MA, ADV),
     LAWYER, ST.CLOSED_UNRESOLVED, R.MEDIUM, S.INTERNAL, (A, L), D(2017, 4, 10),
     ((D(2017, 2, 14), "rep.prof.disciplinary_proceedings"), (D(2017, 3, 30), "rep.prof.disbarment"))),
    ("JI-2017-005", "ji", JI_OFFICER, "UA", "Searches and threats against a Crimean Tatar lawyer in Simferopol",
     ("Сервер Кемалов", "Server Kemalov", MA), LAWYER, ST.ACTIVE, R.HIGH, S.CONFIDENTIAL, (A, H), D(2017, 5, 22),
     ((D(2017, 5, 18), "rep.priv.search_office_home"), (D(2017, 6, 2), "rep.threat.threat"))),
    ("JI-2017-006", "ji", JI_DIRECTOR, "TJ", "Lawyer jailed after representing an opposition figure in Dushanbe",
     ("Фарход Назаров", "Farhod Nazarov", MA), LAWYER, ST.ACTIVE, R.IMMINENT, S.SECRET, (H,), D(2017, 6, 5),
     ((D(2017, 5, 30), "rep.lib.arrest"), (D(2017, 6, 1), "rep.jud.criminal_prosecution"))),
    ("JI-2017-007", "ji", JI_OFFICER, "UZ", "Travel ban on a Tashkent human rights defender",
     ("Дилноза Юлдашева", "Dilnoza Yuldasheva", F, HRD),
     DEFENDER, ST.MONITORING, R.MEDIUM, S.INTERNAL, (A,), D(2017, 7, 3),
     ((D(2017, 6, 20), "rep.move.travel_ban"), (D(2017, 6, 25), "rep.priv.surveillance_physical"))),
    ("JI-2017-008", "ji", JI_OFFICER, "KZ", "Criminal case against an advocate for disclosing investigation data",
     ("Ержан Сатыбалдиев", "Yerzhan Satybaldiyev", MA, ADV),
     LAWYER, ST.ACTIVE, R.HIGH, S.INTERNAL, (P, H), D(2017, 8, 14),
     ((D(2017, 8, 1), "rep.jud.criminal_investigation"), (D(2017, 8, 10), "rep.obst.case_file_denied"))),
    ("JI-2017-009", "ji", JI_OFFICER, "TM", "Pressure on the family of a Turkmen activist after posts abroad",
     ("Мердан Аннаев", "Merdan Annayev", MA, HRD), DEFENDER, ST.ACTIVE, R.HIGH, S.CONFIDENTIAL, (A,), D(2017, 8, 28),
     ((D(2017, 8, 15), "rep.threat.family_targeted"), (D(2017, 8, 21), "rep.move.passport_confiscated"))),
    ("JI-2017-010", "ji", JI_DIRECTOR, "KG", "Smear campaign against a Bishkek lawyer after a torture complaint",
     ("Айбек Токтогулов", "Aibek Toktogulov", MA), LAWYER, ST.ACTIVE, R.MEDIUM, S.INTERNAL, (T, A), D(2017, 5, 5),
     ((D(2017, 4, 12), "rep.threat.smear_campaign"), (D(2017, 4, 28), "rep.threat.online_harassment"))),
    ("JI-2017-011", "ji", JI_OFFICER, "KG", "Threats to a Jalal-Abad defender who documents torture",
     ("Нургуль Асанова", "Nurgul Asanova", F, HRD), DEFENDER, ST.MONITORING, R.HIGH, S.INTERNAL, (T,), D(2017, 5, 6),
     ((D(2017, 4, 18), "rep.threat.threat"),)),
    ("JI-2017-012", "ji", JI_OFFICER, "TJ", "Summons and pressure on a Khujand women's rights defender",
     ("Мехрангез Рахимова", "Mehrangez Rahimova", F, HRD),
     DEFENDER, ST.DORMANT, R.MEDIUM, S.INTERNAL, (T,), D(2017, 5, 8),
     ((D(2017, 3, 9), "rep.jud.compelled_testimony"),)),
    ("JI-2017-013", "ji", JI_OFFICER, "UZ", "Lawyer barred from a client's trial in Samarkand",
     ("Баходир Эргашев", "Bahodir Ergashev", MA), LAWYER, ST.CLOSED_RESOLVED, R.LOW, S.INTERNAL, (H,), D(2017, 10, 2),
     ((D(2017, 9, 26), "rep.prof.audience_denied"),)),
    ("JI-2017-014", "ji", JI_OFFICER, "RU", "Office search of a Krasnodar lawyer who defends religious believers",
     ("Николай Ветров", "Nikolai Vetrov", MA), LAWYER, ST.ACTIVE, R.HIGH, S.CONFIDENTIAL, (H,), D(2017, 10, 16),
     ((D(2017, 10, 11), "rep.priv.search_office_home"), (D(2017, 10, 11), "rep.priv.seizure_files_devices"))),
    ("JI-2017-015", "ji", JI_DIRECTOR, "RU", "Assault on a lawyer outside a court in Makhachkala",
     ("Ольга Герасименко", "Olga Gerasimenko", F),
     LAWYER, ST.ACTIVE, R.IMMINENT, S.CONFIDENTIAL, (E,), D(2017, 11, 7),
     ((D(2017, 11, 3), "rep.phys.assault"),)),
    ("JI-2017-016", "ji", JI_OFFICER, "TR", "Lawyer's passport cancelled in the purge after the coup attempt",
     ("Elif Karaca", "Elif Karaca", F), LAWYER, ST.MONITORING, R.MEDIUM, S.INTERNAL, (L,), D(2017, 11, 20),
     ((D(2016, 9, 2), "rep.move.passport_confiscated"),)),
    ("JI-2017-017", "ji", JI_OFFICER, "BY", "Licence of a Gomel advocate withdrawn after an extraordinary review",
     ("Вольга Марозава", "Volha Marozava", F, ADV),
     LAWYER, ST.CLOSED_UNRESOLVED, R.MEDIUM, S.INTERNAL, (A,), D(2017, 12, 4),
     ((D(2017, 11, 24), "rep.prof.licence_suspension"),)),
    ("JI-2018-002", "ji", JI_OFFICER, "KZ", "Detention of a defender who monitored a protest in Almaty",
     ("Сауле Бекова", "Saule Bekova", F, HRD), DEFENDER, ST.ACTIVE, R.MEDIUM, S.INTERNAL, (P,), D(2018, 1, 15),
     ((D(2018, 1, 8), "rep.lib.arbitrary_detention"), (D(2018, 1, 12), "rep.jud.conviction"))),
    ("JI-2018-003", "ji", JI_OFFICER, "TM", "Lawyer turned away at a prison where a client is held",
     ("Аннамурат Оразов", "Annamurat Orazov", MA), LAWYER, ST.ACTIVE, R.HIGH, S.CONFIDENTIAL, (H,), D(2018, 2, 5),
     ((D(2018, 1, 29), "rep.obst.access_to_client_denied"),)),
    ("JI-2018-004", "ji", JI_OFFICER, "TJ", "Lawyer's relatives questioned to make him drop a case",
     ("Шокир Давлатов", "Shokir Davlatov", MA), LAWYER, ST.VERIFICATION, R.HIGH, S.INTERNAL, (H,), D(2018, 2, 19),
     ((D(2018, 2, 12), "rep.threat.family_targeted"),)),
    ("JI-2018-005", "ji", JI_OFFICER, "UZ", "Online harassment of a defender writing about forced labour",
     ("Гулнора Саидова", "Gulnora Saidova", F, HRD), DEFENDER, ST.INTAKE, R.MEDIUM, S.INTERNAL, (A,), D(2018, 3, 5),
     ((D(2018, 2, 27), "rep.threat.online_harassment"),)),
    ("JI-2018-006", "ji", JI_DIRECTOR, "KG", "Charges against a lawyer who reported the torture of his client",
     ("Канат Осмоналиев", "Kanat Osmonaliev", MA), LAWYER, ST.ACTIVE, R.HIGH, S.INTERNAL, (H, P), D(2018, 3, 26),
     ((D(2018, 3, 1), "rep.jud.criminal_investigation"), (D(2018, 3, 20), "rep.jud.criminal_prosecution"))),
    ("JI-2018-007", "ji", JI_DIRECTOR, "RU", "Interception of a lawyer's calls with a client accused of treason",
     ("Павел Сухов", "Pavel Sukhov", MA), LAWYER, ST.ACTIVE, R.HIGH, S.SECRET, (H,), D(2018, 4, 16),
     ((D(2018, 4, 2), "rep.priv.interception_privileged"),)),
    ("JI-2018-008", "ji", JI_OFFICER, "UA", "Lawyer fined in Crimea for a post about a court decision",
     ("Лиля Ибраимова", "Lilia Ibraimova", F), LAWYER, ST.MONITORING, R.MEDIUM, S.INTERNAL, (A,), D(2018, 5, 7),
     ((D(2018, 4, 25), "rep.jud.contempt_or_speech_charge"),)),
    ("JI-2018-009", "ji", JI_OFFICER, "BY", "Lawyer removed from a political trial in Minsk",
     ("Дзмітры Каско", "Dzmitry Kasko", MA), LAWYER, ST.CLOSED_BY_REQUEST, R.MEDIUM, S.INTERNAL, (P,), D(2018, 5, 21),
     ((D(2018, 5, 15), "rep.prof.removed_from_case"),)),
    ("JI-2018-010", "ji", JI_OFFICER, "KZ", "Tax inspection of a law office after a high-profile defence",
     ("Болат Жумабеков", "Bolat Zhumabekov", MA), LAWYER, ST.DORMANT, R.LOW, S.INTERNAL, (H,), D(2018, 6, 4),
     ((D(2018, 5, 28), "rep.jud.financial_or_tax_investigation"),)),
    ("JI-2018-011", "ji", JI_DIRECTOR, "TR", "Lawyers' association closed by emergency decree",
     ("Derya Özkan", "Derya Özkan", F), LAWYER, ST.CLOSED_UNRESOLVED, R.HIGH, S.INTERNAL, (A,), D(2018, 6, 18),
     ((D(2016, 11, 22), "rep.econ.org_deregistration"),)),
    ("JI-2018-012", "ji", JI_OFFICER, "TM", "Defender's house searched and computer taken",
     ("Огулгерек Мырадова", "Ogulgerek Myradova", F, HRD),
     DEFENDER, ST.ACTIVE, R.HIGH, S.CONFIDENTIAL, (E,), D(2018, 7, 2),
     ((D(2018, 6, 27), "rep.priv.search_office_home"), (D(2018, 6, 27), "rep.priv.seizure_files_devices"))),
    ("JI-2018-013", "ji", JI_OFFICER, "UZ", "Bar examination used to keep out a human rights lawyer",
     ("Рустам Нурматов", "Rustam Nurmatov", MA), LAWYER, ST.REJECTED, R.LOW, S.INTERNAL, (), D(2018, 7, 16),
     ((D(2018, 6, 30), "rep.prof.admission_refused"),)),
    ("JI-2018-014", "ji", JI_OFFICER, "TJ", "Lawyer held at the airport and questioned about a trip abroad",
     ("Зарина Холова", "Zarina Kholova", F), LAWYER, ST.VERIFICATION, R.MEDIUM, S.INTERNAL, (T,), D(2018, 8, 6),
     ((D(2018, 8, 1), "rep.lib.arrest"),)),
    ("JI-2018-015", "ji", JI_OFFICER, "KG", "Protection for a rural defender threatened by local officials",
     ("Айжан Сыдыкова", "Aizhan Sydykova", F, HRD), DEFENDER, ST.INTAKE, R.MEDIUM, S.INTERNAL, (E,), D(2018, 8, 20),
     ((D(2018, 8, 14), "rep.threat.threat"),)),
    ("JI-2018-016", "ji", JI_DIRECTOR, "RU", "Lawyer beaten by police while visiting a client in detention",
     ("Максим Лебедев", "Maksim Lebedev", MA), LAWYER, ST.ACTIVE, R.IMMINENT, S.CONFIDENTIAL, (E,), D(2018, 9, 3),
     ((D(2018, 8, 30), "rep.phys.assault"),)),
    ("JI-2018-017", "ji", JI_OFFICER, "BY", "Defenders' organisation refused registration once more",
     ("Ірына Паўлава", "Iryna Paulava", F, HRD), DEFENDER, ST.ARCHIVED, R.LOW, S.PUBLIC, (A,), D(2018, 9, 17),
     ((D(2018, 9, 3), "rep.econ.org_deregistration"),)),
    ("JI-2018-018", "ji", JI_OFFICER, "KZ", "Clients of a Shymkent lawyer pressed to dismiss him",
     ("Марат Ибраев", "Marat Ibrayev", MA), LAWYER, ST.MONITORING, R.LOW, S.PUBLIC, (H,), D(2018, 10, 1),
     ((D(2018, 9, 20), "rep.econ.client_pressure"),)),
    ("JI-2018-019", "ji", JI_OFFICER, "TR", "Lawyer body-searched at a prison gate before seeing a client",
     ("Hatice Güven", "Hatice Güven", F), LAWYER, ST.ACTIVE, R.MEDIUM, S.INTERNAL, (L,), D(2018, 10, 15),
     ((D(2018, 10, 9), "rep.obst.humiliating_search"),)),
    # Lawyers for Lawyers: hearings observed in Turkey, Kazakhstan and Syria; missions to the
    # Philippines, Colombia and (a need assessment) Kyrgyzstan.
    ("L4L-2017-001", "l4l", L4L_OFFICER, "TR", "Trial of a group of lawyers in Istanbul",
     ("Ayşe Tunalı", "Ayşe Tunalı", F), LAWYER, ST.ACTIVE, R.HIGH, S.INTERNAL, (P,), D(2017, 6, 1),
     ((D(2017, 3, 14), "rep.lib.arrest"), (D(2017, 5, 2), "rep.jud.criminal_prosecution"))),
    ("L4L-2018-001", "l4l", L4L_OFFICER, "KZ", "Criminal trial of a lawyer in Kazakhstan",
     ("Галым Нурпеисов", "Galym Nurpeisov", MA), LAWYER, ST.ACTIVE, R.HIGH, S.INTERNAL, (P,), D(2018, 2, 12),
     ((D(2018, 1, 22), "rep.jud.criminal_investigation"), (D(2018, 2, 5), "rep.jud.criminal_prosecution"))),
    ("L4L-2017-002", "l4l", L4L_DIRECTOR, "SY", "Hearings against a detained lawyer in Syria",
     ("Omar Haddad", "Omar Haddad", MA), LAWYER, ST.MONITORING, R.IMMINENT, S.CONFIDENTIAL, (P,), D(2017, 4, 18),
     ((D(2016, 12, 5), "rep.lib.arbitrary_detention"), (D(2017, 3, 1), "rep.jud.criminal_prosecution"))),
    ("L4L-2016-001", "l4l", L4L_OFFICER, "PH", "Threats against a human rights lawyer in the Philippines",
     ("Ramona Villanueva-Ortiz", "Ramona Villanueva-Ortiz", F),
     LAWYER, ST.MONITORING, R.IMMINENT, S.INTERNAL, (M,), D(2016, 9, 5),
     ((D(2016, 7, 19), "rep.phys.killing"), (D(2016, 8, 2), "rep.threat.death_threat"))),
    ("L4L-2016-002", "l4l", L4L_OFFICER, "CO", "Threats by an armed group against a lawyer for victims in Colombia",
     ("Julián Arboleda Mena", "Julián Arboleda Mena", MA),
     LAWYER, ST.ACTIVE, R.HIGH, S.INTERNAL, (M,), D(2016, 11, 14),
     ((D(2016, 10, 20), "rep.threat.death_threat"), (D(2016, 10, 28), "rep.priv.surveillance_physical"))),
    ("L4L-2018-002", "l4l", L4L_OFFICER, "KG", "Pressure on a lawyer met during the need assessment in Kyrgyzstan",
     ("Бакыт Асанов", "Bakyt Asanov", MA), LAWYER, ST.INTAKE, R.MEDIUM, S.INTERNAL, (M,), D(2018, 6, 25),
     ((D(2018, 5, 30), "rep.econ.client_pressure"),)),
]
# fmt: on

# Armed groups, not the state, threaten lawyers in Colombia; in the Philippines the killers are unknown.
PERPETRATOR_BY_COUNTRY = {"CO": "perp.nonstate.armed_group", "UA": "perp.occupying_forces"}

# Ledger activities of the invented cases: (reference, kind, day, title, sensitivity)
# fmt: off
INVENTED_ACTIVITIES = [
    ("L4L-2017-001", ActivityKind.HEARING_OBSERVED, D(2017, 9, 11),
     "Hearing observed in the trial of lawyers in Istanbul"),
    ("L4L-2017-001", ActivityKind.HEARING_OBSERVED, D(2017, 11, 14),
     "Second hearing observed in the trial of lawyers in Istanbul"),
    ("L4L-2018-001", ActivityKind.HEARING_OBSERVED, D(2018, 4, 17),
     "Hearing observed in the trial of a lawyer in Kazakhstan"),
    ("L4L-2017-002", ActivityKind.HEARING_OBSERVED, D(2017, 6, 6),
     "Hearing observed in the case of a detained Syrian lawyer"),
    ("L4L-2016-001", ActivityKind.MISSION_MADE, D(2016, 10, 10),
     "Fact-finding mission to the Philippines on the killings of lawyers"),
    ("L4L-2016-002", ActivityKind.MISSION_MADE, D(2016, 11, 21),
     "Fact-finding mission to Colombia on threats against lawyers"),
    ("L4L-2018-002", ActivityKind.MISSION_MADE, D(2018, 6, 18), "Need-assessment mission to Kyrgyzstan (June 2018)"),
    ("JI-2017-008", ActivityKind.HEARING_OBSERVED, D(2017, 10, 24),
     "Hearing observed in the case of an Almaty advocate"),
    ("JI-2018-006", ActivityKind.LETTER_SENT, D(2018, 4, 2),
     "Letter to the Prosecutor General of Kyrgyzstan about charges against a lawyer"),
    ("JI-2017-015", ActivityKind.STATEMENT_PUBLISHED, D(2017, 11, 9),
     "Statement condemning the assault on a lawyer in Makhachkala"),
]
# fmt: on

# Activities about several cases: (organisation, kind, day, title, references)
SHARED_ACTIVITIES = [
    (
        "ji",
        ActivityKind.TRAINING_HELD,
        D(2017, 4, 23),
        "Workshop for Central Asian human rights defenders in Bishkek (23 April – 2 May 2017)",
        ("JI-2017-010", "JI-2017-011", "JI-2017-012"),
    ),
    (
        "ji",
        ActivityKind.EVENT_HELD,
        D(2017, 9, 20),
        "Side event at the OSCE Human Dimension Implementation Meeting in Warsaw: lawyers under pressure in "
        "Belarus, Crimea, Kazakhstan, Tajikistan, Turkmenistan and Uzbekistan",
        ("JI-2017-001", "JI-2017-004", "JI-2017-005", "JI-2017-007", "JI-2017-008", "JI-2017-012"),
    ),
]

# Cases shared with a partner: (reference, partner, on the consent of the person at risk, or why without)
SHARES = [
    ("JI-2018-001", "l4l", True, ""),
    (
        "L4L-2018-001",
        "ji",
        False,
        "Justice International observes the same trial; the lawyer agreed orally through his counsel.",
    ),
]

EXTRA_ACCESS = [("JI-2017-014", JI_DIRECTOR, True), ("JI-2018-012", "expert@ji.example", False)]


# The charge an invented case's proceeding is about, by the event that started it.
CHARGES = {
    "rep.jud.criminal_investigation": Charge(
        "Obstruction of justice", "Said to have disclosed what a client told them."
    ),
    "rep.jud.criminal_prosecution": Charge("Obstruction of justice", "Said to have advised a client to keep silent."),
    "rep.jud.conviction": Charge(
        "Taking part in an unauthorised assembly", "", "Fifteen days' administrative detention"
    ),
    "rep.jud.contempt_or_speech_charge": Charge("Contempt of court", "For a post criticising a court decision."),
}
ADMINISTRATIVE = {"rep.jud.conviction", "rep.jud.contempt_or_speech_charge"}


def _invented_events(country: str, risk: str, events: tuple[tuple[datetime.date, str], ...], index: int) -> list[Ev]:
    override = PERPETRATOR_BY_COUNTRY.get(country, "")
    timeline = []
    for number, (day, code) in enumerate(events):
        sentence, provisions, perpetrator = EVENT_SHAPES[code]
        if override and perpetrator.startswith("perp.state"):
            perpetrator = override
        first_and_known = number == 0 and risk != R.IMMINENT
        timeline.append(
            Ev(
                day,
                code,
                sentence,
                provisions,
                perpetrator=perpetrator,
                place=PLACES.get(country, ""),
                verification=Event.Verification.VERIFIED if first_and_known else Event.Verification.ALLEGED,
                source="Local media report." if index % 3 == 0 else "Account given by the lawyer to our case officer.",
                reliability="reliability.unsure" if index % 3 == 0 else "reliability.likely_reliable",
            )
        )
    return timeline


def _invented_proceedings(
    events: tuple[tuple[datetime.date, str], ...], status: str, opened: datetime.date, index: int
) -> list[Proc]:
    proceedings: list[Proc] = []
    last_event = max(day for day, _code in events)
    judicial = [(day, code) for day, code in events if code in CHARGES]
    if judicial:
        started_on, code = judicial[0]
        codes = {code for _day, code in judicial}
        convicted = "rep.jud.conviction" in codes
        stage = "stage.investigation"
        if convicted:
            stage = "stage.convicted"
        elif "rep.jud.criminal_prosecution" in codes:
            stage = "stage.trial"
        proceedings.append(
            Proc(
                kind=Proceeding.Kind.ADMINISTRATIVE if codes & ADMINISTRATIVE else Proceeding.Kind.CRIMINAL,
                stage=stage,
                started_on=started_on,
                case_number=f"{opened.year}/{100 + index}",
                next_hearing_in_days=None if convicted or status in Case.CLOSED else 7 + 5 * (index % 9),
                outcome=Proceeding.Outcome.CONVICTED if convicted else Proceeding.Outcome.PENDING,
                sentence=CHARGES["rep.jud.conviction"].max_penalty if convicted else "",
                ended_on=last_event if convicted else None,
                charges=(CHARGES[code],),
            )
        )
    professional = [(day, code) for day, code in events if code in DISCIPLINARY]
    if professional:
        codes = {code for _day, code in professional}
        stage, outcome, ended_on = "disc.complaint_filed", Proceeding.Outcome.PENDING, None
        if "rep.prof.disbarment" in codes:
            stage, outcome, ended_on = "disc.sanctioned.disbarment", Proceeding.Outcome.SANCTIONED, last_event
        elif "rep.prof.licence_suspension" in codes:
            stage, outcome, ended_on = "disc.sanctioned.suspension", Proceeding.Outcome.SANCTIONED, last_event
        proceedings.append(
            Proc(
                kind=Proceeding.Kind.DISCIPLINARY,
                stage=stage,
                started_on=professional[0][0],
                outcome=outcome,
                ended_on=ended_on,
                charges=(Charge("Rules of professional conduct", "Breach of the duty to respect the court, it says."),),
            )
        )
    return proceedings


def _invented_spec(row: tuple[Any, ...], index: int) -> Spec:
    (
        reference,
        organisation,
        lead,
        country,
        title,
        person,
        role,
        status,
        risk,
        sensitivity,
        programmes,
        opened,
        events,
    ) = row
    raised = risk in (R.HIGH, R.IMMINENT)
    advice = Act(ActivityKind.ADVICE_GIVEN, opened + datetime.timedelta(days=10), "Advice on the legal strategy")
    reassessed = (opened + datetime.timedelta(days=30), risk, "Reassessed after the events on the timeline.")
    return Spec(
        reference=reference,
        organisation=organisation,
        lead=lead,
        country=country,
        title=title,
        summary=f"{title}. An invented case for the demonstration.",
        opened_on=opened,
        status=status,
        risk=risk,
        first_risk=R.MEDIUM if raised else "",
        sensitivity=sensitivity,
        programmes=programmes,
        subject=Invented(*person),
        role=role,
        events=tuple(_invented_events(country, risk, events, index)),
        proceedings=tuple(_invented_proceedings(events, status, opened, index)),
        risk_history=(reassessed,) if raised else (),
        closed_on=opened + datetime.timedelta(days=200) if status in Case.CLOSED else None,
        activities=(advice,) if H in programmes and organisation == "ji" else (),
    )


def case_specs() -> list[Spec]:
    """Every demo case: the seed cases first, then the invented ones."""
    return SEED_CASES + [_invented_spec(row, index) for index, row in enumerate(INVENTED_CASES)]


# ------------------------------------------------------------------ building


@dataclass
class Catalogue:
    terms: dict[str, Term] = field(default_factory=dict)
    provisions: dict[str, Provision] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Catalogue:
        return cls(
            terms={t.code: t for t in Term.objects.all()},
            provisions={p.code: p for p in Provision.objects.select_related("instrument")},
        )

    def term(self, code: str) -> Term | None:
        return self.terms.get(code) if code else None


def _subject(demo: Any, spec: Spec, organisation: Any, lead: Any) -> Person:
    if isinstance(spec.subject, str):
        person: Person = demo.objects[f"person:{spec.subject}"]
        return person
    invented = spec.subject
    person_or_none = Person.objects.filter(organisation=organisation, name=invented.name).first()
    if person_or_none is None:
        person_or_none = person_create(
            actor=lead,
            organisation=organisation,
            name=invented.name,
            name_latin=invented.name_latin,
            gender=invented.gender,
            nationality=spec.country,
            residence_country=spec.country,
            professions=[invented.profession],
            notes=INVENTED,
            sensitivity=S.CONFIDENTIAL if Sensitivity.is_restricted(spec.sensitivity) else S.INTERNAL,
        )
    demo.objects[f"person:{spec.reference.lower()}"] = person_or_none
    return person_or_none


def _timeline(demo: Any, spec: Spec, case: Case, lead: Any, catalogue: Catalogue) -> None:
    for event in spec.events:
        perpetrators = []
        if event.perpetrator or event.institution:
            perpetrators.append(
                {
                    "perpetrator_type": catalogue.term(event.perpetrator),
                    "institution": demo.objects.get(f"institution:{event.institution}") if event.institution else None,
                    "involvement": event.involvement,
                }
            )
        sources = []
        if event.source:
            sources.append(
                {
                    "description": event.source,
                    "reliability": catalogue.term(event.reliability),
                    "anonymous": event.anonymous,
                }
            )
        services.event_add(
            actor=lead,
            case=case,
            title=event.title,
            occurred_on=event.on,
            category=event.category,
            event_type=catalogue.term(event.type),
            description=event.description,
            precision=event.precision,
            place=event.place,
            verification=event.verification,
            sensitivity=event.sensitivity or None,
            provisions=[catalogue.provisions[code] for code in event.provisions if code in catalogue.provisions],
            perpetrators=perpetrators,
            sources=sources,
        )


def _proceedings(demo: Any, spec: Spec, case: Case, lead: Any, catalogue: Catalogue) -> None:
    today = timezone.localdate()
    for proc in spec.proceedings:
        proceeding = services.proceeding_add(
            actor=lead,
            case=case,
            kind=proc.kind,
            body=demo.objects.get(f"institution:{proc.body}") if proc.body else None,
            case_number=proc.case_number,
            stage=catalogue.term(proc.stage),
            started_on=proc.started_on,
            next_hearing_on=(
                today + datetime.timedelta(days=proc.next_hearing_in_days) if proc.next_hearing_in_days else None
            ),
            outcome=proc.outcome,
            sentence=proc.sentence,
            ended_on=proc.ended_on,
            notes=proc.notes,
        )
        for charge in proc.charges:
            services.charge_add(
                actor=lead,
                proceeding=proceeding,
                article=charge.article,
                text=charge.text,
                max_penalty=charge.max_penalty,
            )


def _activity(
    *, actor: Any, organisation: Any, kind: str, on: datetime.date, title: str, concerns: list[Case], sensitivity: str
) -> Activity:
    """A ledger row, unless the same one is there already (titles are encrypted: compared here)."""
    same_day = Activity.objects.filter(organisation=organisation, kind=kind, occurred_on=on)
    existing = next((a for a in same_day if a.title == title), None)
    if existing is not None:
        return existing
    return activity_record(
        actor=actor,
        organisation=organisation,
        kind=kind,
        occurred_on=on,
        title=title,
        concerns=concerns,
        sensitivity=sensitivity,
    )


def _open(demo: Any, spec: Spec, catalogue: Catalogue) -> Case:
    organisation = demo.objects[f"org:{spec.organisation}"]
    lead = demo.objects[f"user:{spec.lead}"]
    person = _subject(demo, spec, organisation, lead)
    case = services.case_open(
        actor=lead,
        organisation=organisation,
        reference=spec.reference,
        title=spec.title,
        summary=spec.summary,
        country=spec.country,
        lead=lead,
        status=ST.ACTIVE if spec.closed_on else spec.status,
        risk_level=spec.first_risk or spec.risk,
        risk_reason="First assessment, when the case was opened.",
        sensitivity=spec.sensitivity,
        opened_on=spec.opened_on,
        programmes=spec.programmes,
        tags=spec.tags,
        subjects=[(person, spec.role)],
    )
    for email, may_edit in spec.access:
        services.access_grant(actor=lead, case=case, user=demo.objects[f"user:{email}"], can_edit=may_edit)
    _timeline(demo, spec, case, lead, catalogue)
    _proceedings(demo, spec, case, lead, catalogue)
    for doc in spec.documents:
        services.document_add(
            actor=lead,
            case=case,
            data=doc.text.encode("utf-8"),
            filename=doc.filename,
            title=doc.title,
            kind=doc.kind,
            language="en",
            document_date=doc.on,
            source="Justice International" if spec.organisation == "ji" else "Lawyers for Lawyers",
            sensitivity=doc.sensitivity or None,
        )
    for assessed_on, level, reason in spec.risk_history:
        services.risk_assess(actor=lead, case=case, level=level, reason=reason, assessed_on=assessed_on)
    if spec.closed_on:
        services.case_update(
            actor=lead,
            case=case,
            title=case.title,
            summary=case.summary,
            country=case.country,
            status=spec.status,
            sensitivity=case.sensitivity,
            lead=lead,
            opened_on=case.opened_on,
            closed_on=spec.closed_on,
            programmes=spec.programmes,
            tags=spec.tags,
        )
    return case


def build(demo: Any) -> None:
    catalogue = Catalogue.load()
    cases: dict[str, Case] = {}
    for spec in case_specs():
        organisation = demo.objects[f"org:{spec.organisation}"]
        case = Case.objects.filter(organisation=organisation, reference=spec.reference).first()
        if case is None:
            case = _open(demo, spec, catalogue)
        cases[spec.reference] = case
        demo.objects[f"case:{spec.reference}"] = case
        lead = demo.objects[f"user:{spec.lead}"]
        for act in spec.activities:
            _activity(
                actor=lead,
                organisation=organisation,
                kind=act.kind,
                on=act.on,
                title=act.title,
                concerns=[case],
                sensitivity=act.sensitivity,
            )
    leads = {spec.reference: demo.objects[f"user:{spec.lead}"] for spec in case_specs()}
    for reference, kind, on, title in INVENTED_ACTIVITIES:
        case = cases[reference]
        _activity(
            actor=leads[reference],
            organisation=case.organisation,
            kind=kind,
            on=on,
            title=title,
            concerns=[case],
            sensitivity=S.CONFIDENTIAL if case.is_restricted else S.INTERNAL,
        )
    for organisation_key, kind, on, title, references in SHARED_ACTIVITIES:
        _activity(
            actor=demo.objects[f"user:{JI_DIRECTOR}"],
            organisation=demo.objects[f"org:{organisation_key}"],
            kind=kind,
            on=on,
            title=title,
            concerns=[cases[reference] for reference in references],
            sensitivity=S.PUBLIC,
        )
    for reference, email, may_edit in EXTRA_ACCESS:
        case = cases[reference]
        user = demo.objects[f"user:{email}"]
        if not CaseAccess.objects.filter(case=case, user=user, revoked_at__isnull=True).exists():
            services.access_grant(actor=leads[reference], case=case, user=user, can_edit=may_edit)
    for reference, partner_key, with_consent, reason in SHARES:
        case = cases[reference]
        partner = demo.objects[f"org:{partner_key}"]
        if CaseShare.objects.filter(case=case, partner=partner, revoked_at__isnull=True).exists():
            continue
        consent = None
        if with_consent:
            consent = (
                Consent.objects.filter(
                    person__in=case.subjects.values("person"),
                    scope=ConsentScope.SHARE_WITH_PARTNER,
                    withdrawn_on__isnull=True,
                )
                .order_by("-given_on")
                .first()
            )
        services.share_grant(
            actor=leads[reference],
            case=case,
            partner=partner,
            consent=consent,
            override_reason="" if consent is not None else reason or "Shared for joint work on the case.",
        )
