"""Titles and synopses composed from the word lists, each as an (English, Hindi) pair.

English-original titles are English with a Devanagari transliteration as the Hindi title;
Hindi-original titles are romanised Hindi ("Dil Ki Baarish") with the Devanagari original.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from random import Random

from ott.seed import stories, words
from ott.seed.words import Pair

# A person in a story: (romanised, Devanagari, gender).
Name = tuple[str, str, str]
Template = Callable[[Random, Pair], Pair]


def _join(*parts: Pair) -> Pair:
    return " ".join(p[0] for p in parts), " ".join(p[1] for p in parts)


def _weighted(templates: Sequence[tuple[Template, int]]) -> tuple[list[Template], list[int]]:
    funcs: list[Template] = []
    cumulative: list[int] = []
    total = 0
    for func, weight in templates:
        total += weight
        funcs.append(func)
        cumulative.append(total)
    return funcs, cumulative


def _pick_template(rng: Random, table: tuple[list[Template], list[int]]) -> Template:
    funcs, cumulative = table
    return rng.choices(funcs, cum_weights=cumulative)[0]


# ---------------------------------------------------------------------------------------------
# English titles.


def _en_adj_noun_the(rng: Random, place: Pair) -> Pair:
    return _join(words.THE, rng.choice(words.EN_ADJECTIVES), rng.choice(words.EN_NOUNS))


def _en_adj_noun(rng: Random, place: Pair) -> Pair:
    return _join(rng.choice(words.EN_ADJECTIVES), rng.choice(words.EN_NOUNS))


def _en_noun_of_place(rng: Random, place: Pair) -> Pair:
    return _join(words.THE, rng.choice(words.EN_NOUNS), words.OF, place)


def _en_adj_noun_of_place(rng: Random, place: Pair) -> Pair:
    adjective, noun = rng.choice(words.EN_ADJECTIVES), rng.choice(words.EN_NOUNS)
    return _join(words.THE, adjective, noun, words.OF, place)


def _en_journey(rng: Random, place: Pair) -> Pair:
    time, vehicle = rng.choice(words.TIMES_OF_DAY), rng.choice(words.VEHICLES)
    return _join(time, vehicle, words.TO, place)


def _en_season_in(rng: Random, place: Pair) -> Pair:
    season = rng.choice(words.SEASONS_OF_YEAR)
    return _join(words.A, season, words.IN, place)


def _en_noun_and_noun(rng: Random, place: Pair) -> Pair:
    first, second = rng.sample(words.EN_PAIRABLE, 2)
    return _join(first, words.AND, second)


def _en_return_to(rng: Random, place: Pair) -> Pair:
    return _join(*words.RETURN_TO, place)


def _en_beyond(rng: Random, place: Pair) -> Pair:
    if rng.random() < 0.5:
        return _join(*words.BEYOND_THE, rng.choice(words.BEYOND_NOUNS))
    return _join(*words.AFTER_THE, rng.choice(words.AFTER_NOUNS))


def _en_place_noun(rng: Random, place: Pair) -> Pair:
    return _join(words.THE, place, rng.choice(words.EN_NOUNS))


def _en_plural_place(rng: Random, place: Pair) -> Pair:
    link = rng.choice((words.FROM, words.OF, words.IN))
    return _join(rng.choice(words.EN_PLURALS), link, place)


def _en_files(rng: Random, place: Pair) -> Pair:
    return _join(words.THE, rng.choice(words.EN_NOUNS), rng.choice((words.FILES, words.CLUB)))


def _en_and_sons(rng: Random, place: Pair) -> Pair:
    return _join(rng.choice(words.SURNAMES_IN), *words.AND_SONS)


def _en_inside(rng: Random, place: Pair) -> Pair:
    return _join(words.INSIDE, words.THE_LOWER, rng.choice(words.EN_NOUNS))


_EN_FILM = _weighted(
    [
        (_en_adj_noun_the, 5),
        (_en_adj_noun, 2),
        (_en_noun_of_place, 2),
        (_en_adj_noun_of_place, 2),
        (_en_journey, 1),
        (_en_season_in, 1),
        (_en_noun_and_noun, 1),
        (_en_return_to, 1),
        (_en_beyond, 1),
        (_en_place_noun, 2),
        (_en_plural_place, 2),
    ]
)
_EN_SERIES = _weighted(
    [
        *zip(_EN_FILM[0], [5, 2, 2, 2, 1, 1, 1, 1, 1, 2, 2], strict=True),
        (_en_files, 2),
        (_en_and_sons, 1),
        (_en_inside, 1),
    ]
)

# ---------------------------------------------------------------------------------------------
# Hindi titles (romanised, Devanagari).

_KA = {"m": ("Ka", "का"), "f": ("Ki", "की")}
_MERA = {"m": ("Mera", "मेरा"), "f": ("Meri", "मेरी")}


def _agree(adjective: words.HindiAdjective, gender: str) -> Pair:
    if gender == "f":
        return adjective[1], adjective[3]
    return adjective[0], adjective[2]


def _owner(rng: Random, place: Pair) -> Pair:
    return rng.choice(words.HI_OWNERS) if rng.random() < 0.5 else place


def _hi_owner_ka_noun(rng: Random, place: Pair) -> Pair:
    noun = rng.choice(words.HI_NOUNS)
    return _join(_owner(rng, place), _KA[noun[2]], noun[:2])


def _hi_owner_ka_adj_noun(rng: Random, place: Pair) -> Pair:
    noun = rng.choice(words.HI_NOUNS)
    adjective = _agree(rng.choice(words.HI_ADJECTIVES), noun[2])
    return _join(_owner(rng, place), _KA[noun[2]], adjective, noun[:2])


def _hi_adj_noun(rng: Random, place: Pair) -> Pair:
    noun = rng.choice(words.HI_NOUNS)
    return _join(_agree(rng.choice(words.HI_ADJECTIVES), noun[2]), noun[:2])


def _hi_ek_adj_noun(rng: Random, place: Pair) -> Pair:
    noun = rng.choice(words.HI_NOUNS)
    adjective = _agree(rng.choice(words.HI_ADJECTIVES), noun[2])
    return _join(("Ek", "एक"), adjective, noun[:2])


def _hi_pair(rng: Random, place: Pair) -> Pair:
    first, second = rng.sample(words.HI_PAIRABLE, 2)
    return _join(first, ("Aur", "और"), second)


def _hi_mera(rng: Random, place: Pair) -> Pair:
    noun = rng.choice(words.HI_NOUNS)
    if rng.random() < 0.5:
        return _join(_MERA[noun[2]], noun[:2])
    adjective = _agree(rng.choice(words.HI_ADJECTIVES), noun[2])
    return _join(_MERA[noun[2]], adjective, noun[:2])


def _hi_se_tak(rng: Random, place: Pair) -> Pair:
    other = rng.choice(words.PLACES)
    while other == place:
        other = rng.choice(words.PLACES)
    return _join(place, ("Se", "से"), other, ("Tak", "तक"))


def _hi_us_paar(rng: Random, place: Pair) -> Pair:
    return _join(rng.choice(words.HI_OWNERS), ("Ke Us Paar", "के उस पार"))


def _hi_name_ka(rng: Random, place: Pair) -> Pair:
    noun = rng.choice(words.HI_NOUNS)
    name = rng.choice(words.FIRST_NAMES_IN)
    return _join(name[:2], _KA[noun[2]], noun[:2])


def _hi_parivaar(rng: Random, place: Pair) -> Pair:
    return _join(rng.choice(words.SURNAMES_IN), ("Parivaar", "परिवार"))


def _hi_wale(rng: Random, place: Pair) -> Pair:
    return _join(place, ("Wale", "वाले"))


_HI_FILM = _weighted(
    [
        (_hi_owner_ka_noun, 3),
        (_hi_owner_ka_adj_noun, 4),
        (_hi_adj_noun, 2),
        (_hi_ek_adj_noun, 2),
        (_hi_pair, 1),
        (_hi_mera, 1),
        (_hi_se_tak, 1),
        (_hi_us_paar, 1),
        (_hi_name_ka, 1),
    ]
)
_HI_SERIES = _weighted(
    [
        *zip(_HI_FILM[0], [3, 4, 2, 2, 1, 1, 1, 1, 1], strict=True),
        (_hi_parivaar, 1),
        (_hi_wale, 1),
    ]
)

# ---------------------------------------------------------------------------------------------
# Kids, epics, documentaries, reality.


def _kids_en(rng: Random, place: Pair) -> Pair:
    roll = rng.random()
    hero = rng.choice(words.KID_HEROES)
    if roll < 0.5:
        thing = rng.choice(words.KID_THINGS)
        adjective = rng.choice(words.KID_ADJECTIVES_EN)
        return _join(hero[:2], words.AND, words.THE_LOWER, adjective, thing[:2])
    if roll < 0.85:
        animal = rng.choice(words.KID_ANIMALS)
        adjective = rng.choice(words.KID_ADJECTIVES_EN)
        return _join(words.THE, adjective, animal[:2], words.OF, place)
    other = rng.choice(words.KID_HEROES)
    while other == hero:
        other = rng.choice(words.KID_HEROES)
    return _join(hero[:2], words.AND, other[:2])


def _kids_hi(rng: Random, place: Pair) -> Pair:
    roll = rng.random()
    hero = rng.choice(words.KID_HEROES)
    if roll < 0.45:
        _, _, thing_roman, thing_hi, gender = rng.choice(words.KID_THINGS)
        adjective = _agree(rng.choice(words.KID_ADJECTIVES_HI), gender)
        return _join(hero[:2], ("Aur", "और"), adjective, (thing_roman, thing_hi))
    if roll < 0.8:
        _, _, animal_hi, gender = rng.choice(words.KID_ANIMALS)
        adjective = _agree(rng.choice(words.KID_ADJECTIVES_HI), gender)
        animal = (words.KID_ANIMALS_ROMAN[animal_hi], animal_hi)
        return _join(place, _KA[gender], adjective, animal)
    gang = rng.choice(words.KID_GANGS)
    return _join(hero[:2], _KA[gang[2]], gang[:2])


def _operation(rng: Random) -> Pair:
    first, second = rng.choice(words.OPERATION_FIRST), rng.choice(words.OPERATION_SECOND)
    return _join(("Operation", "ऑपरेशन"), first, second)


def _epic_en(rng: Random, place: Pair, primary: str) -> Pair:
    roll = rng.random()
    kingdom = rng.choice(words.KINGDOMS)
    if primary == "war" and roll < 0.5:
        return _operation(rng)
    if roll < 0.35:
        return _join(words.THE, rng.choice(words.EPIC_NOUNS_EN), words.OF, kingdom)
    if roll < 0.5:
        adjective, noun = rng.choice(words.EN_ADJECTIVES), rng.choice(words.EPIC_NOUNS_EN)
        return _join(words.THE, adjective, noun, words.OF, kingdom)
    if roll < 0.6:
        return _join(("Chronicles", "क्रॉनिकल्स"), words.OF, kingdom)
    if roll < 0.85:
        adjective = rng.choice(words.EN_ADJECTIVES)
        head = (kingdom[0] + ":", kingdom[1] + ":")
        return _join(head, words.THE, adjective, rng.choice(words.EPIC_NOUNS_EN))
    where = kingdom if rng.random() < 0.5 else place
    return _join(rng.choice(words.NUMBERS_EN), ("at", "एट"), where)


def _epic_hi(rng: Random, place: Pair, primary: str) -> Pair:
    roll = rng.random()
    if primary == "war" and roll < 0.4:
        return _operation(rng)
    kingdom = rng.choice(words.KINGDOMS)
    noun = rng.choice(words.EPIC_NOUNS_HI)
    if roll < 0.6:
        return _join(kingdom, _KA[noun[2]], noun[:2])
    adjective = _agree(rng.choice(words.HI_ADJECTIVES), noun[2])
    return _join(kingdom, _KA[noun[2]], adjective, noun[:2])


def _doc_en(rng: Random, place: Pair) -> Pair:
    roll = rng.random()
    if roll < 0.35:
        return _join(rng.choice(words.DOC_PLURALS), words.OF, place)
    if roll < 0.8:
        adjective = rng.choice(words.DOC_ADJECTIVES)
        return _join(words.THE, adjective, rng.choice(words.DOC_PLURALS), words.OF, place)
    if roll < 0.9:
        return _join(words.THE, place, ("Story", "स्टोरी"))
    return _join(("Made", "मेड"), words.IN, place)


def _doc_hi(rng: Random, place: Pair) -> Pair:
    if rng.random() < 0.4:
        return _join(place, rng.choice(words.DOC_SUFFIXES_HI))
    adjective, noun = rng.choice(words.DOC_ADJECTIVES_HI), rng.choice(words.DOC_NOUNS_HI)
    return _join(place, ("Ke", "के"), adjective, noun)


def _reality_en(rng: Random, place: Pair) -> Pair:
    template = rng.choice(words.REALITY_EN)
    return _join(*(place if part[0] == "{place}" else part for part in template))


def _reality_hi(rng: Random, place: Pair) -> Pair:
    base = _join(rng.choice(words.REALITY_NOUNS), rng.choice(words.REALITY_CROWNS))
    if rng.random() < 0.5:
        return base
    return f"{base[0]}: {place[0]}", f"{base[1]}: {place[1]}"


def compose_title(
    rng: Random, place: Pair, *, hindi: bool, group: str, primary: str, series: bool
) -> Pair:
    """A title for a film or series: (title, title_hi); `place` is where the story is set."""
    if group == "kids":
        return _kids_hi(rng, place) if hindi else _kids_en(rng, place)
    if group == "epic":
        return _epic_hi(rng, place, primary) if hindi else _epic_en(rng, place, primary)
    if group == "doc":
        return _doc_hi(rng, place) if hindi else _doc_en(rng, place)
    if group == "reality":
        return _reality_hi(rng, place) if hindi else _reality_en(rng, place)
    if hindi:
        return _pick_template(rng, _HI_SERIES if series else _HI_FILM)(rng, place)
    return _pick_template(rng, _EN_SERIES if series else _EN_FILM)(rng, place)


# ---------------------------------------------------------------------------------------------
# People in stories and credits.


def pick_name(rng: Random, gender: str, *, indian: bool, kids: bool = False) -> Name:
    """A character's first name of the given gender ("n": either)."""
    if kids:
        pool: Sequence[Name] = words.KID_HEROES
    elif indian or rng.random() < 0.75:
        pool = words.FIRST_NAMES_IN
    else:
        pool = words.FIRST_NAMES_INTL
    name = rng.choice(pool)
    while gender != "n" and name[2] != gender:
        name = rng.choice(pool)
    return name


def _a(text: str) -> str:
    return ("an " if text[0] in "aeiou" else "a ") + text


def synopsis(
    rng: Random, group: str, place: Pair, cast: Callable[[str], Name]
) -> tuple[str, str, Name]:
    """A two-sentence synopsis (English, Hindi) and its hero. `cast(gender)` names the hero."""
    if group == "doc":
        subject = rng.choice(stories.DOC_SUBJECTS)
        frame = rng.choice(stories.DOC_FRAMES)
        coda = rng.choice(stories.DOC_CODAS)
        years = rng.randint(2, 9)
        en = frame[0].format(subject=subject[0], n=years, place=place[0]) + " " + coda[0]
        hi = frame[1].format(subject=subject[1], n=years, place=place[1]) + " " + coda[1]
        return en, hi, cast("n")
    if group == "reality":
        contestants = rng.choice(stories.REALITY_CONTESTANTS)
        prize = rng.choice(stories.REALITY_PRIZES)
        coda = rng.choice(stories.REALITY_CODAS)
        n = rng.choice((8, 10, 12, 14, 16, 20))
        frame = stories.REALITY_FRAME
        en = frame[0].format(n=n, contestants=contestants[0], place=place[0], prize=prize[0])
        hi = frame[1].format(n=n, contestants=contestants[1], place=place[1], prize=prize[1])
        return f"{en} {coda[0]}", f"{hi} {coda[1]}", cast("n")

    story = stories.STORIES[group]
    role_en, role_hi, gender = rng.choice(story.roles)
    hero = cast(gender)
    event = rng.choice(story.events)
    goal = rng.choice(story.goals)
    deadline = rng.choice(story.deadlines)
    shape = rng.random()
    if shape < 0.45:
        opening = rng.choice(stories.OPENING)
        first_en = opening[0].format(place=place[0], a_role=_a(role_en), event=event[0])
        first_hi = opening[1].format(place=place[1], role=role_hi, event=event[1])
        now = stories.NOW
        second_en = now[0].format(name=hero[0], goal=goal[0], deadline=deadline[0])
        second_hi = now[1].format(name=hero[1], goal=goal[1], deadline=deadline[1])
    else:
        theme = rng.choice(story.themes)
        tagline = rng.choice(story.taglines)
        if shape < 0.75:
            named = stories.NAMED
            first_en = named[0].format(
                Role=role_en[0].upper() + role_en[1:],
                name=hero[0],
                goal=goal[0],
                deadline=deadline[0],
            )
            first_hi = named[1].format(
                role=role_hi, name=hero[1], goal=goal[1], deadline=deadline[1]
            )
        else:
            opening = rng.choice(stories.OPENING)
            first_en = opening[0].format(place=place[0], a_role=_a(role_en), event=event[0])
            first_hi = opening[1].format(place=place[1], role=role_hi, event=event[1])
        second_en = tagline[0].format(t=theme[0])
        second_hi = tagline[1].format(t=theme[1])
    return f"{first_en} {second_en}", f"{first_hi} {second_hi}", hero
