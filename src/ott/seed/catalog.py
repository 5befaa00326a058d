"""The demo catalog generator: `generate_catalog(count, seed=7, now=None)`.

Returns the CMS bulk-import document, `{"titles": [...]}`, with `count` invented titles. The
same seed, count and day give the same document; title N does not depend on `count`, so a larger
catalog starts with the titles of a smaller one, and `external_id` ("demo-000001") identifies a
title across re-seeds. Dates are relative to `now` (default: the current time), taken as a day
in India; with `now` left out the document is the same all day.

Mix (by position, in every block of 20 titles): 11 films, 6 series, 3 sports titles. Primary
genres, the language of films and series (2 Hindi in 5) and availability rules are dealt from
shuffled decks, so every genre and every kind of rule turns up in every few dozen titles and
even a 200-title catalog has the whole range; the rest is drawn at random.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from math import gcd
from random import Random
from typing import Any, Final, NamedTuple

from ott.seed import stories, words
from ott.seed.sports import SportsDesk
from ott.seed.titles import Name, compose_title, pick_name, synopsis
from ott.seed.words import Pair

IST: Final = timezone(timedelta(hours=5, minutes=30))

_BLOCK: Final[tuple[str, ...]] = ("movie",) * 11 + ("tv_show",) * 6 + ("sports",) * 3
_ROSTER_SIZE: Final = 1200
_INDIAN_PLACES: Final[tuple[Pair, ...]] = words.PLACES[:30]

# Episode length of a series, by family of stories.
_EPISODE_MINUTES: Final[dict[str, tuple[int, int]]] = {
    "thrill": (40, 55),
    "heart": (35, 50),
    "laugh": (22, 32),
    "fear": (35, 50),
    "wonder": (40, 55),
    "kids": (11, 24),
    "epic": (45, 60),
    "life": (40, 50),
    "doc": (40, 55),
    "reality": (45, 70),
}
_RATING_CUMULATIVE: Final[dict[str, list[int]]] = {
    genre: [sum(weights[: i + 1]) for i in range(len(weights))]
    for genre, weights in words.RATING_WEIGHTS.items()
}
# Availability rules of films and series, dealt like genres: in every 100 titles, 10 have rules
# and every kind of rule turns up.
_RULE_DECK: Final[dict[str, int]] = {
    "in_only": 2,
    "blocked_us": 2,
    "south_asia": 1,
    "blocked_north_america": 1,
    "past_window": 1,
    "future_window": 1,
    "current_window": 1,
    "premium_in_country": 1,
    "": 90,  # no rules
}
# Matches: broadcast rights, mostly India only.
_SPORTS_RULES: Final[tuple[str, ...]] = ("in_only", "south_asia", "current_window", "blocked_us")
_SPORTS_RULES_CUMULATIVE: Final[list[int]] = [50, 70, 85, 100]
_PREMIUM_COUNTRIES: Final[tuple[str, ...]] = ("GB", "US", "AE", "SG", "CA", "AU")
_SOUTH_ASIA: Final[list[str]] = ["IN", "NP", "BD", "LK", "BT", "MV"]


class _Showcase(NamedTuple):
    type: str
    hindi: bool
    title: Pair
    genres: tuple[str, ...]
    rating: str


# Titles every catalog starts with (the first films and series), for search demonstrations.
SHOWCASE: Final[tuple[_Showcase, ...]] = (
    _Showcase(
        "movie",
        False,
        ("The Dark Knight of Chandni Chowk", "द डार्क नाइट ऑफ़ चांदनी चौक"),
        ("action", "crime"),
        "PG-13",
    ),
    _Showcase("movie", False, ("The Last Monsoon", "द लास्ट मॉनसून"), ("drama", "romance"), "PG"),
    _Showcase(
        "movie", True, ("Lucknow Ki Aakhri Shaam", "लखनऊ की आख़िरी शाम"), ("romance", "drama"), "PG"
    ),
    _Showcase(
        "movie",
        False,
        ("Midnight Express to Pune", "मिडनाइट एक्सप्रेस टू पुणे"),
        ("thriller", "mystery"),
        "R",
    ),
    _Showcase(
        "movie",
        False,
        ("Golu and the Golden Kite", "गोलू एंड द गोल्डन काइट"),
        ("kids", "animation", "family"),
        "G",
    ),
    _Showcase(
        "tv_show", True, ("Chai Aur Chandni", "चाय और चाँदनी"), ("comedy", "romance", "family"), "PG"
    ),
    _Showcase(
        "tv_show", False, ("The Kolkata Cipher", "द कोलकाता साइफ़र"), ("crime", "thriller"), "NC-17"
    ),
)


def generate_catalog(count: int, *, seed: int = 7, now: datetime | None = None) -> dict[str, Any]:
    """The bulk-import document `{"titles": [...]}` with `count` invented titles."""
    if count < 0:
        raise ValueError("count must not be negative")
    generator = _Generator(seed, now)
    return {"titles": [generator.title(index) for index in range(count)]}


class _Deck:
    """Deals values like cards: in every pass each comes up as many times as its weight."""

    def __init__(self, weights: dict[str, int]) -> None:
        self._cards = [genre for genre, weight in weights.items() for _ in range(weight)]
        self._left: list[str] = []

    def draw(self, rng: Random) -> str:
        if not self._left:
            self._left = self._cards[:]
            rng.shuffle(self._left)
        return self._left.pop()


@cache
def _steps(size: int) -> tuple[int, ...]:
    return tuple(step for step in range(1, max(size, 2)) if gcd(step, size) == 1)


def _walk(rng: Random, items: Sequence[Pair], count: int) -> list[Pair]:
    """`count` distinct items in a random order (cheaper than rng.sample, which matters when
    it runs for every season of 50,000 titles): a random start and a step prime to the size."""
    size = len(items)
    steps = _steps(size)
    start = int(rng.random() * size)
    step = steps[int(rng.random() * len(steps))]
    return [items[(start + k * step) % size] for k in range(count)]


def _reality_episode(episode: int, last: bool, plot: list[Pair]) -> tuple[Pair, Pair]:
    """A reality show's episode: auditions, rounds, the grand finale."""
    if episode == 1:
        return ("Auditions", "ऑडिशन"), ("The auditions begin.", "ऑडिशन शुरू होते हैं।")
    if last:
        return ("Grand Finale", "ग्रैंड फ़िनाले"), (
            "The finalists give it everything for the title.",
            "ख़िताब के लिए फ़ाइनलिस्ट्स की आख़िरी जंग।",
        )
    name = (f"Round {episode - 1}", f"राउंड {episode - 1}")
    return name, plot[(episode - 2) % len(plot)]


def _iso(day: date) -> str:
    return day.isoformat()


def _at(day: date, clock: time) -> str:
    return datetime.combine(day, clock, IST).isoformat()


class _Generator:
    def __init__(self, seed: int, now: datetime | None) -> None:
        self.rng = Random(seed)
        moment = now if now is not None else datetime.now(UTC)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        self.today = moment.astimezone(IST).date()
        self.roster = self._roster()
        self.sports = SportsDesk(self.rng)
        self.decks = {
            "movie": _Deck(words.MOVIE_GENRE_DECK),
            "tv_show": _Deck(words.SERIES_GENRE_DECK),
        }
        self.rule_deck = _Deck(_RULE_DECK)
        self.language_deck = _Deck({"hi": 2, "en": 3})
        self.block: list[str] = []
        self.seen: dict[str, int] = {}
        self.showcase = {
            kind: [s for s in SHOWCASE if s.type == kind] for kind in ("movie", "tv_show")
        }
        for item in SHOWCASE:
            self.seen[item.title[0].lower()] = 1

    # -- people -----------------------------------------------------------------------------

    def _roster(self) -> list[str]:
        """The invented film industry: actors, directors, commentators."""
        rng = self.rng
        names: list[str] = []
        known: set[str] = set()
        while len(names) < _ROSTER_SIZE:
            indian = rng.random() < 0.7
            first = rng.choice(words.FIRST_NAMES_IN if indian else words.FIRST_NAMES_INTL)
            mixed = rng.random() < 0.1
            surname = rng.choice(words.SURNAMES_IN if indian != mixed else words.SURNAMES_INTL)
            name = f"{first[0]} {surname[0]}"
            if name not in known:
                known.add(name)
                names.append(name)
        return names

    def _people(self, count: int, *, first: list[str] | None = None) -> list[str]:
        """`count` distinct names; a few stars turn up far more often than the rest."""
        rng = self.rng
        people = list(first or ())
        size = len(self.roster)
        while len(people) < count:
            name = self.roster[int(size * rng.random() ** 1.5)]
            if name not in people:
                people.append(name)
        return people

    # -- dates ------------------------------------------------------------------------------

    def _between(self, start: date, end: date) -> date:
        """A day from start to end, never after today (whatever `now` is)."""
        end = min(end, self.today - timedelta(days=1))
        start = min(start, end)
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def _recent(self, years: float, skew: float) -> date:
        """A past date, more often recent than not."""
        span = int(years * 365)
        return self.today - timedelta(days=int(span * self.rng.random() ** skew) + 1)

    def _release(self, kind: str) -> date:
        rng, today = self.rng, self.today
        roll = rng.random()
        if kind == "movie":
            if roll < 0.035:
                return today + timedelta(days=rng.randint(1, 60))
            if roll < 0.15:
                return self._between(date(1970, 1, 1), date(1994, 12, 31))
            if roll < 0.38:
                return self._between(date(1995, 1, 1), date(2012, 12, 31))
            return self._recent(max(1.0, (today - date(2013, 1, 1)).days / 365), 1.3)
        if roll < 0.03:
            return today + timedelta(days=rng.randint(1, 60))
        if roll < 0.1:
            return self._between(date(1985, 1, 1), date(2004, 12, 31))
        if roll < 0.3:
            return self._between(date(2005, 1, 1), date(2015, 12, 31))
        return self._recent(max(1.0, (today - date(2016, 1, 1)).days / 365), 1.4)

    # -- titles -----------------------------------------------------------------------------

    def _unique(self, make: Callable[[], Pair]) -> Pair:
        """A title no earlier title has; after a few tries, a sequel ("… 2") of one."""
        last: tuple[Pair, str, int] | None = None
        attempts = 0
        while attempts < 6 or last is None:
            attempts += 1
            title = make()
            key = title[0].lower()
            if key in words.REAL_TITLES:
                continue
            made = self.seen.get(key, 0)
            if not made:
                self.seen[key] = 1
                return title
            last = (title, key, made)
        title, key, made = last
        while f"{key} {made + 1}" in self.seen:
            made += 1
        self.seen[key] = made + 1
        self.seen[f"{key} {made + 1}"] = 1
        return f"{title[0]} {made + 1}", f"{title[1]} {made + 1}"

    def title(self, index: int) -> dict[str, Any]:
        if not self.block:
            self.block = list(_BLOCK)
            self.rng.shuffle(self.block)
        kind = self.block.pop()
        if kind == "sports":
            return self._sports(index)
        return self._story(index, kind)

    def _rating(self, genres: list[str]) -> str:
        rng = self.rng
        cumulative = _RATING_CUMULATIVE[genres[0]]
        rating = rng.choices(words.MATURITY_RATINGS, cum_weights=cumulative)[0]
        if "kids" in genres and rating not in ("G", "PG"):
            rating = "PG"
        if "horror" in genres and rating in ("G", "PG"):
            rating = "PG-13"
        return rating

    def _tier(self, release: date, group: str) -> str:
        age = (self.today - release).days
        if group == "kids":
            chance = 0.12
        elif age < 0:
            chance = 0.6
        elif age < 730:
            chance = 0.55
        elif age < 3650:
            chance = 0.3
        else:
            chance = 0.1
        return "premium" if self.rng.random() < chance else "free"

    def _popularity(self, release: date, *, boost: float = 1.0) -> float:
        age = (self.today - release).days
        if age < 0:
            boost *= 0.8
        elif age < 730:
            boost *= 1.6
        elif age > 9000:
            boost *= 0.6
        return round((self.rng.paretovariate(1.3) - 1.0) * 10.0 * boost, 2)

    def _story(self, index: int, kind: str) -> dict[str, Any]:
        rng = self.rng
        series = kind == "tv_show"
        showcase = self.showcase[kind].pop(0) if self.showcase[kind] else None
        if showcase is not None:
            genres = list(showcase.genres)
            hindi = showcase.hindi
        else:
            primary = self.decks[kind].draw(rng)
            extra = rng.choices((0, 1, 2), cum_weights=(25, 75, 100))[0]
            genres = [primary, *rng.sample(words.GENRE_AFFINITY[primary], extra)]
            hindi = self.language_deck.draw(rng) == "hi"
        primary = genres[0]
        group = words.GENRE_GROUP[primary]
        if hindi or rng.random() < 0.7:
            place = rng.choice(_INDIAN_PLACES)
        else:
            place = rng.choice(words.PLACES)

        if showcase is not None:
            title = showcase.title
            rating = showcase.rating
        else:
            title = self._unique(
                lambda: compose_title(
                    rng, place, hindi=hindi, group=group, primary=primary, series=series
                )
            )
            rating = self._rating(genres)
        english_only = not hindi and showcase is None and rng.random() < 0.08

        kids = group == "kids"

        def cast(gender: str) -> Name:
            return pick_name(rng, gender, indian=hindi, kids=kids)

        description, description_hi, hero = synopsis(rng, group, place, cast)
        release = self._release(kind)
        tier = self._tier(release, group)

        episode_minutes = rng.randint(*_EPISODE_MINUTES[group])
        if series:
            duration: int | None = episode_minutes
        elif kids:
            duration = rng.randint(65, 100)
        elif group == "doc":
            duration = rng.randint(50, 110)
        elif group == "epic":
            duration = rng.randint(130, 185) if hindi else rng.randint(110, 165)
        else:
            duration = rng.randint(115, 170) if hindi else rng.randint(85, 150)

        seasons: list[dict[str, Any]] = []
        if series:
            others = [cast("n"), cast("n")]
            seasons = self._seasons(release, group, episode_minutes, [hero, *others], english_only)
            if rng.random() < 0.05:
                duration = None  # episode lengths vary too much to name one

        return self._document(
            index,
            kind=kind,
            title=title,
            english_only=english_only,
            description=(description, description_hi),
            hindi=hindi,
            release=release,
            duration=duration,
            rating=rating,
            genres=genres,
            people=self._people(rng.randint(3, 7) if series else rng.randint(4, 8)),
            tier=tier,
            popularity=self._popularity(release, boost=25.0 if showcase else 1.0),
            seasons=seasons,
        )

    def _seasons(
        self,
        release: date,
        group: str,
        minutes: int,
        characters: list[Name],
        english_only: bool,
    ) -> list[dict[str, Any]]:
        rng, today = self.rng, self.today
        wanted = rng.choices((1, 2, 3, 4), cum_weights=(40, 70, 90, 100))[0]
        if release > today:
            wanted = 1
        dated = [release]
        while len(dated) < wanted:
            following = dated[-1] + timedelta(days=rng.randint(300, 520))
            if following > today:
                break
            dated.append(following)
        counts = [rng.randint(4, 10) for _ in dated]
        total = sum(counts)
        if group == "kids":
            pool = stories.KIDS_EPISODE_TITLES
            events = stories.KIDS_EPISODE_EVENTS
        elif group == "reality":
            pool = stories.EPISODE_TITLES  # not used: rounds are numbered
            events = stories.REALITY_EPISODE_EVENTS
        else:
            pool = stories.EPISODE_TITLES
            events = stories.DOC_EPISODE_EVENTS if group == "doc" else stories.EPISODE_EVENTS
        names = _walk(rng, pool, min(total, len(pool)))
        hero, second = characters[0], characters[1]
        if second == hero:
            second = characters[2]

        seasons: list[dict[str, Any]] = []
        rand = rng.random  # the loop below runs for every episode: keep it cheap
        reality = group == "reality"
        finales = group not in ("kids", "doc")
        overall = 0
        for number, (day, count) in enumerate(zip(dated, counts, strict=True), start=1):
            episodes: list[dict[str, Any]] = []
            # Each season tells its events in a different order, without repeating one early.
            plot = _walk(rng, events, len(events))
            for episode in range(1, count + 1):
                last = episode == count
                if reality:
                    name, line = _reality_episode(episode, last, plot)
                else:
                    if overall < len(names):
                        name = names[overall]
                    else:
                        name = (f"Episode {overall + 1}", f"एपिसोड {overall + 1}")
                    if last and finales:
                        line = stories.FINALE_EVENTS[int(rand() * len(stories.FINALE_EVENTS))]
                    else:
                        line = plot[(episode - 1) % len(plot)]
                    first, other = (hero, second) if rand() < 0.7 else (second, hero)
                    line = (
                        line[0].format(name=first[0], name2=other[0]),
                        line[1].format(name=first[1], name2=other[1]),
                    )
                overall += 1
                length = minutes + int(rand() * 9) - 4 + (int(rand() * 13) if last else 0)
                episodes.append(
                    {
                        "episode_number": episode,
                        "title": name[0],
                        "title_hi": None if english_only else name[1],
                        "description": line[0],
                        "description_hi": None if english_only else line[1],
                        "duration_minutes": max(5, length),
                        "thumbnail_url": None,
                    }
                )
            seasons.append(
                {
                    "season_number": number,
                    "title": f"Season {number}",
                    "title_hi": None if english_only else f"सीज़न {number}",
                    "release_date": _iso(day),
                    "episodes": episodes,
                }
            )
        return seasons

    # -- sports -----------------------------------------------------------------------------

    def _sports(self, index: int) -> dict[str, Any]:
        rng, today = self.rng, self.today
        roll = rng.random()
        upcoming = roll < 0.07
        classic = 0.07 <= roll < 0.12
        if upcoming:
            day = today + timedelta(days=rng.randint(1, 60))
        elif classic:
            day = self._between(date(1985, 1, 1), date(today.year - 13, 12, 31))
        else:
            day = self._recent(6, 1.3)
        hindi = rng.random() < 0.45
        item = None
        for _ in range(6):
            item = self.sports.make(rng, day, hindi=hindi, upcoming=upcoming, classic=classic)
            if item.title[0].lower() not in self.seen:
                break
        assert item is not None
        self.seen[item.title[0].lower()] = 1
        english_only = not hindi and rng.random() < 0.05
        age = (today - day).days
        if item.kind == "highlights":
            chance = 0.05
        elif item.kind == "review":
            chance = 0.2
        else:
            chance = 0.45 if age < 30 else 0.3
        tier = "premium" if rng.random() < chance else "free"
        people = self._people(rng.randint(3, 5), first=item.players)
        document = self._document(
            index,
            kind="sports",
            title=item.title,
            english_only=english_only,
            description=item.description,
            hindi=hindi,
            release=day,
            duration=item.duration_minutes,
            rating="G" if rng.random() < 0.75 else "PG",
            genres=item.genres,
            people=people,
            tier=tier,
            popularity=self._popularity(day, boost=1.5 if item.kind == "match" else 1.0),
            seasons=[],
            rules=self._sports_rules(item.kind, tier),
        )
        if upcoming:
            document["available_from"] = _at(day, item.kickoff)
        return document

    # -- the document -----------------------------------------------------------------------

    def _sports_rules(self, kind: str, tier: str) -> list[dict[str, Any]]:
        rng = self.rng
        if rng.random() >= (0.25 if kind == "match" else 0.05):
            return []
        rule = rng.choices(_SPORTS_RULES, cum_weights=_SPORTS_RULES_CUMULATIVE)[0]
        return self._rules(rule, tier)

    def _rules(self, kind: str, tier: str) -> list[dict[str, Any]]:
        """The availability rules of one kind (see _RULE_DECK)."""
        rng, today = self.rng, self.today
        if kind == "premium_in_country" and tier == "premium":
            kind = "in_only"
        rule: dict[str, Any] = {
            "allowed_countries": None,
            "blocked_countries": [],
            "starts_at": None,
            "ends_at": None,
            "tier": None,
        }
        if kind == "in_only":
            rule["allowed_countries"] = ["IN"]
        elif kind == "south_asia":
            rule["allowed_countries"] = list(_SOUTH_ASIA)
        elif kind == "blocked_us":
            rule["blocked_countries"] = ["US"]
        elif kind == "blocked_north_america":
            rule["blocked_countries"] = ["US", "CA"]
        elif kind == "past_window":
            ends = today - timedelta(days=rng.randint(1, 45))
            rule["starts_at"] = _at(ends - timedelta(days=rng.randint(30, 120)), time(0, 0))
            rule["ends_at"] = _at(ends, time(23, 59))
        elif kind == "future_window":
            starts = today + timedelta(days=rng.randint(3, 45))
            rule["starts_at"] = _at(starts, time(0, 0))
            rule["ends_at"] = _at(starts + timedelta(days=rng.randint(30, 120)), time(23, 59))
        elif kind == "current_window":
            rule["starts_at"] = _at(today - timedelta(days=rng.randint(1, 60)), time(0, 0))
            rule["ends_at"] = _at(today + timedelta(days=rng.randint(7, 90)), time(23, 59))
        else:  # premium in one country, free everywhere else
            country = rng.choice(_PREMIUM_COUNTRIES)
            rule["allowed_countries"] = [country]
            rule["tier"] = "premium"
            elsewhere = {
                "allowed_countries": None,
                "blocked_countries": [country],
                "starts_at": None,
                "ends_at": None,
                "tier": None,
            }
            return [rule, elsewhere]
        return [rule]

    def _document(
        self,
        index: int,
        *,
        kind: str,
        title: Pair,
        english_only: bool,
        description: Pair,
        hindi: bool,
        release: date,
        duration: int | None,
        rating: str,
        genres: list[str],
        people: list[str],
        tier: str,
        popularity: float,
        seasons: list[dict[str, Any]],
        rules: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        rng, today = self.rng, self.today
        available_from = None
        available_until = None
        if release > today:
            available_from = _at(release, time(0, 0))
        elif rng.random() < 0.03:
            available_until = _at(today + timedelta(days=rng.randint(3, 30)), time(23, 59))
        if rules is None:
            kind_of_rule = self.rule_deck.draw(rng)
            rules = self._rules(kind_of_rule, tier) if kind_of_rule else []
        return {
            "external_id": f"demo-{index + 1:06d}",
            "type": kind,
            "title": title[0],
            "title_hi": None if english_only else title[1],
            "description": description[0],
            "description_hi": None if english_only else description[1],
            "original_language": "hi" if hindi else "en",
            "release_date": _iso(release),
            "duration_minutes": duration,
            "maturity_rating": rating,
            "genres": genres,
            "people": people,
            "tier_requirement": tier,
            "available_from": available_from,
            "available_until": available_until,
            "availability_rules": rules,
            "poster_url": None,
            "thumbnail_url": None,
            "trailer_url": None,
            "popularity": popularity,
            "seasons": seasons,
        }
