"""Demo people and institutions (run by `defensor demo` after the accounts builder).

Institutions are real and described only by public facts. People are either public
cases from the organisations' own published history (Gaspar Matalaev) or invented, with
invented details; no real official is named. Running the builder again creates nothing:
each object is looked up first by its organisation and original name.
"""

from __future__ import annotations

import datetime
from typing import Any

from defensor.core.models import Sensitivity
from defensor.directory.models import (
    Affiliation,
    Consent,
    ConsentMethod,
    ConsentScope,
    ContactChannel,
    ContactKind,
    CourtLevel,
    CourtType,
    ExpertiseArea,
    Gender,
    Institution,
    InstitutionKind,
    LanguageLevel,
    Messenger,
    Person,
    Profession,
)
from defensor.directory.services import (
    affiliation_add,
    consent_record,
    consent_withdraw,
    contact_add,
    institution_create,
    person_create,
)

D = datetime.date
UN_ADDRESS = "Palais des Nations\nCH-1211 Geneva 10\nSwitzerland"

# key, parent key, fields
INSTITUTIONS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "ohchr",
        "",
        {
            "name": "Office of the United Nations High Commissioner for Human Rights",
            "name_latin": "OHCHR",
            "kind": InstitutionKind.UN_BODY,
            "country": "CH",
            "postal_address": UN_ADDRESS,
            "website": "https://www.ohchr.org",
            "salutations": {"en": "Dear Sir or Madam,", "ru": "Уважаемые дамы и господа!"},
        },
    ),
    (
        "wgad",
        "ohchr",
        {
            "name": "Working Group on Arbitrary Detention",
            "name_latin": "UN Working Group on Arbitrary Detention",
            "kind": InstitutionKind.UN_BODY,
            "country": "CH",
            "postal_address": "Working Group on Arbitrary Detention\nc/o OHCHR\n" + UN_ADDRESS,
            "salutations": {
                "en": "Dear Members of the Working Group,",
                "ru": "Уважаемые члены Рабочей группы!",
            },
            "notes": "Found Gaspar Matalaev's detention arbitrary after our petition.",
        },
    ),
    (
        "odihr",
        "",
        {
            "name": "OSCE Office for Democratic Institutions and Human Rights",
            "name_latin": "OSCE/ODIHR",
            "kind": InstitutionKind.REGIONAL_BODY,
            "country": "PL",
            "website": "https://www.osce.org/odihr",
            "salutations": {"en": "Dear Director,", "ru": "Уважаемый господин директор!"},
            "notes": "Hosts the Human Dimension Implementation Meeting in Warsaw, where we held a side event in 2017.",
        },
    ),
    (
        "ccbe",
        "",
        {
            "name": "Council of Bars and Law Societies of Europe",
            "name_latin": "CCBE",
            "kind": InstitutionKind.PARTNER_NGO,
            "country": "BE",
            "website": "https://www.ccbe.eu",
            "salutations": {"en": "Dear colleagues,", "ru": "Уважаемые коллеги!"},
        },
    ),
    (
        "icj",
        "",
        {
            "name": "International Commission of Jurists",
            "name_latin": "ICJ",
            "kind": InstitutionKind.PARTNER_NGO,
            "country": "CH",
            "website": "https://www.icj.org",
            "salutations": {"en": "Dear colleagues,", "ru": "Уважаемые коллеги!"},
        },
    ),
    (
        "hfhr",
        "",
        {
            "name": "Helsińska Fundacja Praw Człowieka",
            "name_latin": "Helsinki Foundation for Human Rights",
            "kind": InstitutionKind.PARTNER_NGO,
            "country": "PL",
            "website": "https://hfhr.pl",
            "salutations": {"en": "Dear colleagues,", "ru": "Уважаемые коллеги!"},
        },
    ),
    (
        "freedom-united",
        "",
        {
            "name": "Freedom United",
            "kind": InstitutionKind.PARTNER_NGO,
            "website": "https://www.freedomunited.org",
            "notes": "Campaigned with others for Gaspar Matalaev's release; about 91,000 people signed the petition.",
            "salutations": {"en": "Dear colleagues,"},
        },
    ),
    (
        "l4l",
        "",
        {
            "name": "Lawyers for Lawyers",
            "kind": InstitutionKind.PARTNER_NGO,
            "country": "NL",
            "website": "https://lawyersforlawyers.org",
            "salutations": {"en": "Dear colleagues,", "ru": "Уважаемые коллеги!"},
        },
    ),
    (
        "ji",
        "",
        {
            "name": "Justice International",
            "kind": InstitutionKind.OTHER,
            "country": "US",
            "notes": "Our own organisation, so that staff and expert positions can be recorded.",
        },
    ),
    (
        "pg-turkmenistan",
        "",
        {
            "name": "Генеральная прокуратура Туркменистана",
            "name_latin": "Prosecutor General's Office of Turkmenistan",
            "kind": InstitutionKind.PROSECUTOR,
            "country": "TM",
            "postal_address": "Ashgabat\nTurkmenistan",
            "salutations": {
                "en": "Dear Prosecutor General,",
                "ru": "Уважаемый господин Генеральный прокурор!",
            },
        },
    ),
    (
        "moj-turkmenistan",
        "",
        {
            "name": "Министерство адалат Туркменистана",
            "name_latin": "Ministry of Justice (Adalat) of Turkmenistan",
            "kind": InstitutionKind.MINISTRY,
            "country": "TM",
            "salutations": {"en": "Dear Minister,", "ru": "Уважаемый господин министр!"},
        },
    ),
    (
        "moj-kazakhstan",
        "",
        {
            "name": "Министерство юстиции Республики Казахстан",
            "name_latin": "Ministry of Justice of the Republic of Kazakhstan",
            "kind": InstitutionKind.MINISTRY,
            "country": "KZ",
            "salutations": {"en": "Dear Minister,", "ru": "Уважаемый господин министр!"},
        },
    ),
    (
        "almaty-city-court",
        "",
        {
            "name": "Алматинский городской суд",
            "name_latin": "Almaty City Court",
            "kind": InstitutionKind.COURT,
            "court_level": CourtLevel.APPEAL,
            "court_type": CourtType.GENERAL,
            "country": "KZ",
            "salutations": {"en": "Dear Chairperson of the Court,", "ru": "Уважаемый председатель суда!"},
        },
    ),
    (
        "almaty-bar",
        "",
        {
            "name": "Алматинская городская коллегия адвокатов",
            "name_latin": "Almaty City Bar Association",
            "kind": InstitutionKind.BAR_ASSOCIATION,
            "country": "KZ",
            "salutations": {"en": "Dear Chairperson,", "ru": "Уважаемый председатель коллегии!"},
        },
    ),
    (
        "moj-turkey",
        "",
        {
            "name": "Türkiye Cumhuriyeti Adalet Bakanlığı",
            "name_latin": "Ministry of Justice of the Republic of Türkiye",
            "kind": InstitutionKind.MINISTRY,
            "country": "TR",
            "salutations": {"en": "Dear Minister,", "ru": "Уважаемый господин министр!"},
        },
    ),
    (
        "istanbul-heavy-penal-court",
        "",
        {
            "name": "İstanbul Ağır Ceza Mahkemesi",
            "name_latin": "Istanbul Heavy Penal Court",
            "kind": InstitutionKind.COURT,
            "court_level": CourtLevel.FIRST_INSTANCE,
            "court_type": CourtType.CRIMINAL,
            "country": "TR",
            "salutations": {"en": "Dear Presiding Judge,", "ru": "Уважаемый председательствующий судья!"},
        },
    ),
    (
        "istanbul-bar",
        "",
        {
            "name": "İstanbul Barosu",
            "name_latin": "Istanbul Bar Association",
            "kind": InstitutionKind.BAR_ASSOCIATION,
            "country": "TR",
            "salutations": {"en": "Dear President,", "ru": "Уважаемый председатель!"},
        },
    ),
    (
        "moj-russia",
        "",
        {
            "name": "Министерство юстиции Российской Федерации",
            "name_latin": "Ministry of Justice of the Russian Federation",
            "kind": InstitutionKind.MINISTRY,
            "country": "RU",
            "salutations": {"en": "Dear Minister,", "ru": "Уважаемый господин министр!"},
        },
    ),
    (
        "moscow-bar",
        "",
        {
            "name": "Адвокатская палата города Москвы",
            "name_latin": "Moscow City Chamber of Advocates",
            "kind": InstitutionKind.BAR_ASSOCIATION,
            "country": "RU",
            "salutations": {"en": "Dear President,", "ru": "Уважаемый президент палаты!"},
        },
    ),
]

# key, fields (the bar association by institution key)
PEOPLE: list[tuple[str, dict[str, Any]]] = [
    (
        "matalaev",
        {
            "name": "Гаспар Маталаев",
            "name_latin": "Gaspar Matalaev",
            "gender": Gender.MALE,
            "nationality": "TM",
            "residence_country": "TM",
            "professions": [Profession.HRD],
            "languages": [("tk", LanguageLevel.NATIVE)],
            "expertise_areas": [ExpertiseArea.LABOUR],
            "notes": (
                "Documented forced labour in Turkmenistan's cotton harvest and was imprisoned for it. "
                "We petitioned the UN Working Group on Arbitrary Detention, which found his detention arbitrary."
            ),
            "sensitivity": Sensitivity.INTERNAL,
        },
    ),
    (
        "dolgov",
        {
            "name": "Арсений Долгов",
            "name_latin": "Arseny Dolgov",
            "aliases": ["Arsenii Dolgov"],
            "gender": Gender.MALE,
            "birth_date": "1978",
            "nationality": "RU",
            "residence_country": "RU",
            "professions": [Profession.ADVOCATE, Profession.LAWYER],
            "bar": "moscow-bar",
            "bar_number": "77/00000",
            "languages": [("ru", LanguageLevel.NATIVE), ("uk", LanguageLevel.B2), ("en", LanguageLevel.B1)],
            "expertise_areas": [ExpertiseArea.CRIMINAL, ExpertiseArea.HUMAN_RIGHTS],
            "jurisdictions": ["RU"],
            "notes": (
                "An invented person for the demonstration: a Russian lawyer who defends people from Ukraine "
                "and is pressed to give up practising."
            ),
            "security_notes": "Assume his phone is tapped. Signal only; never name his clients in writing.",
            "sensitivity": Sensitivity.CONFIDENTIAL,
        },
    ),
    (
        "temirova",
        {
            "name": "Айгуль Темирова",
            "name_latin": "Aigul Temirova",
            "gender": Gender.FEMALE,
            "nationality": "KZ",
            "residence_country": "KZ",
            "professions": [Profession.ADVOCATE],
            "bar": "almaty-bar",
            "languages": [("kk", LanguageLevel.NATIVE), ("ru", LanguageLevel.NATIVE), ("en", LanguageLevel.B1)],
            "expertise_areas": [ExpertiseArea.CRIMINAL, ExpertiseArea.ASSEMBLY],
            "jurisdictions": ["KZ"],
            "notes": "An invented advocate in Almaty who defends peaceful protesters.",
            "sensitivity": Sensitivity.INTERNAL,
        },
    ),
    (
        "arslan",
        {
            "name": "Deniz Arslan",
            "gender": Gender.UNSPECIFIED,
            "nationality": "TR",
            "residence_country": "TR",
            "professions": [Profession.LAWYER, Profession.ADVOCATE],
            "bar": "istanbul-bar",
            "languages": [("tr", LanguageLevel.NATIVE), ("en", LanguageLevel.B2)],
            "expertise_areas": [ExpertiseArea.CRIMINAL, ExpertiseArea.MEDIA],
            "jurisdictions": ["TR"],
            "notes": "An invented Istanbul lawyer prosecuted for the clients they defended.",
            "sensitivity": Sensitivity.INTERNAL,
        },
    ),
    (
        "sokolova",
        {
            "name": "Ирина Соколова",
            "name_latin": "Irina Sokolova",
            "gender": Gender.FEMALE,
            "professions": [Profession.EXPERT, Profession.LAWYER],
            "languages": [("ru", LanguageLevel.NATIVE), ("en", LanguageLevel.C2)],
            "expertise_areas": [ExpertiseArea.UN_MECHANISMS, ExpertiseArea.HUMAN_RIGHTS],
            "notes": "Pro-bono expert: prepares petitions to the UN Working Group on Arbitrary Detention.",
            "sensitivity": Sensitivity.INTERNAL,
        },
    ),
    (
        "dekker",
        {
            "name": "Sanne Dekker",
            "gender": Gender.FEMALE,
            "nationality": "NL",
            "residence_country": "NL",
            "professions": [Profession.EXPERT],
            "languages": [("nl", LanguageLevel.NATIVE), ("en", LanguageLevel.C2), ("tr", LanguageLevel.A2)],
            "expertise_areas": [ExpertiseArea.TRIAL_MONITORING, ExpertiseArea.PROFESSIONAL],
            "notes": "Invented staff expert of Lawyers for Lawyers who observes trials of lawyers.",
            "sensitivity": Sensitivity.INTERNAL,
        },
    ),
]

# person key, institution key, position, since, until
AFFILIATIONS = [
    ("dolgov", "moscow-bar", "Advocate", D(2006, 9, 1), None),
    ("temirova", "almaty-bar", "Member", D(2012, 1, 16), None),
    ("arslan", "istanbul-bar", "Member", D(2009, 5, 4), None),
    ("sokolova", "ji", "Pro-bono legal expert", D(2017, 1, 1), None),
    ("dekker", "l4l", "Legal expert", D(2015, 3, 1), None),
]

DEMO_CONSENT = "Demonstration record: it says nothing about how consent was actually given."
# person key, scope, given on, how, note, withdrawn on, withdrawal note
CONSENTS = [
    ("matalaev", ConsentScope.STORE, D(2017, 2, 1), ConsentMethod.OTHER, DEMO_CONSENT, None, ""),
    ("matalaev", ConsentScope.PUBLISH_NAME, D(2017, 2, 1), ConsentMethod.OTHER, DEMO_CONSENT, None, ""),
    ("dolgov", ConsentScope.STORE, D(2017, 9, 12), ConsentMethod.ORAL, "Given at a meeting in Vilnius.", None, ""),
    (
        "dolgov",
        ConsentScope.PUBLISH_NAME,
        D(2017, 10, 1),
        ConsentMethod.MESSENGER,
        "For the social-media campaign.",
        D(2018, 2, 15),
        "Asked us to stop naming him after new threats.",
    ),
    ("temirova", ConsentScope.STORE, D(2018, 4, 3), ConsentMethod.WRITTEN, "Signed form in the case file.", None, ""),
    ("temirova", ConsentScope.SHARE_WITH_PARTNER, D(2018, 4, 3), ConsentMethod.WRITTEN, "With L4L only.", None, ""),
]

# person key, kind, messenger, value
CONTACTS = [
    ("dolgov", ContactKind.EMAIL, "", "a.dolgov@example.org"),
    ("dolgov", ContactKind.MESSENGER, Messenger.SIGNAL, "@arseny.example"),
    ("temirova", ContactKind.PHONE, "", "+7 700 000 0000"),
]


def _institutions(demo: Any, organisation: Any, actor: Any) -> dict[str, Institution]:
    made: dict[str, Institution] = {}
    for key, parent_key, fields in INSTITUTIONS:
        institution = Institution.objects.filter(organisation=organisation, name=fields["name"]).first()
        if institution is None:
            institution = institution_create(
                actor=actor, organisation=organisation, parent=made.get(parent_key), **fields
            )
        made[key] = institution
        demo.objects[f"institution:{key}"] = institution
    return made


def _people(demo: Any, organisation: Any, actor: Any, institutions: dict[str, Institution]) -> dict[str, Person]:
    made: dict[str, Person] = {}
    for key, spec in PEOPLE:
        fields = dict(spec)
        bar_key = fields.pop("bar", "")
        person = Person.objects.filter(organisation=organisation, name=fields["name"]).first()
        if person is None:
            person = person_create(
                actor=actor, organisation=organisation, bar_association=institutions.get(bar_key), **fields
            )
        made[key] = person
        demo.objects[f"person:{key}"] = person
    return made


def build(demo: Any) -> None:
    organisation = demo.objects["org:ji"]
    actor = demo.objects["user:director@ji.example"]
    institutions = _institutions(demo, organisation, actor)
    people = _people(demo, organisation, actor, institutions)
    for person_key, institution_key, position, since, until in AFFILIATIONS:
        person, institution = people[person_key], institutions[institution_key]
        if not Affiliation.objects.filter(person=person, institution=institution, position=position).exists():
            affiliation_add(
                actor=actor, person=person, institution=institution, position=position, start_date=since, end_date=until
            )
    for person_key, scope, given_on, method, note, withdrawn_on, withdrawal_note in CONSENTS:
        person = people[person_key]
        if Consent.objects.filter(person=person, scope=scope, given_on=given_on).exists():
            continue
        consent = consent_record(actor=actor, person=person, scope=scope, given_on=given_on, method=method, note=note)
        if withdrawn_on is not None:
            consent_withdraw(actor=actor, consent=consent, withdrawn_on=withdrawn_on, note=withdrawal_note)
    for person_key, kind, messenger, value in CONTACTS:
        person = people[person_key]
        if not ContactChannel.objects.filter(person=person, kind=kind).exists():
            contact_add(actor=actor, person=person, kind=kind, messenger=messenger, value=value)
