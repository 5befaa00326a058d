"""Pieces of synopses, in English and Hindi, by family of stories (see words.GENRE_GROUP).

A synopsis is put together from a role, an event, a goal, a deadline and a tagline. The Hindi
pieces are written so that they fit the Hindi sentence frames in titles.py: roles are in the
oblique form ("... की ज़िंदगी", "... <name> को"), goals end in "होगा/होगी" agreeing with their own
object, and events carry their own subject, so nothing depends on who the hero is.
"""

from __future__ import annotations

from typing import Final, NamedTuple

from ott.seed.words import Pair

# (English without article, Hindi oblique, gender of the person: "m", "f" or "n" for either)
Role = tuple[str, str, str]


class Story(NamedTuple):
    roles: tuple[Role, ...]
    events: tuple[Pair, ...]
    goals: tuple[Pair, ...]
    deadlines: tuple[Pair, ...]
    themes: tuple[Pair, ...]
    taglines: tuple[Pair, ...]  # "{t}" is the theme


STORIES: Final[dict[str, Story]] = {
    "thrill": Story(
        roles=(
            ("police inspector", "पुलिस इंस्पेक्टर", "n"),
            ("crime reporter", "क्राइम रिपोर्टर", "n"),
            ("retired detective", "रिटायर्ड जासूस", "n"),
            ("bank clerk", "बैंक क्लर्क", "n"),
            ("night-shift taxi driver", "नाइट-शिफ़्ट टैक्सी ड्राइवर", "n"),
            ("forensic analyst", "फ़ॉरेंसिक एनालिस्ट", "n"),
            ("young lawyer", "युवा वकील", "n"),
            ("former army officer", "पूर्व सेना अधिकारी", "n"),
        ),
        events=(
            (
                "a stranger is found dead in a locked hotel room",
                "होटल के एक बंद कमरे में एक अजनबी की लाश मिलती है",
            ),
            (
                "a suitcase full of cash turns up at the railway station",
                "रेलवे स्टेशन पर नक़दी से भरा एक सूटकेस मिलता है",
            ),
            ("a twenty-year-old case is reopened", "बीस साल पुराना एक केस फिर से खुलता है"),
            (
                "a witness vanishes the night before the trial",
                "मुक़दमे से एक रात पहले एक गवाह ग़ायब हो जाता है",
            ),
            (
                "a routine delivery turns into a kidnapping",
                "एक मामूली डिलीवरी अपहरण में बदल जाती है",
            ),
            (
                "a priceless necklace disappears from a wedding",
                "एक शादी से एक बेशक़ीमती हार ग़ायब हो जाता है",
            ),
            (
                "an anonymous letter names the city's most powerful man",
                "एक गुमनाम चिट्ठी में शहर के सबसे ताक़तवर आदमी का नाम आता है",
            ),
            (
                "a hacked phone starts sending messages from a dead man",
                "एक हैक किया गया फ़ोन एक मरे हुए आदमी के नाम से संदेश भेजने लगता है",
            ),
        ),
        goals=(
            ("find the killer", "क़ातिल को ढूँढना होगा"),
            ("clear an innocent name", "एक बेगुनाह का नाम साफ़ करना होगा"),
            (
                "follow the money through the city's underworld",
                "अपराध की दुनिया में पैसे का पीछा करना होगा",
            ),
            (
                "outwit a gang that is always one step ahead",
                "हमेशा एक क़दम आगे रहने वाले गिरोह को मात देनी होगी",
            ),
            ("find out who is lying", "पता लगाना होगा कि झूठ कौन बोल रहा है"),
            ("get the evidence to court", "सबूत को अदालत तक पहुँचाना होगा"),
        ),
        deadlines=(
            ("the verdict", "फ़ैसले"),
            ("the election", "चुनाव"),
            ("dawn", "सुबह होने"),
            ("the trail goes cold", "सुराग़ ठंडा पड़ने"),
        ),
        themes=(
            ("greed, guilt and a city that never sleeps", "लालच, अपराध-बोध और कभी न सोने वाले शहर"),
            ("loyalty and betrayal", "वफ़ादारी और धोखे"),
            ("justice and the price of truth", "इंसाफ़ और सच की क़ीमत"),
        ),
        taglines=(
            ("A tense story of {t}.", "{t} की एक रोमांचक कहानी।"),
            ("A gripping thriller about {t}.", "{t} पर एक दिलचस्प थ्रिलर।"),
        ),
    ),
    "heart": Story(
        roles=(
            ("schoolteacher", "स्कूल टीचर", "n"),
            ("struggling painter", "संघर्षरत पेंटर", "n"),
            ("bank manager", "बैंक मैनेजर", "n"),
            ("music teacher", "संगीत टीचर", "n"),
            ("medical student", "मेडिकल स्टूडेंट", "n"),
            ("wedding photographer", "वेडिंग फ़ोटोग्राफ़र", "n"),
            ("architect", "आर्किटेक्ट", "n"),
            ("radio jockey", "रेडियो जॉकी", "n"),
            ("young widow", "युवा विधवा", "f"),
            ("retired postman", "रिटायर्ड डाकिए", "m"),
        ),
        events=(
            (
                "an old love letter arrives thirty years late",
                "तीस साल देर से एक पुराना प्रेम-पत्र आता है",
            ),
            ("a childhood friend returns to town", "बचपन का एक दोस्त शहर लौट आता है"),
            ("the family home is put up for sale", "परिवार का पुश्तैनी घर बिकने को आ जाता है"),
            (
                "a chance meeting on a delayed train changes everything",
                "एक लेट ट्रेन में हुई अचानक मुलाक़ात सब कुछ बदल देती है",
            ),
            (
                "a long-lost brother appears at the door",
                "बरसों से बिछड़ा भाई अचानक दरवाज़े पर आ खड़ा होता है",
            ),
            ("two families clash over a wedding", "एक शादी को लेकर दो परिवारों में ठन जाती है"),
            (
                "a diagnosis forces everyone to say what they never said",
                "एक बीमारी की ख़बर सबको वो कहने पर मजबूर कर देती है जो कभी नहीं कहा गया",
            ),
        ),
        goals=(
            ("choose between duty and the heart", "फ़र्ज़ और दिल में से किसी एक को चुनना होगा"),
            ("hold the family together", "परिवार को एक साथ जोड़े रखना होगा"),
            ("find the courage to start again", "फिर से शुरुआत करने की हिम्मत जुटानी होगी"),
            ("keep a promise made long ago", "बरसों पहले किया गया एक वादा निभाना होगा"),
            ("make peace with the past", "अतीत से सुलह करनी होगी"),
            ("win back a love they let go", "खोया हुआ प्यार वापस जीतना होगा"),
        ),
        deadlines=(
            ("the wedding", "शादी"),
            ("the festival", "त्योहार"),
            ("the monsoon ends", "मॉनसून ख़त्म होने"),
            ("the house is sold", "घर बिकने"),
        ),
        themes=(
            ("love, loss and second chances", "प्यार, बिछड़न और दूसरे मौक़ों"),
            ("family, memory and home", "परिवार, यादों और घर"),
            ("friendship and growing up", "दोस्ती और बड़े होने"),
        ),
        taglines=(
            ("A warm story of {t}.", "{t} की एक दिल छू लेने वाली कहानी।"),
            ("A heartfelt drama about {t}.", "{t} पर एक भावुक ड्रामा।"),
        ),
    ),
    "laugh": Story(
        roles=(
            ("wedding planner", "वेडिंग प्लानर", "n"),
            ("struggling stand-up comic", "संघर्षरत स्टैंड-अप कॉमेडियन", "n"),
            ("band manager", "बैंड मैनेजर", "n"),
            ("caterer", "कैटरर", "n"),
            ("dance teacher", "डांस टीचर", "n"),
            ("travel agent", "ट्रैवल एजेंट", "n"),
            ("jingle composer", "जिंगल कंपोज़र", "n"),
        ),
        events=(
            (
                "two weddings are booked at the same venue on the same night",
                "एक ही रात, एक ही जगह पर दो शादियाँ बुक हो जाती हैं",
            ),
            ("a talent show offers one last shot at fame", "एक टैलेंट शो शोहरत का आख़िरी मौक़ा देता है"),
            (
                "a rich aunt's will comes with ridiculous conditions",
                "एक अमीर बुआ की वसीयत अजीबो-ग़रीब शर्तों के साथ आती है",
            ),
            (
                "the hired band turns out to be four strangers who have never played together",
                "किराए का बैंड चार ऐसे अजनबी निकलता है जिन्होंने कभी साथ में नहीं बजाया",
            ),
            (
                "a road trip to a cousin's wedding goes wrong at every stop",
                "कज़िन की शादी के लिए निकला रोड ट्रिप हर पड़ाव पर गड़बड़ा जाता है",
            ),
            (
                "a lie told to impress the neighbours grows out of control",
                "पड़ोसियों पर रौब जमाने के लिए बोला गया एक झूठ बेक़ाबू हो जाता है",
            ),
        ),
        goals=(
            ("pull off the wedding of the year", "साल की सबसे बड़ी शादी करवानी होगी"),
            ("win the contest without losing their friends", "दोस्तों को खोए बिना मुक़ाबला जीतना होगा"),
            ("keep the lie going a little longer", "झूठ को थोड़ी देर और चलाना होगा"),
            ("get the band on stage", "बैंड को स्टेज तक पहुँचाना होगा"),
            ("find the one song that brings the house down", "वो एक गाना ढूँढना होगा जो महफ़िल लूट ले"),
        ),
        deadlines=(
            ("the wedding", "शादी"),
            ("the big night", "बड़ी रात"),
            ("the relatives arrive", "रिश्तेदारों के आने"),
            ("the curtain goes up", "पर्दा उठने"),
        ),
        themes=(
            ("friendship, music and very bad ideas", "दोस्ती, संगीत और बेहद बुरे आइडियाज़"),
            ("big families and bigger weddings", "बड़े परिवारों और उससे भी बड़ी शादियों"),
            ("dreams, rhythm and chaos", "सपनों, सुरों और हंगामे"),
        ),
        taglines=(
            ("A big-hearted comedy about {t}.", "{t} पर एक ज़िंदादिल कॉमेडी।"),
            ("A feel-good ride through {t}.", "{t} का एक मज़ेदार सफ़र।"),
        ),
    ),
    "fear": Story(
        roles=(
            ("paranormal blogger", "पैरानॉर्मल ब्लॉगर", "n"),
            ("night-shift nurse", "नाइट-शिफ़्ट नर्स", "n"),
            ("caretaker", "केयरटेकर", "n"),
            ("young architect", "युवा आर्किटेक्ट", "n"),
            ("folklore researcher", "लोककथा शोधकर्ता", "n"),
        ),
        events=(
            (
                "the family moves into a haveli no one will enter after dark",
                "परिवार एक ऐसी हवेली में रहने आता है जिसमें अँधेरा होने के बाद कोई क़दम नहीं रखता",
            ),
            (
                "a radio starts playing a song from 1971 every night at 3 a.m.",
                "एक रेडियो हर रात तीन बजे 1971 का एक गाना बजाने लगता है",
            ),
            ("the village well is opened after forty years", "गाँव का कुआँ चालीस साल बाद खोला जाता है"),
            (
                "a photograph shows someone who was never there",
                "एक तस्वीर में कोई ऐसा दिखता है जो वहाँ कभी था ही नहीं",
            ),
            (
                "the lights of an abandoned hospital come on by themselves",
                "एक वीरान अस्पताल की बत्तियाँ अपने आप जल उठती हैं",
            ),
        ),
        goals=(
            ("break a curse older than the village", "गाँव से भी पुराना एक श्राप तोड़ना होगा"),
            ("survive until sunrise", "सूरज निकलने तक ज़िंदा रहना होगा"),
            ("find out what the house wants", "पता लगाना होगा कि वो घर चाहता क्या है"),
            ("set a restless spirit free", "एक भटकती आत्मा को मुक्ति दिलानी होगी"),
        ),
        deadlines=(
            ("the new moon", "अमावस"),
            ("midnight", "आधी रात"),
            ("dawn", "सुबह होने"),
        ),
        themes=(
            ("fear, faith and what lies beneath", "डर, आस्था और गहराइयों में छिपे राज़ों"),
            ("grief and the things that return", "दुख और लौट आने वाली चीज़ों"),
        ),
        taglines=(
            ("A chilling tale of {t}.", "{t} की एक सिहरा देने वाली कहानी।"),
            (
                "A horror story of {t}, best watched with the lights on.",
                "{t} की एक डरावनी कहानी; बत्तियाँ जलाकर देखें।",
            ),
        ),
    ),
    "wonder": Story(
        roles=(
            ("satellite engineer", "सैटेलाइट इंजीनियर", "n"),
            ("mountain guide", "पहाड़ी गाइड", "n"),
            ("physics student", "फ़िज़िक्स स्टूडेंट", "n"),
            ("street magician", "सड़क के जादूगर", "m"),
            ("astronomer", "खगोलशास्त्री", "n"),
            ("cargo pilot", "कार्गो पायलट", "n"),
            ("self-taught coder", "ख़ुद से कोडिंग सीखने वाले प्रोग्रामर", "m"),
        ),
        events=(
            (
                "a signal from deep space starts repeating an old village lullaby",
                "अंतरिक्ष की गहराई से आया एक सिग्नल गाँव की एक पुरानी लोरी दोहराने लगता है",
            ),
            (
                "a map drawn in invisible ink points to a city buried beneath the desert",
                "अदृश्य स्याही से बना एक नक़्शा रेगिस्तान के नीचे दबे एक शहर की ओर इशारा करता है",
            ),
            (
                "every clock in the city stops at the same minute",
                "शहर की हर घड़ी एक ही मिनट पर रुक जाती है",
            ),
            (
                "a door that was not there yesterday opens in the old library",
                "पुरानी लाइब्रेरी में एक ऐसा दरवाज़ा खुलता है जो कल तक वहाँ नहीं था",
            ),
            (
                "the monsoon arrives three months early and refuses to stop",
                "मॉनसून तीन महीने पहले आ जाता है और थमने का नाम नहीं लेता",
            ),
            (
                "a robot built for a school project starts asking questions",
                "स्कूल प्रोजेक्ट के लिए बना एक रोबोट सवाल पूछने लगता है",
            ),
        ),
        goals=(
            ("reach the hidden valley", "छिपी हुई घाटी तक पहुँचना होगा"),
            ("decode the message", "संदेश को डिकोड करना होगा"),
            ("put time back together", "समय को फिर से ठीक करना होगा"),
            ("protect a secret that could change the world", "दुनिया बदल देने वाला एक राज़ बचाना होगा"),
            ("lead a ragtag crew across the mountains", "एक बेमेल टोली को पहाड़ों के पार ले जाना होगा"),
        ),
        deadlines=(
            ("the eclipse", "ग्रहण"),
            ("the signal fades", "सिग्नल ग़ायब होने"),
            ("the pass closes for winter", "सर्दियों में दर्रा बंद होने"),
        ),
        themes=(
            ("curiosity, courage and the unknown", "जिज्ञासा, हिम्मत और अनजानी दुनिया"),
            ("wonder and the limits of science", "अचरज और विज्ञान की सीमाओं"),
        ),
        taglines=(
            ("A spellbinding journey into {t}.", "{t} का एक अनोखा सफ़र।"),
            ("An adventure about {t}.", "{t} पर एक रोमांचक कहानी।"),
        ),
    ),
    "kids": Story(
        roles=(
            ("curious ten-year-old", "दस साल के जिज्ञासु बच्चे", "m"),
            ("young inventor", "नन्हे आविष्कारक", "m"),
            ("class monitor", "क्लास मॉनिटर", "n"),
            ("little elephant", "नन्हे हाथी", "m"),
            ("brave little girl", "बहादुर छोटी बच्ची", "f"),
        ),
        events=(
            (
                "a kite brings a secret message over the rooftops",
                "एक पतंग छतों के ऊपर से एक गुप्त संदेश ले आती है",
            ),
            (
                "the school science fair goes hilariously wrong",
                "स्कूल का साइंस फ़ेयर मज़ेदार ढंग से गड़बड़ा जाता है",
            ),
            (
                "a baby elephant wanders into the town market",
                "एक नन्हा हाथी भटककर शहर के बाज़ार में आ जाता है",
            ),
            ("grandpa's old trunk turns out to be magic", "दादाजी का पुराना संदूक जादुई निकलता है"),
            (
                "the summer holidays begin with a mystery next door",
                "गर्मी की छुट्टियाँ पड़ोस के एक रहस्य के साथ शुरू होती हैं",
            ),
        ),
        goals=(
            (
                "help a lost friend find the way home",
                "खोए हुए दोस्त को घर का रास्ता ढूँढने में मदद करनी होगी",
            ),
            ("save the neighbourhood park", "मोहल्ले के पार्क को बचाना होगा"),
            (
                "solve the mystery with a little help from friends",
                "दोस्तों की मदद से रहस्य सुलझाना होगा",
            ),
            (
                "learn that being different is a superpower",
                "सीखना होगा कि अलग होना ही असली सुपरपावर है",
            ),
        ),
        deadlines=(
            ("the holidays end", "छुट्टियाँ ख़त्म होने"),
            ("the school bell rings", "स्कूल की घंटी बजने"),
            ("bedtime", "सोने के वक़्त"),
        ),
        themes=(
            ("friendship, kindness and big adventures", "दोस्ती, दया और बड़े कारनामों"),
            ("courage and curiosity", "हिम्मत और जिज्ञासा"),
        ),
        taglines=(
            (
                "A colourful adventure about {t} for the whole family.",
                "पूरे परिवार के लिए {t} की एक रंग-बिरंगी कहानी।",
            ),
        ),
    ),
    "epic": Story(
        roles=(
            ("royal archer", "शाही तीरंदाज़", "n"),
            ("temple sculptor", "मंदिर के मूर्तिकार", "m"),
            ("exiled prince", "निर्वासित राजकुमार", "m"),
            ("warrior queen", "योद्धा रानी", "f"),
            ("army radio operator", "सेना के रेडियो ऑपरेटर", "m"),
            ("court poet", "दरबारी कवि", "m"),
            ("spy", "जासूस", "n"),
        ),
        events=(
            ("an invading army reaches the river", "एक हमलावर सेना नदी तक आ पहुँचती है"),
            ("the king dies without naming an heir", "राजा बिना उत्तराधिकारी चुने चल बसते हैं"),
            ("a prophecy names an ordinary villager", "एक भविष्यवाणी एक साधारण गाँववाले का नाम लेती है"),
            (
                "a border post goes silent in the middle of winter",
                "कड़ाके की सर्दी में एक सीमा चौकी से संपर्क टूट जाता है",
            ),
            ("a sacred sword is stolen from the temple", "मंदिर से एक पवित्र तलवार चोरी हो जाती है"),
        ),
        goals=(
            ("defend the fort for forty days", "चालीस दिनों तक क़िले की रक्षा करनी होगी"),
            ("unite the warring clans", "आपस में लड़ते क़बीलों को एक करना होगा"),
            ("bring every soldier home", "हर सैनिक को घर वापस लाना होगा"),
            ("fulfil an oath sworn before the gods", "देवताओं के सामने ली गई प्रतिज्ञा पूरी करनी होगी"),
            ("carry the message through enemy lines", "दुश्मन की सीमा पार संदेश पहुँचाना होगा"),
        ),
        deadlines=(
            ("the snows come", "बर्फ़ गिरने"),
            ("the coronation", "राज्याभिषेक"),
            ("the full moon", "पूर्णिमा"),
        ),
        themes=(
            ("honour, sacrifice and the birth of a legend", "सम्मान, बलिदान और एक किंवदंती के जन्म"),
            ("courage in the darkest hour", "सबसे अँधेरी घड़ी में दिखाए गए साहस"),
        ),
        taglines=(
            ("An epic saga of {t}.", "{t} की एक महागाथा।"),
            ("A sweeping story of {t}.", "{t} की एक भव्य कहानी।"),
        ),
    ),
    "life": Story(
        roles=(
            ("village athlete", "गाँव के एथलीट", "m"),
            ("self-taught chess player", "ख़ुद से शतरंज सीखने वाली खिलाड़ी", "f"),
            ("folk singer", "लोक गायिका", "f"),
            ("first-generation entrepreneur", "पहली पीढ़ी के उद्यमी", "m"),
            ("kabaddi coach", "कबड्डी कोच", "n"),
            ("long-distance runner", "लंबी दूरी की धाविका", "f"),
            ("wrestler", "पहलवान", "m"),
        ),
        events=(
            (
                "a coach spots a talent no one else can see",
                "एक कोच ऐसा हुनर पहचान लेता है जो किसी और को नहीं दिखता",
            ),
            ("a single match changes a village's future", "एक मैच पूरे गाँव का भविष्य बदल देता है"),
            ("the national trials are announced", "नेशनल ट्रायल्स का ऐलान होता है"),
            ("an injury threatens to end it all", "एक चोट सब कुछ ख़त्म कर देने का ख़तरा बन जाती है"),
        ),
        goals=(
            ("prove the world wrong", "दुनिया को ग़लत साबित करना होगा"),
            ("make it to the national team", "नेशनल टीम में जगह बनानी होगी"),
            (
                "rise from a dusty akhada to the world stage",
                "धूल भरे अखाड़े से दुनिया के मंच तक पहुँचना होगा",
            ),
            ("train harder than ever", "पहले से कहीं ज़्यादा मेहनत करनी होगी"),
        ),
        deadlines=(
            ("the trials", "ट्रायल्स"),
            ("the championship", "चैंपियनशिप"),
            ("the season ends", "सीज़न ख़त्म होने"),
        ),
        themes=(
            ("grit, sacrifice and glory", "जुझारूपन, त्याग और जीत"),
            ("an unlikely champion", "एक अनोखे चैंपियन"),
        ),
        taglines=(
            ("An inspiring story of {t}.", "{t} की एक प्रेरक कहानी।"),
            ("A true-to-life story of {t}.", "{t} की ज़िंदगी से जुड़ी एक कहानी।"),
        ),
    ),
}

# Synopsis frames. {a_role}: role with "a"/"an"; {role}: role; {place}, {event}, {goal},
# {deadline}, {name}; Hindi frames take the Hindi pieces.
OPENING: Final[tuple[Pair, ...]] = (
    (
        "In {place}, the quiet life of {a_role} is turned upside down when {event}.",
        "{place} में एक {role} की शांत ज़िंदगी तब उलट-पुलट हो जाती है, जब {event}।",
    ),
    (
        "When {event}, nothing in {place} is the same again for {a_role}.",
        "जब {event}, तो {place} में एक {role} के लिए कुछ भी पहले जैसा नहीं रहता।",
    ),
)
NAMED: Final[Pair] = (
    "{Role} {name} must {goal} before {deadline}.",
    "{role} {name} को {deadline} से पहले {goal}।",
)
NOW: Final[Pair] = (
    "Now {name} must {goal} before {deadline}.",
    "अब {name} को {deadline} से पहले {goal}।",
)

# ---------------------------------------------------------------------------------------------
# Documentaries and reality shows.

DOC_SUBJECTS: Final[tuple[Pair, ...]] = (
    (
        "the weavers keeping a 400-year-old craft alive",
        "400 साल पुरानी कारीगरी को ज़िंदा रखने वाले बुनकरों",
    ),
    ("the railway workers who run the night trains", "रात की ट्रेनें चलाने वाले रेलवे कर्मचारियों"),
    ("the street food of a city that never sleeps", "कभी न सोने वाले शहर के स्ट्रीट फ़ूड"),
    (
        "a tiger reserve and the people who live at its edge",
        "एक टाइगर रिज़र्व और उसके किनारे बसे लोगों",
    ),
    ("the musicians of a vanishing folk tradition", "लुप्त होती लोक परंपरा के संगीतकारों"),
    ("the fishermen who read the monsoon", "मॉनसून को पढ़ लेने वाले मछुआरों"),
    ("the women who run a village cricket league", "गाँव की क्रिकेट लीग चलाने वाली महिलाओं"),
    ("a river's journey from glacier to sea", "ग्लेशियर से समंदर तक एक नदी के सफ़र"),
    ("the last single-screen cinemas", "आख़िरी सिंगल-स्क्रीन सिनेमाघरों"),
    ("the spice routes that shaped a coastline", "एक पूरे तट को गढ़ने वाले मसाला मार्गों"),
)
DOC_FRAMES: Final[tuple[Pair, ...]] = (
    (
        "A documentary about {subject}, filmed over {n} years in {place}.",
        "{place} में {n} साल तक फ़िल्माई गई, {subject} पर एक डॉक्यूमेंट्री।",
    ),
    (
        "From {place}, an intimate look at {subject}.",
        "{place} से, {subject} पर एक क़रीबी नज़र।",
    ),
)
DOC_CODAS: Final[tuple[Pair, ...]] = (
    (
        "Told in the voices of the people who lived it.",
        "उन्हीं लोगों की ज़ुबानी, जिन्होंने इसे जिया।",
    ),
    ("Shot across all four seasons.", "चारों मौसमों में फ़िल्माई गई।"),
    ("With never-before-seen archive footage.", "पहले कभी न देखी गई पुरानी फ़ुटेज के साथ।"),
)

REALITY_CONTESTANTS: Final[tuple[Pair, ...]] = (
    ("home cooks", "घरेलू कुक"),
    ("dancers", "डांसर"),
    ("singers", "गायक"),
    ("couples", "जोड़े"),
    ("young comedians", "युवा कॉमेडियन"),
    ("adventurers", "रोमांच के शौक़ीन"),
)
REALITY_PRIZES: Final[tuple[Pair, ...]] = (
    ("a place in the grand finale", "ग्रैंड फ़िनाले में जगह"),
    ("the title and a prize of ₹50 lakh", "ख़िताब और ₹50 लाख के इनाम"),
    ("a record deal", "एक रिकॉर्ड डील"),
    ("a restaurant of their own", "अपने ख़ुद के रेस्टोरेंट"),
)
REALITY_FRAME: Final[Pair] = (
    "{n} {contestants} from across the country compete in {place} for {prize}.",
    "देश भर से आए {n} {contestants} {place} में {prize} के लिए मुक़ाबला करते हैं।",
)
REALITY_CODAS: Final[tuple[Pair, ...]] = (
    ("Every week, someone goes home.", "हर हफ़्ते किसी एक का सफ़र ख़त्म होता है।"),
    (
        "Expect tears, tantrums and a lot of talent.",
        "आँसू, नख़रे और ढेर सारा हुनर — सब कुछ मिलेगा।",
    ),
    ("The judges have seen it all. Or so they think.", "जजों ने सब कुछ देखा है। या ऐसा उन्हें लगता है।"),
)

# ---------------------------------------------------------------------------------------------
# Episodes: titles (translated) and one-line synopses ({name}, {name2}: Hindi gets Devanagari).

EPISODE_TITLES: Final[tuple[Pair, ...]] = (
    ("The Arrival", "आगमन"),
    ("Old Friends", "पुराने दोस्त"),
    ("Night Shift", "नाइट शिफ़्ट"),
    ("The Letter", "चिट्ठी"),
    ("Homecoming", "घर वापसी"),
    ("Crossroads", "दोराहा"),
    ("First Light", "पहली किरण"),
    ("The Offer", "पेशकश"),
    ("Broken Glass", "टूटा काँच"),
    ("Monsoon", "मॉनसून"),
    ("Fault Lines", "दरारें"),
    ("The Deal", "सौदा"),
    ("Secrets", "राज़"),
    ("Last Call", "आख़िरी कॉल"),
    ("The Visitor", "मेहमान"),
    ("Blood and Water", "ख़ून और पानी"),
    ("Into the Storm", "तूफ़ान में"),
    ("Smoke", "धुआँ"),
    ("Small Mercies", "छोटी मेहरबानियाँ"),
    ("The Wedding", "शादी"),
    ("Loose Ends", "अधूरे सिरे"),
    ("Lines in the Sand", "रेत पर लकीरें"),
    ("Second Chances", "दूसरा मौक़ा"),
    ("The Long Night", "लंबी रात"),
    ("Paper Trail", "काग़ज़ी सुराग़"),
    ("Echoes", "गूँज"),
    ("High Tide", "ज्वार"),
    ("Ghosts", "साये"),
    ("Fireworks", "आतिशबाज़ी"),
    ("The Reckoning", "हिसाब"),
    ("Undertow", "भँवर"),
    ("Borrowed Time", "उधार का वक़्त"),
    ("The Inheritance", "विरासत"),
    ("Bridges", "पुल"),
    ("Sleepless", "रतजगा"),
    ("Fever", "बुख़ार"),
    ("The Map", "नक़्शा"),
    ("Dust", "धूल"),
    ("Thunder", "गर्जन"),
    ("Mirrors", "आईने"),
    ("Threads", "धागे"),
    ("Salt", "नमक"),
    ("Sparks", "चिंगारियाँ"),
    ("The Key", "चाबी"),
    ("Masks", "मुखौटे"),
    ("The Return", "वापसी"),
    ("Strangers", "अजनबी"),
    ("Point of No Return", "जहाँ से लौटना मुमकिन नहीं"),
    ("Tea at Four", "चार बजे की चाय"),
    ("Halfway", "आधे रास्ते"),
    ("Checkmate", "शह और मात"),
    ("The Witness", "गवाह"),
    ("Departures", "रवानगी"),
    ("Lanterns", "लालटेनें"),
    ("Clean Slate", "नई शुरुआत"),
    ("The Truth", "सच"),
    ("Aftermath", "उसके बाद"),
    ("Low Tide", "भाटा"),
    ("The Night Market", "रात का बाज़ार"),
    ("Rooftops", "छतें"),
    ("A Quiet Word", "धीमे से एक बात"),
    ("Unfinished Business", "अधूरा काम"),
    ("Ashes", "राख"),
    ("The Verdict", "फ़ैसला"),
)
KIDS_EPISODE_TITLES: Final[tuple[Pair, ...]] = (
    ("The Cardboard Rocket", "गत्ते का रॉकेट"),
    ("Kite Day", "पतंग वाला दिन"),
    ("The Missing Rabbit", "लापता ख़रगोश"),
    ("Rainy Day", "बारिश का दिन"),
    ("The Secret Tunnel", "गुप्त सुरंग"),
    ("Grandma's Recipe", "दादी की रेसिपी"),
    ("The Big Race", "बड़ी रेस"),
    ("Sleepover", "रात भर की मस्ती"),
    ("The Talking Tree", "बोलने वाला पेड़"),
    ("Lost and Found", "खोया-पाया"),
    ("The School Play", "स्कूल का नाटक"),
    ("Mango Season", "आम का मौसम"),
    ("The New Kid", "नया दोस्त"),
    ("Treasure Hunt", "ख़ज़ाने की खोज"),
    ("The Broken Swing", "टूटा झूला"),
    ("Festival of Lights", "रोशनी का त्योहार"),
    ("The Magic Chalk", "जादुई चॉक"),
    ("Picnic Trouble", "पिकनिक में गड़बड़"),
    ("The Moon Mission", "चाँद का मिशन"),
    ("Best Friends Forever", "पक्के दोस्त"),
    ("The Lost Puppy", "खोया हुआ पिल्ला"),
    ("Camping Night", "कैंपिंग की रात"),
    ("The Kindness Club", "दयालुता क्लब"),
    ("Snow in Summer", "गर्मी में बर्फ़"),
)

EPISODE_EVENTS: Final[tuple[Pair, ...]] = (
    (
        "{name} finds a letter that was never meant to be read.",
        "{name} को एक ऐसी चिट्ठी मिलती है जो कभी पढ़ी नहीं जानी थी।",
    ),
    ("A secret from the past catches up with {name}.", "अतीत का एक राज़ {name} के सामने आ जाता है।"),
    ("{name} faces an impossible choice.", "{name} के सामने एक नामुमकिन फ़ैसला है।"),
    (
        "An unexpected guest turns {name}'s plans upside down.",
        "एक अनचाहा मेहमान {name} की सारी योजनाएँ उलट देता है।",
    ),
    ("{name} and {name2} finally talk.", "आख़िरकार {name} और {name2} के बीच बात होती है।"),
    ("A storm traps everyone under one roof.", "एक तूफ़ान सबको एक ही छत के नीचे क़ैद कर देता है।"),
    ("{name}'s lie begins to unravel.", "{name} का झूठ खुलने लगता है।"),
    ("The truth about the night of the fire comes out.", "आग वाली रात का सच सामने आता है।"),
    (
        "{name} gets a call that changes everything.",
        "{name} को एक ऐसा फ़ोन आता है जो सब कुछ बदल देता है।",
    ),
    (
        "{name} cannot refuse the favour {name2} asks.",
        "{name} के लिए {name2} की माँगी मदद ठुकराना मुमकिन नहीं।",
    ),
    ("Old rivals are forced to work together.", "पुराने दुश्मनों को मजबूरन साथ काम करना पड़ता है।"),
    (
        "A lead takes {name} to the edge of the city.",
        "एक सुराग़ {name} को शहर के बाहरी छोर तक ले जाता है।",
    ),
    ("A wedding brings both families face to face.", "एक शादी दोनों परिवारों को आमने-सामने ले आती है।"),
    (
        "{name} discovers who has been watching.",
        "{name} को पता चलता है कि कौन नज़र रख रहा था।",
    ),
    ("Everything {name} built is put at risk.", "{name} की बनाई हर चीज़ ख़तरे में पड़ जाती है।"),
    ("A journey home reopens old wounds.", "घर का सफ़र पुराने ज़ख़्म फिर से हरे कर देता है।"),
    ("For {name}, it is now all or nothing.", "{name} के लिए अब सब कुछ या कुछ भी नहीं।"),
    ("A festival night ends in chaos.", "त्योहार की एक रात हंगामे में ख़त्म होती है।"),
    ("{name} learns the real price of the deal.", "{name} को सौदे की असली क़ीमत का पता चलता है।"),
    (
        "After last night's revelation, nothing is the same.",
        "पिछली रात के ख़ुलासे के बाद कुछ भी पहले जैसा नहीं रहता।",
    ),
    (
        "{name} and {name2} are pushed to breaking point.",
        "{name} और {name2} के सब्र का बाँध टूटने लगता है।",
    ),
    ("A stranger knows {name}'s real name.", "एक अजनबी को {name} का असली नाम पता है।"),
    ("{name2} has a plan. {name} has doubts.", "{name2} के पास एक योजना है। {name} के मन में शक है।"),
)
FINALE_EVENTS: Final[tuple[Pair, ...]] = (
    (
        "Season finale: {name} faces the consequences.",
        "सीज़न फ़िनाले: {name} को अपने किए का नतीजा भुगतना पड़ता है।",
    ),
    (
        "Season finale: {name} and {name2} make their last move.",
        "सीज़न फ़िनाले: {name} और {name2} की आख़िरी चाल।",
    ),
    (
        "Season finale: the truth comes out, at a price.",
        "सीज़न फ़िनाले: सच सामने आता है, पर क़ीमत चुकाकर।",
    ),
)
KIDS_EPISODE_EVENTS: Final[tuple[Pair, ...]] = (
    ("{name}'s cardboard rocket is ready for launch.", "{name} का गत्ते का रॉकेट उड़ान के लिए तैयार है।"),
    (
        "A runaway kite leads {name} on a chase across town.",
        "एक कटी पतंग {name} को पूरे शहर की सैर करा देती है।",
    ),
    ("{name} discovers the joy of sharing.", "{name} को बाँटने का मज़ा समझ आता है।"),
    ("The class rabbit goes missing.", "क्लास का पालतू ख़रगोश ग़ायब हो जाता है।"),
    (
        "A rainy day turns into the best day ever.",
        "बारिश का एक दिन अब तक का सबसे अच्छा दिन बन जाता है।",
    ),
    ("{name} and {name2} find a secret tunnel.", "{name} और {name2} को एक गुप्त सुरंग मिलती है।"),
    ("Grandma's recipe saves the school fair.", "दादी की रेसिपी स्कूल मेले को बचा लेती है।"),
    ("{name} gets a surprise from {name2}.", "{name} को {name2} से एक सरप्राइज़ मिलता है।"),
)
REALITY_EPISODE_EVENTS: Final[tuple[Pair, ...]] = (
    ("The contestants face their first elimination.", "प्रतियोगियों का पहला एलिमिनेशन।"),
    ("A surprise guest judge raises the stakes.", "एक सरप्राइज़ गेस्ट जज से मुक़ाबला और कड़ा हो जाता है।"),
    ("The teams are shuffled.", "टीमें बदल दी जाती हैं।"),
    ("Family week brings tears and cheers.", "फ़ैमिली वीक में आँसू भी और तालियाँ भी।"),
    ("A wildcard entry shakes things up.", "एक वाइल्डकार्ड एंट्री सबको चौंका देती है।"),
    ("The toughest challenge of the season.", "सीज़न की सबसे मुश्किल चुनौती।"),
)
DOC_EPISODE_EVENTS: Final[tuple[Pair, ...]] = (
    ("The journey begins at the source.", "सफ़र की शुरुआत उद्गम से होती है।"),
    (
        "Meet the families who have done this for generations.",
        "उन परिवारों से मिलिए जो पीढ़ियों से यही करते आ रहे हैं।",
    ),
    ("A hard season tests everyone.", "एक मुश्किल मौसम सबकी परीक्षा लेता है।"),
    ("Old skills meet new technology.", "पुराना हुनर नई तकनीक से मिलता है।"),
    ("The festival that brings everyone home.", "वो त्योहार जो सबको घर ले आता है।"),
    ("What the future holds.", "आगे क्या होगा।"),
)
