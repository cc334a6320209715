"""Word lists of the speaker resolver: roles, nouns, pronouns and labels, never people.

Everything is compared in :func:`spacy_quotes.text.norm_word` (or :func:`~spacy_quotes.text.fold`)
form. The role nouns, media nouns and media names are defaults of
:class:`~spacy_quotes.speakers.config.SpeakerResolverConfig`, which a pipeline may replace.
"""
from typing import Dict, FrozenSet, Optional, Tuple

from ..text import NAME_PARTICLES  # noqa: F401  (its one home is text.py; the resolver reads it here)

DEFAULT_ROLE_NOUNS: Tuple[str, ...] = (
    "president", "vice-president", "president-elect", "premier", "minister", "chancellor",
    "secretary", "spokesman", "spokeswoman", "spokesperson", "chairman", "chairwoman",
    "chairperson", "chair", "chief", "ceo", "cfo", "coo", "executive", "director", "governor",
    "mayor", "senator", "congressman", "congresswoman", "lawmaker", "legislator", "ambassador",
    "envoy", "general", "commander", "admiral", "colonel", "king", "queen", "prince",
    "princess", "emir", "sheikh", "sultan", "monarch", "leader", "head", "coach", "manager",
    "captain", "skipper", "judge", "prosecutor", "attorney", "lawyer", "official", "economist",
    "analyst", "strategist", "founder", "owner", "deputy", "adviser", "advisor", "aide",
    "negotiator", "commissioner", "treasurer", "speaker", "pope", "archbishop", "bishop",
    "cardinal", "imam", "rabbi", "scientist", "researcher", "professor", "author", "striker",
    "midfielder", "defender", "goalkeeper", "forward", "player", "driver", "champion", "boss",
    "officer", "diplomat", "representative", "counsel", "inspector", "superintendent",
    "dean", "rector", "principal", "editor", "correspondent", "astronaut", "administrator",
    "regulator", "auditor",
    "investigator", "mediator", "ombudsman", "rapporteur", "delegate", "candidate", "nominee",
    "host", "anchor", "presenter", "columnist", "reporter", "journalist", "commentator",
)
DEFAULT_MEDIA_NOUNS: Tuple[str, ...] = (
    "agency", "news", "newspaper", "broadcaster", "television", "tv", "radio", "channel",
    "daily", "outlet", "website", "magazine", "network", "wire", "newswire", "tabloid",
    "weekly", "paper", "station", "press", "journal", "gazette", "times", "post", "tribune",
)
DEFAULT_MEDIA_NAMES: Tuple[str, ...] = (
    "reuters", "afp", "agence france-presse", "agence france presse", "ap", "associated press",
    "bloomberg", "xinhua", "tass", "ria", "ria novosti", "interfax", "sana", "irna", "isna",
    "fars", "tasnim", "anadolu", "anadolu agency", "yonhap", "kyodo", "kcna", "dpa", "ansa",
    "efe", "pti", "bbc", "cnn", "al jazeera", "al arabiya", "bernama", "antara", "wafa", "trt",
    "nhk", "cctv", "rt", "sky news", "france 24", "dw", "euronews", "ukrinform", "petra",
    "mena", "qna", "spa", "wam", "kuna", "apa", "aa", "upi",
)
HONORIFICS: Dict[str, Optional[str]] = {
    "mr": "m", "mister": "m", "sir": "m", "lord": "m", "monsieur": "m", "herr": "m",
    "mrs": "f", "ms": "f", "miss": "f", "madam": "f", "madame": "f", "dame": "f", "lady": "f",
    "frau": "f", "dr": None, "prof": None, "rev": None, "sen": None, "rep": None, "gen": None,
    "col": None, "lt": None, "capt": None, "sgt": None, "gov": None, "pres": None, "hon": None,
    "justice": None,
}
GENDERED_NOUNS: Dict[str, str] = {
    "spokesman": "m", "spokeswoman": "f", "chairman": "m", "chairwoman": "f",
    "congressman": "m", "congresswoman": "f", "businessman": "m", "businesswoman": "f",
    "king": "m", "queen": "f", "prince": "m", "princess": "f", "emir": "m", "sheikh": "m",
    "sultan": "m", "actress": "f", "sportsman": "m", "sportswoman": "f", "policeman": "m",
    "policewoman": "f", "councilman": "m", "councilwoman": "f", "father": "m", "mother": "f",
    "son": "m", "daughter": "f", "husband": "m", "wife": "f", "brother": "m", "sister": "f",
    "widow": "f", "widower": "m", "man": "m", "woman": "f", "boy": "m", "girl": "f",
    "grandmother": "f", "grandfather": "m", "uncle": "m", "aunt": "f", "nun": "f", "monk": "m",
}
ROLE_SYNONYMS: Dict[str, str] = {
    "spokesman": "spokesperson", "spokeswoman": "spokesperson", "spokesmen": "spokesperson",
    "chairman": "chair", "chairwoman": "chair", "chairperson": "chair",
    "congresswoman": "congressman", "advisor": "adviser", "ceo": "executive",
    "vice-president": "president", "president-elect": "president",
}
PERSON_NOUNS: FrozenSet[str] = frozenset((
    "source", "sources", "official", "officials", "diplomat", "diplomats", "witness",
    "witnesses", "resident", "residents", "person", "people", "man", "woman", "men", "women",
    "expert", "experts", "activist", "activists", "doctor", "doctors", "worker", "workers",
    "employee", "employees", "investor", "investors", "trader", "traders", "banker", "bankers",
    "student", "students", "teacher", "teachers", "fan", "fans", "player", "players", "insider",
    "insiders", "observer", "observers", "critic", "critics", "supporter", "supporters",
    "protester", "protesters", "voter", "voters", "farmer", "farmers", "survivor", "survivors",
    "relative", "relatives", "neighbour", "neighbor", "neighbours", "neighbors", "victim",
    "victims", "colleague", "colleagues", "member", "members", "lawmakers", "analysts",
    "economists", "scientists", "researchers", "officers", "soldier", "soldiers", "rebel",
    "rebels", "militant", "militants", "inhabitant", "inhabitants", "citizen", "citizens",
    "participant", "participants", "organiser", "organisers", "organizer", "organizers",
    "nurse", "nurses", "pilot", "pilots", "passenger", "passengers", "boy", "girl", "child",
    "children", "mother", "father", "family", "friend", "friends", "leaders", "ministers",
))
ORG_NOUNS: FrozenSet[str] = frozenset((
    "ministry", "department", "agency", "office", "company", "firm", "group", "government",
    "army", "military", "police", "party", "bank", "court", "council", "committee",
    "commission", "union", "alliance", "organization", "organisation", "federation",
    "association", "league", "club", "team", "embassy", "administration", "authority",
    "authorities", "regulator", "institute", "university", "hospital", "foundation", "fund",
    "board", "corporation", "corp", "inc", "ltd", "plc", "airline", "parliament", "senate",
    "congress", "cabinet", "coalition", "movement", "house", "kremlin", "service", "services",
    "force", "forces", "navy", "guard", "command", "bureau", "centre", "center", "school",
    "society", "secretariat", "presidency", "assembly", "directorate", "network", "channel",
    "newspaper", "broadcaster", "station", "tribunal", "exchange", "institution",
    "consortium", "cartel", "opec", "nato", "un", "eu", "who", "imf", "regime", "junta",
    "mission", "delegation", "watchdog", "charity", "operator", "maker", "manufacturer",
    "producer", "lender", "insurer", "retailer", "carrier", "giant", "conglomerate",
    "startup", "unit", "subsidiary", "division", "region", "state", "city", "country",
    "automaker", "carmaker", "chipmaker", "drugmaker", "miner", "side", "business", "brand",
    "platform",
))
GENERIC_ORG_NOUNS: FrozenSet[str] = frozenset((
    "company", "firm", "group", "carrier", "airline", "lender", "bank", "insurer", "retailer",
    "maker", "manufacturer", "producer", "giant", "conglomerate", "startup", "operator",
    "automaker", "carmaker", "chipmaker", "drugmaker", "miner", "club", "team", "side",
    "organisation", "organization", "corporation", "business", "brand", "platform",
))
SAY_LEMMAS: FrozenSet[str] = frozenset((
    "say", "tell", "add", "state", "announce", "claim", "insist", "warn", "note", "explain",
    "stress", "argue", "report", "write", "tweet", "post", "declare", "confirm", "deny",
    "reply", "respond", "ask", "suggest", "acknowledge", "admit", "comment", "urge", "vow",
    "pledge", "promise", "predict", "estimate", "quote", "cite", "assert", "contend",
    "emphasise", "emphasize", "maintain", "reiterate", "recall", "describe", "call",
    "accuse", "blame", "criticise", "criticize", "praise", "dismiss", "reject", "agree",
))
IGNORED_MODIFIERS: FrozenSet[str] = frozenset((
    "former", "then", "current", "new", "top", "senior", "incoming", "outgoing", "longtime",
    "long-time", "veteran", "country", "nation", "government", "its", "his", "her", "their",
    "our", "the", "a", "an", "'s", "s", "official", "acting", "powerful", "influential",
    "state",
))
OFFICES: FrozenSet[str] = frozenset((
    "president", "premier", "minister", "chancellor", "secretary", "governor", "mayor",
    "senator", "congressman", "ambassador", "envoy", "king", "queen", "prince", "princess",
    "emir", "sultan", "monarch", "pope", "commissioner", "spokesperson", "chair", "executive",
    "general", "commander", "prosecutor", "judge",
))
PRON_MALE = frozenset(("he", "him", "his", "himself"))
PRON_FEMALE = frozenset(("she", "her", "hers", "herself"))
PRON_IT = frozenset(("it", "its", "itself"))
PRON_THEY = frozenset(("they", "them", "their", "themselves"))
PRON_WE = frozenset(("we", "us", "our", "ourselves"))
PRON_I = frozenset(("i", "me", "my", "myself"))
PRONOUNS = PRON_MALE | PRON_FEMALE | PRON_IT | PRON_THEY | PRON_WE | PRON_I
RELATIVE = frozenset(("who", "which", "that", "whom"))
INDEFINITE = frozenset(("a", "an", "one", "another", "some", "any", "several", "two", "three",
                        "many", "few", "other", "no"))
# entity labels of a name occurrence
NAME_LABELS = frozenset(("PERSON", "ORG", "GPE", "NORP", "FAC", "PRODUCT"))
# words of a name that its acronym and its comparison skip
NAME_STOP = frozenset(("the", "of", "and", "for", "&", "-", "", "de", "la", "del"))
# parts of speech that are never a name
CLOSED_POS = frozenset(("DET", "ADP", "CCONJ", "SCONJ", "AUX", "PART", "PRON", "PUNCT",
                        "SPACE", "NUM", "SYM", "INTJ"))
# what somebody issues rather than who speaks: "according to a tweet by X", "X's statement"
MESSAGE_NOUNS: FrozenSet[str] = frozenset((
    "tweet", "statement", "post", "letter", "release", "communique", "communiqué", "message", "email",
    "e-mail", "interview", "video", "speech", "memo", "announcement", "briefing", "readout",
    "transcript", "filing", "report", "notice", "text",
))
