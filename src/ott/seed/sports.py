"""Sports titles: matches, highlights and tournament reviews of invented leagues and teams.

Leagues, tournaments and teams are invented (real cities, made-up names); national teams are
only ever named by country.
"""

from __future__ import annotations

from datetime import date, time
from random import Random
from typing import Final, NamedTuple

from ott.seed import words
from ott.seed.words import Pair


class Sport(NamedTuple):
    slug: str
    weight: int
    competitions: tuple[Pair, ...]
    team: bool  # teams (with a city and a name) or two players
    unit: Pair  # what highlights show: "every goal"
    minutes: tuple[int, int]
    kickoff: time


SPORTS: Final[tuple[Sport, ...]] = (
    Sport(
        "cricket",
        35,
        (
            ("Deccan Premier Cup", "डेक्कन प्रीमियर कप"),
            ("Coastal T20 Championship", "कोस्टल टी20 चैंपियनशिप"),
        ),
        True,
        ("wicket and boundary", "विकेट और बाउंड्री"),
        (195, 235),
        time(19, 30),
    ),
    Sport(
        "football",
        20,
        (("Monsoon Football League", "मॉनसून फ़ुटबॉल लीग"), ("Western Shield", "वेस्टर्न शील्ड")),
        True,
        ("goal", "गोल"),
        (105, 120),
        time(20, 0),
    ),
    Sport(
        "kabaddi",
        15,
        (("Grand Kabaddi League", "ग्रैंड कबड्डी लीग"), ("Raid Masters Cup", "रेड मास्टर्स कप")),
        True,
        ("raid and tackle", "रेड और टैकल"),
        (50, 60),
        time(20, 0),
    ),
    Sport(
        "hockey",
        10,
        (
            ("Golden Stick Hockey Cup", "गोल्डन स्टिक हॉकी कप"),
            ("Eastern Hockey Series", "ईस्टर्न हॉकी सीरीज़"),
        ),
        True,
        ("goal and save", "गोल और सेव"),
        (70, 80),
        time(18, 30),
    ),
    Sport(
        "badminton",
        10,
        (("Eastern Open", "ईस्टर्न ओपन"), ("Lakeside Masters", "लेकसाइड मास्टर्स")),
        False,
        ("winning smash", "विनिंग स्मैश"),
        (40, 95),
        time(14, 0),
    ),
    Sport(
        "tennis",
        10,
        (("Coromandel Open", "कोरोमंडल ओपन"), ("Highlands Championships", "हाइलैंड्स चैंपियनशिप्स")),
        False,
        ("big point", "अहम पॉइंट"),
        (90, 210),
        time(16, 0),
    ),
)
_SPORT_CUMULATIVE: Final[list[int]] = []
_total = 0
for _sport in SPORTS:
    _total += _sport.weight
    _SPORT_CUMULATIVE.append(_total)

CITIES: Final[tuple[Pair, ...]] = (
    ("Mumbai", "मुंबई"),
    ("Chennai", "चेन्नई"),
    ("Kolkata", "कोलकाता"),
    ("Delhi", "दिल्ली"),
    ("Bengaluru", "बेंगलुरु"),
    ("Hyderabad", "हैदराबाद"),
    ("Pune", "पुणे"),
    ("Jaipur", "जयपुर"),
    ("Lucknow", "लखनऊ"),
    ("Ahmedabad", "अहमदाबाद"),
    ("Kochi", "कोच्चि"),
    ("Guwahati", "गुवाहाटी"),
    ("Indore", "इंदौर"),
    ("Nagpur", "नागपुर"),
    ("Chandigarh", "चंडीगढ़"),
    ("Bhubaneswar", "भुवनेश्वर"),
    ("Ranchi", "रांची"),
    ("Surat", "सूरत"),
    ("Vizag", "वाइज़ैग"),
    ("Mysuru", "मैसूरु"),
)
MASCOTS: Final[tuple[Pair, ...]] = (
    ("Comets", "कॉमेट्स"),
    ("Falcons", "फ़ाल्कन्स"),
    ("Monarchs", "मोनार्क्स"),
    ("Cyclones", "साइक्लोन्स"),
    ("Voyagers", "वॉयेजर्स"),
    ("Stallions", "स्टैलियन्स"),
    ("Hawks", "हॉक्स"),
    ("Nomads", "नोमैड्स"),
    ("Sentinels", "सेंटिनल्स"),
    ("Thunderbolts", "थंडरबोल्ट्स"),
    ("Meteors", "मीटियर्स"),
    ("Leopards", "लेपर्ड्स"),
    ("Cobras", "कोबराज़"),
    ("Kites", "काइट्स"),
    ("Wanderers", "वांडरर्स"),
    ("Rhinos", "राइनोज़"),
    ("Mavericks", "मेवरिक्स"),
    ("Peacocks", "पीकॉक्स"),
    ("Hornbills", "हॉर्नबिल्स"),
    ("Monsoons", "मॉनसून्स"),
)
OPPONENTS: Final[tuple[Pair, ...]] = (
    ("Australia", "ऑस्ट्रेलिया"),
    ("England", "इंग्लैंड"),
    ("South Africa", "दक्षिण अफ़्रीका"),
    ("New Zealand", "न्यूज़ीलैंड"),
    ("Sri Lanka", "श्रीलंका"),
    ("West Indies", "वेस्टइंडीज़"),
    ("Bangladesh", "बांग्लादेश"),
    ("Afghanistan", "अफ़ग़ानिस्तान"),
    ("Ireland", "आयरलैंड"),
    ("Netherlands", "नीदरलैंड्स"),
)
SERIES: Final[tuple[Pair, ...]] = (
    ("Friendship Trophy", "फ़्रेंडशिप ट्रॉफ़ी"),
    ("Tri-Nation Cup", "ट्राई-नेशन कप"),
    ("Monsoon Series", "मॉनसून सीरीज़"),
    ("Bay of Bengal Trophy", "बे ऑफ़ बंगाल ट्रॉफ़ी"),
)
# (English, Hindi, Hindi oblique)
ORDINALS: Final[tuple[tuple[str, str, str], ...]] = (
    ("1st", "पहला", "पहले"),
    ("2nd", "दूसरा", "दूसरे"),
    ("3rd", "तीसरा", "तीसरे"),
    ("4th", "चौथा", "चौथे"),
    ("5th", "पाँचवाँ", "पाँचवें"),
)
# (English, Hindi, minutes, kick-off)
FORMATS: Final[tuple[tuple[str, str, tuple[int, int], time], ...]] = (
    ("T20I", "टी20", (195, 230), time(19, 0)),
    ("ODI", "वनडे", (430, 480), time(13, 30)),
    ("Test", "टेस्ट", (380, 420), time(9, 30)),
)
STAGES: Final[tuple[Pair, ...]] = (
    ("Qualifier 1", "क्वालिफ़ायर 1"),
    ("Eliminator", "एलिमिनेटर"),
    ("Qualifier 2", "क्वालिफ़ायर 2"),
    ("Semi-final", "सेमीफ़ाइनल"),
    ("Final", "फ़ाइनल"),
)
ROUNDS: Final[tuple[Pair, ...]] = (
    ("Final", "फ़ाइनल"),
    ("Semi-final", "सेमीफ़ाइनल"),
    ("Quarter-final", "क्वार्टर फ़ाइनल"),
)
EVENTS: Final[tuple[tuple[str, str, str], ...]] = (
    ("Men's Singles", "पुरुष एकल", "m"),
    ("Women's Singles", "महिला एकल", "f"),
)
HIGHLIGHTS: Final[Pair] = ("Highlights", "हाइलाइट्स")
CLASSIC: Final[Pair] = ("Classic", "क्लासिक")
REPLAY: Final[Pair] = ("Full match replay.", "पूरे मैच का रीप्ले।")
LIVE: Final[Pair] = ("Watch it live.", "लाइव देखें।")
HINDI_COMMENTARY: Final[Pair] = ("With Hindi commentary.", "हिंदी कमेंट्री के साथ।")


class SportsItem(NamedTuple):
    title: Pair
    description: Pair
    duration_minutes: int
    players: list[str]
    genres: list[str]
    kickoff: time
    kind: str  # "match", "highlights" or "review"


class SportsDesk:
    """Makes sports titles; the teams of each league are fixed when the desk is made."""

    def __init__(self, rng: Random) -> None:
        self._teams: dict[str, list[Pair]] = {}
        for sport in SPORTS:
            if not sport.team:
                continue
            for league in sport.competitions:
                cities = rng.sample(CITIES, 8)
                mascots = rng.sample(MASCOTS, 8)
                self._teams[league[0]] = [
                    (f"{c[0]} {m[0]}", f"{c[1]} {m[1]}")
                    for c, m in zip(cities, mascots, strict=True)
                ]

    def make(
        self, rng: Random, day: date, *, hindi: bool, upcoming: bool, classic: bool
    ) -> SportsItem:
        """A match (live when `upcoming`), its highlights, or a review of a competition."""
        sport = rng.choices(SPORTS, cum_weights=_SPORT_CUMULATIVE)[0]
        roll = rng.random()
        kind = "match" if upcoming or roll < 0.55 else "highlights" if roll < 0.85 else "review"
        year = day.year
        competition = rng.choice(sport.competitions)
        players: list[str] = []
        minutes = rng.randint(*sport.minutes)
        kickoff = sport.kickoff
        where = rng.choice(CITIES)

        if kind == "review":
            if sport.team:
                title = (
                    f"{competition[0]} {year}: Road to the Final",
                    f"{competition[1]} {year}: फ़ाइनल तक का सफ़र",
                )
            else:
                title = (
                    f"{competition[0]} {year}: The Champions' Story",
                    f"{competition[1]} {year}: चैंपियंस की कहानी",
                )
            description = (
                f"The story of the {competition[0]} {year}, from the first match to the final, "
                "told by the players who lived it.",
                f"{competition[1]} {year} की पूरी कहानी, पहले मैच से फ़ाइनल तक, खिलाड़ियों की ज़ुबानी।",
            )
            return SportsItem(
                title,
                description,
                rng.randint(45, 95),
                players,
                ["sports", "documentary"],
                kickoff,
                kind,
            )

        if sport.slug == "cricket" and rng.random() < 0.4:
            series = rng.choice(SERIES)
            opponent = rng.choice(OPPONENTS)
            ordinal = rng.choice(ORDINALS[:3] if rng.random() < 0.7 else ORDINALS)
            fmt_en, fmt_hi, fmt_minutes, kickoff = rng.choice(FORMATS)
            minutes = rng.randint(*fmt_minutes)
            head = (f"{series[0]} {year}:", f"{series[1]} {year}:")
            match = (
                f"India vs {opponent[0]}, {ordinal[0]} {fmt_en}",
                f"भारत बनाम {opponent[1]}, {ordinal[1]} {fmt_hi}",
            )
            if fmt_en == "Test":
                day_no = rng.randint(1, 5)
                match = (f"{match[0]}, Day {day_no}", f"{match[1]}, {ORDINALS[day_no - 1][1]} दिन")
            versus = (f"India vs {opponent[0]}", f"भारत बनाम {opponent[1]}")
            about = (
                f"India take on {opponent[0]} in the {ordinal[0]} {fmt_en} of the {series[0]} "
                f"{year} in {where[0]}.",
                f"{series[1]} {year} के {ordinal[2]} {fmt_hi} में भारत और {opponent[1]} "
                f"आमने-सामने, {where[1]} में।",
            )
        elif sport.team:
            teams = self._teams[competition[0]]
            home, away = rng.sample(teams, 2)
            if rng.random() < 0.8:
                n = rng.randint(1, 56)
                stage: Pair = (f"Match {n}", f"मैच {n}")
                stage_about = f"match {n}"
            else:
                stage = rng.choice(STAGES)
                stage_about = "the " + stage[0].lower()
            head = (f"{competition[0]} {year}:", f"{competition[1]} {year}:")
            match = (f"{home[0]} vs {away[0]}, {stage[0]}", f"{home[1]} बनाम {away[1]}, {stage[1]}")
            versus = (f"{home[0]} vs {away[0]}", f"{home[1]} बनाम {away[1]}")
            about = (
                f"{home[0]} take on {away[0]} in {stage_about} of the {competition[0]} {year} "
                f"in {where[0]}.",
                f"{competition[1]} {year} के {stage[1]} में {home[1]} और {away[1]} आमने-सामने, "
                f"{where[1]} में।",
            )
        else:
            event = rng.choice(EVENTS)
            rnd = rng.choice(ROUNDS)
            first, second = _player(rng, event[2]), _player(rng, event[2])
            while second == first:
                second = _player(rng, event[2])
            players = [first[0], second[0]]
            head = (f"{competition[0]} {year}:", f"{competition[1]} {year}:")
            match = (
                f"{event[0]} {rnd[0]} — {first[0]} vs {second[0]}",
                f"{event[1]} {rnd[1]} — {first[1]} बनाम {second[1]}",
            )
            versus = (f"{first[0]} vs {second[0]}", f"{first[1]} बनाम {second[1]}")
            about = (
                f"{first[0]} meets {second[0]} in the {event[0].lower()} {rnd[0].lower()} "
                f"of the {competition[0]} {year}.",
                f"{competition[1]} {year} के {event[1]} {rnd[1]} में {first[1]} और {second[1]} "
                "आमने-सामने।",
            )

        title = (f"{head[0]} {match[0]}", f"{head[1]} {match[1]}")
        if kind == "highlights":
            minutes = rng.randint(8, 28)
            title = (f"{title[0]} — {HIGHLIGHTS[0]}", f"{title[1]} — {HIGHLIGHTS[1]}")
            about = (
                f"Every {sport.unit[0]} from {versus[0]}, in {minutes} minutes.",
                f"{versus[1]} के हर {sport.unit[1]} की झलक, सिर्फ़ {minutes} मिनट में।",
            )
            coda: Pair | None = None
        else:
            coda = LIVE if upcoming else REPLAY
        if classic and kind == "match":
            title = (f"{title[0]} — {CLASSIC[0]}", f"{title[1]} — {CLASSIC[1]}")
        en, hi = about
        if coda is not None:
            en, hi = f"{en} {coda[0]}", f"{hi} {coda[1]}"
        if hindi:
            en, hi = f"{en} {HINDI_COMMENTARY[0]}", f"{hi} {HINDI_COMMENTARY[1]}"
        return SportsItem(title, (en, hi), minutes, players, ["sports"], kickoff, kind)


def _player(rng: Random, gender: str) -> Pair:
    indian = rng.random() < 0.6
    firsts = words.FIRST_NAMES_IN if indian else words.FIRST_NAMES_INTL
    surnames = words.SURNAMES_IN if indian else words.SURNAMES_INTL
    first = rng.choice(firsts)
    while first[2] != gender:
        first = rng.choice(firsts)
    surname = rng.choice(surnames)
    return f"{first[0]} {surname[0]}", f"{first[1]} {surname[1]}"
