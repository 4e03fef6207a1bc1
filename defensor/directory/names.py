"""Names across scripts: Cyrillic to Latin transliteration, and comparison keys.

A person defended in Kazakhstan is written "Матвеев" in a court decision, "Matveev" in
an urgent appeal and "Matveyev" in a UN opinion. `name_key` turns all three into the
same key so that the directory notices the same person entered twice. The key is for
comparison only — nobody reads it — so it folds freely: transliteration, no diacritics
or punctuation, the common spelling variants of transliterated names, doubled letters,
and the words sorted (so "Ivan Matveev" and "Матвеев Иван" match).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from defensor.directory.models import Person

# Russian, Ukrainian, Belarusian, Kazakh, Kyrgyz, Tajik and Turkmen Cyrillic letters, in a
# simple, readable scheme close to the one in international passports.
CYRILLIC_TO_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    # Ukrainian and Belarusian
    "є": "ye",
    "і": "i",
    "ї": "yi",
    "ґ": "g",
    "ў": "u",
    # Kazakh
    "ә": "a",
    "ғ": "gh",
    "қ": "q",
    "ң": "ng",
    "ө": "o",
    "ұ": "u",
    "ү": "u",
    "һ": "h",
    # Tajik and Turkmen
    "ҳ": "h",
    "ӣ": "i",
    "ӯ": "u",
    "ҷ": "j",
    "җ": "j",
}

# Latin letters whose plain form would lose a sound that Cyrillic spells with two letters
# (Turkish, Turkmen, Azerbaijani, Czech, Polish...). Other diacritics are simply dropped.
LATIN_SPECIAL = {"ş": "sh", "š": "sh", "ç": "ch", "č": "ch", "ž": "zh", "ı": "i", "ň": "n", "ł": "l", "ß": "ss"}

_APOSTROPHES = "'’ʼ`´ʻ"
_WORD = re.compile(r"[a-z0-9]+")


def transliterate(text: str) -> str:
    """Cyrillic letters to Latin, keeping case and everything else as it is."""
    out = []
    for index, char in enumerate(text):
        lower = char.lower()
        latin = CYRILLIC_TO_LATIN.get(lower)
        if latin is None:
            out.append(char)
            continue
        if char != lower and latin:
            following = text[index + 1 : index + 2]
            # "ЖУК" → "ZHUK", "Жук" → "Zhuk"
            latin = latin.upper() if following.isupper() else latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


def _ascii_words(text: str) -> list[str]:
    text = transliterate(text).lower()
    text = "".join(LATIN_SPECIAL.get(char, char) for char in text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    for mark in _APOSTROPHES:
        text = text.replace(mark, "")
    return _WORD.findall(text)


def _fold_doubles(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


# Applied in order, after lowercasing and transliteration.
_SPELLING_VARIANTS = (
    ("x", "ks"),
    ("w", "v"),
    ("ph", "f"),
    ("th", "t"),
    ("q", "k"),
    ("kh", "h"),
    ("gh", "g"),
    ("tz", "ts"),
    ("dzh", "j"),
    ("dj", "j"),
    ("j", "y"),
    ("y", "i"),
)
# Vowel pairs that transliteration schemes write in different ways: ye/ie/e (Matveyev,
# Matveev), yo/io/e (Fyodor, Fedor), yu/iu/u, ya/ia/a. Applied once "y" became "i".
_IOTATED = (("ie", "e"), ("io", "e"), ("iu", "u"), ("ia", "a"))


def fold_word(word: str) -> str:
    """The comparison form of one transliterated, lower-case ASCII word."""
    for old, new in _SPELLING_VARIANTS:
        word = word.replace(old, new)
    word = _fold_doubles(word)
    for old, new in _IOTATED:
        word = word.replace(old, new)
    return _fold_doubles(word)


def word_keys(name: str) -> list[str]:
    """The folded words of a name, in their order (for searching)."""
    return [key for key in (fold_word(word) for word in _ascii_words(name)) if key]


def name_key(name: str) -> str:
    """The comparison key of a name: 'Матвеев', 'Matveev' and 'Matveyev' give the same key."""
    return " ".join(sorted(word_keys(name)))


SIMILARITY_THRESHOLD = 0.85
PREFIX_LENGTH = 2
MAX_CANDIDATES = 500


def keys_look_alike(a: str, b: str) -> bool:
    """Same key; nearly the same (a typo, a different scheme); or one name inside the other.

    The last catches "Ivan Matveev" against "Матвеев Иван Петрович": every word of the
    shorter name (two words at least) is a word of the longer one.
    """
    if not a or not b:
        return False
    if a == b or difflib.SequenceMatcher(None, a, b).ratio() >= SIMILARITY_THRESHOLD:
        return True
    short, long = sorted((a.split(), b.split()), key=len)
    return len(short) >= 2 and set(short) <= set(long)


def similar_people(
    organisation: Any,
    name: str,
    name_latin: str = "",
    *,
    aliases: Iterable[str] = (),
    user: Any = None,
    exclude: Any = None,
    limit: int = 10,
) -> list[Person]:
    """People of the organisation whose name or an alias looks like one of the given names.

    With `user`, only people that user may see: a warning must not reveal a record the
    user is not allowed to know about. Archived people count (they are the same person).
    """
    from django.db.models import Q

    from defensor.directory.models import NameKey, Person

    keys = {k for k in (name_key(n) for n in (name, name_latin, *aliases) if n) if k}
    if not keys:
        return []
    prefixes = {word[:PREFIX_LENGTH] for key in keys for word in key.split()}
    candidates = NameKey.objects.filter(organisation=organisation)
    if exclude is not None:
        candidates = candidates.exclude(person=exclude)
    # Candidates share the first letters of one of their words with a word looked up.
    shares_prefix = Q()
    for prefix in prefixes:
        shares_prefix |= Q(key__startswith=prefix) | Q(key__contains=" " + prefix)
    rows = candidates.filter(shares_prefix).values_list("person_id", "key")[:MAX_CANDIDATES]
    matched: dict[int, float] = {}
    for person_id, stored in rows:
        for key in keys:
            if keys_look_alike(key, stored):
                score = difflib.SequenceMatcher(None, key, stored).ratio()
                matched[person_id] = max(matched.get(person_id, 0.0), score)
    if not matched:
        return []
    people = Person.objects.filter(pk__in=matched, organisation=organisation)
    if user is not None:
        people = people.visible_to(user, organisation=organisation)
    found = list(people)
    found.sort(key=lambda person: (-matched[person.pk], person.name_latin or person.name))
    return found[:limit]
