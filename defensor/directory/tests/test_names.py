"""Transliteration, comparison keys, and finding people who look alike across scripts."""

from __future__ import annotations

import pytest

from defensor.core.models import Sensitivity
from defensor.core.testing import make_member, make_organisation
from defensor.directory.names import keys_look_alike, name_key, similar_people, transliterate, word_keys
from defensor.directory.services import person_create


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("Матвеев", "Matveev"),
        ("Щербаков", "Shcherbakov"),
        ("Жанна", "Zhanna"),
        ("Хасанов", "Khasanov"),
        ("Цой", "Tsoy"),
        ("Юлия", "Yuliya"),
        ("Ольга", "Olga"),
        ("Пётр", "Pyotr"),
        ("Подъячев", "Podyachev"),
        ("Ярослав", "Yaroslav"),
        ("Эльдар", "Eldar"),
        # Ukrainian
        ("Євген", "Yevgen"),
        ("Ігор", "Igor"),
        ("Їжакевич", "Yizhakevich"),
        ("Ґонта", "Gonta"),
        # Kazakh
        ("Әлихан", "Alikhan"),
        ("Ғалым", "Ghalym"),
        ("Қасым", "Qasym"),
        ("Ерұлан", "Erulan"),
        ("Шоқан", "Shoqan"),
        ("Һидаят", "Hidayat"),
        # Kyrgyz
        ("Өмүрбек", "Omurbek"),
        ("Шаңкай", "Shangkay"),
    ],
)
def test_transliteration_table(cyrillic, latin):
    assert transliterate(cyrillic) == latin


def test_transliteration_keeps_latin_text_and_punctuation():
    assert transliterate("Gaspar Маталаев-Smith, Jr.") == "Gaspar Matalaev-Smith, Jr."


def test_transliteration_of_an_all_capitals_word_stays_in_capitals():
    assert transliterate("ЖУКОВ") == "ZHUKOV"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Матвеев", "Matveev"),
        ("Матвеев", "Matveyev"),
        ("Matveev", "Matveyev"),
        ("Дмитрий", "Dmitry"),
        ("Dmitrii", "Dmitriy"),
        ("Юлия", "Julia"),
        ("Yuliya", "Yulia"),
        ("Фёдор", "Fyodor"),
        ("Фёдор", "Fedor"),
        ("Алексей", "Alexei"),
        ("Aleksey", "Alexey"),
        ("Евгений", "Yevgeny"),
        ("Evgeniy", "Yevgeniy"),
        ("Зеленський", "Zelenskyy"),
        ("Zelensky", "Zelenskiy"),
        ("Алиев", "Aliyev"),
        ("Назарбаев", "Nazarbayev"),
        ("Цой", "Tsoi"),
        ("Tzoi", "Tsoy"),
        ("Ходорковский", "Khodorkovsky"),
        ("Hodorkovskiy", "Khodorkovskii"),
        ("Наталья", "Natalia"),
        ("Мария", "Maria"),
        ("Ксения", "Xenia"),
        ("Kseniya", "Ksenia"),
        ("Қасым", "Kasym"),
        ("Qasym", "Kassym"),
        ("Айгүл", "Aigul"),
        ("Aygul", "Aigul"),
        ("Şahin", "Shahin"),
        ("Çelik", "Chelik"),
        ("Джамал", "Jamal"),
        ("Djamal", "Dzhamal"),
        ("Ilya", "Илья"),
        ("Хасанов", "Hasanov"),
        ("Mathilde", "Matilde"),
        ("Гаспар Маталаев", "Gaspar Matalaev"),
        ("Маталаев Гаспар", "Gaspar Matalayev"),
        ("O'Brien", "OBrien"),
        ("Ольга", "Ol'ga"),
        ("Rimsky-Korsakov", "Римский Корсаков"),
    ],
)
def test_spellings_of_the_same_name_share_a_key(first, second):
    assert name_key(first) == name_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("Матвеев", "Медведев"), ("Ivan Petrov", "Ivan Sidorov"), ("Aigul", "Aizhan"), ("Olga", "Oleg")],
)
def test_different_names_get_different_keys(first, second):
    assert name_key(first) != name_key(second)


def test_key_ignores_word_order_case_and_punctuation():
    assert name_key("MATVEEV, Ivan.") == name_key("ivan matveev") == "ivan matvev"


def test_word_keys_keep_the_order_for_searching():
    assert word_keys("Матвеев Иван") == ["matvev", "ivan"]


def test_empty_and_punctuation_only_names_have_an_empty_key():
    assert name_key("") == ""
    assert name_key(" -- ") == ""


def test_a_typo_looks_alike():
    assert keys_look_alike(name_key("Matalaev"), name_key("Matalayef"))


def test_a_name_inside_a_longer_name_looks_alike():
    assert keys_look_alike(name_key("Ivan Matveev"), name_key("Матвеев Иван Петрович"))


def test_a_single_shared_word_is_not_enough():
    assert not keys_look_alike(name_key("Matveev"), name_key("Ivan Matveev Petrovich"))


def test_similar_people_matches_across_scripts(personas, make_person):
    matveev = make_person("Матвеев Иван")
    make_person("Сидоров Пётр")
    assert similar_people(personas.organisation, "Ivan Matveyev") == [matveev]


def test_similar_people_matches_an_alias(personas, make_person):
    person = make_person("Айгуль Темирова", aliases=["Aigul Nurlanovna"])
    assert similar_people(personas.organisation, "Aygul Nurlanovna") == [person]


def test_similar_people_finds_a_typo(personas, make_person):
    person = make_person("Gaspar Matalaev")
    assert similar_people(personas.organisation, "Gaspar Matalayef") == [person]


def test_similar_people_ignores_other_organisations(personas, make_person):
    other = make_organisation("Another Defence Group", "another-defence-group")
    their_director = make_member(other, "director", email="director@another.test")
    person_create(actor=their_director, organisation=other, name="Матвеев Иван")
    assert similar_people(personas.organisation, "Ivan Matveev") == []


def test_similar_people_hides_what_the_user_may_not_see(personas, make_person):
    make_person("Матвеев Иван", sensitivity=Sensitivity.SECRET)
    assert similar_people(personas.organisation, "Ivan Matveev", user=personas.users["volunteer"]) == []
    assert len(similar_people(personas.organisation, "Ivan Matveev", user=personas.users["director"])) == 1


def test_similar_people_leaves_out_the_person_being_edited(personas, make_person):
    person = make_person("Матвеев Иван")
    assert similar_people(personas.organisation, "Ivan Matveev", exclude=person) == []


def test_similar_people_with_no_name_finds_nobody(personas, make_person):
    make_person("Матвеев Иван")
    assert similar_people(personas.organisation, "", "") == []
