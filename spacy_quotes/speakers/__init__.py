"""Speaker resolution: from the speaker mention of each quote to a name.

The ``quotes`` component finds, for each quote, a speaker *mention*: ``he``, ``Erdogan``,
``the Turkish president``, ``a source at the Foreign Ministry``. :func:`resolve_speakers`
turns the mentions into names and ids, rule by rule, using only the Doc itself: the base
pipeline's tags, dependency parse, sentence boundaries and entities. No list of people is
used; how a title belongs to a person is learned from the document.

It reads ``doc.spans["quotes"]`` (with the group attrs ``cue``, ``speaker``, ``via``),
``doc.spans["quotes_cue"]`` and ``doc.spans["quotes_speaker"]`` and writes:

* ``speaker_name`` and ``speaker_id`` (lists aligned with ``doc.spans["quotes"]``);
* ``speaker`` for quotes that had none, where a mention can be found: the mention span is
  added to ``doc.spans["quotes_speaker"]`` (the group is re-created with its ``scores``
  extended by the quote's own score);
* ``via`` (index into ``quotes_speaker``) for a medium that relays the quote
  (``SANA quoted a source as saying``, ``..., according to SANA``).

Algorithm
---------
1. **Document index** (once per Doc, linear in its length). Every named entity (PERSON,
   ORG, GPE, NORP, FAC, PRODUCT) and every run of proper nouns the NER missed (with name
   particles: ``Erik ten Hag``) is a *name occurrence*; nominal subjects (``officials``,
   ``the ministry``) are resolved as mentions (step 3) so that pronouns can refer to them.
   Leading determiners and titles are stripped (``the``, ``President``, ``Mr``; not the one
   word left of ``General Motors``), then the name is linked to a *referent*: a name links
   to an earlier one when
   one is contained in the other (``Erdogan`` / ``Tayyip Erdogan`` / ``Recep Tayyip
   Erdogan``: same last word; ``Defence Ministry`` / ``Russian Defence Ministry``: same
   organisation noun), when it is the other's acronym (``UN`` / ``United Nations``), or when
   both spell the same. Comparison is case-, accent- (Unicode NFKD without combining marks)
   and spelling-insensitive (``Defence``/``Defense``); the output keeps the text as written.
   At each occurrence the titles around the name are learned as *descriptors*
   (role noun + modifiers): a title before the name (``Turkish President Recep Tayyip
   Erdogan``, ``Kremlin spokesman Dmitry Peskov``) or an apposition (``Olaf Scholz, the German
   chancellor,`` / ``the German chancellor, Olaf Scholz,``). Each referent collects evidence
   of being a person (PERSON label, role titles, honorifics, ``he``/``she``) or an
   organisation (ORG/GPE labels, organisation nouns such as ``ministry``), and of gender
   (honorifics, ``spokeswoman``, a lone ``he``/``she``/``his``/``her`` in a sentence whose
   only named subject is that person).
2. **A mention per quote**, tried in this order, the first that applies wins:
   a. the mention the model linked (corrected for ``X told Y``: the speaker is X, and for
      ``X quoted Y as saying``: the speaker is Y, relayed by X);
   b. the subject of the linked cue (``said X``, ``X added``, ``according to X``, the
      passive ``X was quoted by M as saying``, a relative ``X, who said``);
   c. the speaker before a colon (``Scholz told reporters: "..."``, ``Scholz: "..."``);
   d. a continuation: the previous quote ends right before this one with nothing but its own
      cue and speaker in between (a split quote ``"A," she said, "B."`` or the next quote
      paragraph): same speaker;
   e. the subject of the quote's own sentence, outside the quote (``Scholz called it "a
      disaster"``), then the subject of the sentence before a quote that opens its sentence;
   f. a continuation within ``max_sentences_back`` sentences of the previous quote.
3. **Mention to referent**, quotes in document order:
   * a pronoun: the most recent compatible referent within ``max_sentences_back`` sentences
     that was quoted or named as a subject (else the most recent compatible one);
     ``he``/``she``: a person of that gender or of unknown gender; ``it``: an organisation;
     ``they``/``we``: an organisation, a group or a plural. The choice feeds the evidence
     back (a referent called ``she`` is a woman from then on);
   * a name (``Scholz``, ``state news agency SANA`` -> ``SANA``, ``the Kremlin``) links as in
     step 1;
   * a definite title (``the German chancellor``, ``Turkey's president``, ``the spokesman``):
     the referent whose learned descriptor has the same role and no conflicting modifier
     (``Turkish`` and ``Turkey`` agree, ``Russian`` and ``Turkish`` do not), the most
     recently mentioned first;
   * a definite epithet (``the 21-year-old``, ``the Dutchman``), or a definite title the
     document gave nobody (``the Portuguese midfielder``): the person who was subject or
     speaker in this or the previous sentence, unless that person holds another public office
     (``the minister`` is not the chancellor);
   * a definite organisation noun (``the ministry``, ``the agency``): the most recent
     organisation with that noun in its name or description; a generic one (``the company``,
     ``the club``): the organisation last quoted or named as a subject;
   * a coordination (``Huang and Cook``): a group whose name joins its members' names;
   * anything else (``a source at the Foreign Ministry``, ``officials``, an indefinite
     ``a spokesman``) stays a *description*: its text as written is the name, and a later
     ``the source`` links to it.
4. **Via**: a medium (a name or noun phrase with a media noun such as ``agency`` or a known
   media name) that relays the quote: ``M quoted Y as saying``, ``Y was quoted by M as
   saying`` and ``according to M`` when somebody else speaks in the sentence. ``X told M``
   is no relay: M only listened. Continuations inherit the medium.
5. **Names and ids**: ``speaker_name`` is the most informative variant (the longest name for
   a person or organisation, the first description for an unnamed source), written as in the
   text; ``speaker_id`` is that name, made unique per referent within the document, so every
   quote of one speaker has the same id. An unresolvable mention (a lone ``I``, a pronoun
   with no antecedent) gives None.

Everything is computed from precomputed arrays, sorted offset lists and bisect, so a document
costs O(n_tokens + n_quotes * window), not O(n_quotes * n_tokens).
"""
import bisect
import logging
import unicodedata
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import numpy
from spacy.tokens import Doc, Span, SpanGroup, Token

from ..docarrays import paragraph_breaks
from ..quote import CUE_KEY, QUOTES_KEY, SPEAKER_KEY

logger = logging.getLogger("spacy_quotes")

# ---- word lists (roles and nouns, never people) ------------------------------------------

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
NAME_PARTICLES = frozenset(("van", "von", "de", "der", "den", "ten", "ter", "da", "di", "du", "le",
                            "la", "al", "bin", "ibn", "el", "dos", "das", "del", "della", "zu"))
NAME_LABELS = frozenset(("PERSON", "ORG", "GPE", "NORP", "FAC", "PRODUCT"))
_NAME_STOP = frozenset(("the", "of", "and", "for", "&", "-", "", "de", "la", "del"))
_CLOSED_POS = frozenset(("DET", "ADP", "CCONJ", "SCONJ", "AUX", "PART", "PRON", "PUNCT",
                         "SPACE", "NUM", "SYM", "INTJ"))
_SPELLING: Dict[str, str] = {
    "defence": "defense", "offence": "offense", "organisation": "organization",
    "organisations": "organizations", "programme": "program", "centre": "center",
    "labour": "labor", "licence": "license", "councillor": "councilor", "armour": "armor",
    "honour": "honor", "favour": "favor", "harbour": "harbor", "neighbour": "neighbor",
    "theatre": "theater", "judgement": "judgment", "catalogue": "catalog",
}
_FOLD_EXTRA = str.maketrans({
    "ı": "i", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "æ": "ae",
    "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "\u2019": "'", "\u2018": "'", "ʼ": "'",
})
_QUOTE_CHARS = frozenset("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u201a\u201f\u201b\u2039\u203a`")


# Label of the speaker mentions the resolver adds (context, previous sentence, colon, ...), as
# opposed to the mentions the tagger found ("SPEAKER"): the per-role scores count the latter.
RESOLVED_LABEL = "RESOLVED"
# what somebody issues rather than who speaks: "according to a tweet by X", "X's statement"
MESSAGE_NOUNS: FrozenSet[str] = frozenset((
    "tweet", "statement", "post", "letter", "release", "communique", "communiqué", "message", "email",
    "e-mail", "interview", "video", "speech", "memo", "announcement", "briefing", "readout",
    "transcript", "filing", "report", "notice", "text",
))


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and accent-insensitive form of a text (NFKD without combining marks, casefolded).

    text (str): the text.
    RETURNS (str): the folded text.
    """
    text = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=65536)
def norm_word(text: str) -> str:
    """The form of a word used to compare names: folded, without possessive ``'s`` and dots,
    British spellings mapped to American ones (``Defence`` -> ``defense``).

    text (str): one token's text.
    RETURNS (str): the normalised word.
    """
    word = fold(text)
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'").replace(".", "")
    return _SPELLING.get(word, word)


def _demonym_match(a: str, b: str) -> bool:
    """Two modifiers agree: the same word, or a shared stem (``turkish``/``turkey``)."""
    if a == b:
        return True
    n = min(len(a), len(b))
    if n < 4:
        return False
    k = 0
    while k < n and a[k] == b[k]:
        k += 1
    return k >= 4 and k >= 0.6 * n


@dataclass
class SpeakerResolverConfig:
    """Settings of the speaker resolver (the ``speaker_config`` of the ``quotes`` component).

    enabled (bool): resolve mentions to names; False only copies each mention's text into
        ``speaker_name`` and ``speaker_id``.
    max_sentences_back (int): how many sentences back a pronoun may find its antecedent and a
        quote without speaker may continue the previous quote.
    inherit_continuations (bool): a quote with no cue and no speaker right after a quote takes
        that quote's speaker (split quotes, quote paragraphs).
    speaker_from_cue (bool): take the subject of the linked cue when the model linked no speaker.
    speaker_before_colon (bool): take the speaker before a colon that opens the quote.
    speaker_from_context (bool): take the subject of the quote's sentence, or of the sentence
        before a quote that opens its sentence.
    resolve_pronouns (bool): resolve ``he``, ``she``, ``it``, ``they`` to a referent.
    link_titles (bool): resolve definite titles (``the German chancellor``) to the named
        person the document gave that title.
    detect_via (bool): record relaying media in ``via``.
    role_nouns (List[str]): title words (``president``, ``spokesman``, ...).
    media_nouns (List[str]): nouns that make a phrase a medium (``agency``, ``newspaper``).
    media_names (List[str]): names of media (``Reuters``, ``SANA``), compared case- and
        accent-insensitively.
    """

    enabled: bool = True
    max_sentences_back: int = 6
    inherit_continuations: bool = True
    speaker_from_cue: bool = True
    speaker_before_colon: bool = True
    speaker_from_context: bool = True
    resolve_pronouns: bool = True
    link_titles: bool = True
    detect_via: bool = True
    role_nouns: List[str] = field(default_factory=lambda: list(DEFAULT_ROLE_NOUNS))
    media_nouns: List[str] = field(default_factory=lambda: list(DEFAULT_MEDIA_NOUNS))
    media_names: List[str] = field(default_factory=lambda: list(DEFAULT_MEDIA_NAMES))

    def __post_init__(self) -> None:
        if not isinstance(self.max_sentences_back, int) or self.max_sentences_back < 0:
            raise ValueError(
                f"speaker_config: max_sentences_back must be an int >= 0, got {self.max_sentences_back!r}")
        for name in ("role_nouns", "media_nouns", "media_names"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, Iterable):
                raise ValueError(f"speaker_config: {name} must be a list of strings, got {value!r}")
        self._roles = frozenset(norm_word(w) for w in self.role_nouns)
        self._media_nouns = frozenset(norm_word(w) for w in self.media_nouns)
        self._media_names = frozenset(" ".join(norm_word(p) for p in w.split()) for w in self.media_names)

    @classmethod
    def from_dict(cls, cfg: Optional[Dict[str, Any]]) -> "SpeakerResolverConfig":
        """Build a config from a dict (the component's ``speaker_config``), naming unknown keys.

        cfg (Optional[Dict[str, Any]]): the settings.
        RETURNS (SpeakerResolverConfig): the config.
        """
        cfg = dict(cfg or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(cfg) - known)
        if unknown:
            raise ValueError(f"speaker_config: unknown setting(s) {unknown}; known: {sorted(known)}")
        return cls(**cfg)


# ---- referents ---------------------------------------------------------------------------

class _Referent:
    """A speaker the document talks about: a named person or organisation, a description
    (an unnamed source) or a group of referents (``Scholz and Macron``)."""

    __slots__ = ("rid", "variants", "norms", "acronyms", "person", "org", "male", "female",
                 "positions", "description", "head", "plural", "members", "medium")

    def __init__(self, rid: int) -> None:
        self.rid = rid
        self.variants: List[Tuple[str, Tuple[str, ...]]] = []  # (text as written, norm tokens)
        self.norms: Set[Tuple[str, ...]] = set()
        self.acronyms: Set[str] = set()
        self.person = 0.0
        self.org = 0.0
        self.male = 0
        self.female = 0
        self.positions: List[int] = []  # token offsets of its mentions, sorted
        self.description = False
        self.head = ""  # the head noun of a description
        self.plural = False
        self.members: Tuple[int, ...] = ()
        self.medium = False

    @property
    def gender(self) -> Optional[str]:
        if self.male > self.female:
            return "m"
        if self.female > self.male:
            return "f"
        return None

    @property
    def margin(self) -> float:
        """RETURNS (float): person evidence minus organisation evidence."""
        return self.person - self.org

    def add_position(self, pos: int) -> None:
        if not self.positions or pos >= self.positions[-1]:
            if not self.positions or pos != self.positions[-1]:
                self.positions.append(pos)
        else:
            i = bisect.bisect_left(self.positions, pos)
            if i >= len(self.positions) or self.positions[i] != pos:
                self.positions.insert(i, pos)

    def last_before(self, pos: int) -> int:
        """RETURNS (int): the last mention offset before pos, or -1."""
        i = bisect.bisect_left(self.positions, pos)
        return self.positions[i - 1] if i > 0 else -1

    def name(self) -> Optional[str]:
        if not self.variants:
            return None
        if self.description:
            return self.variants[0][0]
        best = max(self.variants, key=lambda v: (len(v[1]), len(v[0])))
        return best[0]


def _subsumes(small: Tuple[str, ...], big: Tuple[str, ...], org_nouns: FrozenSet[str]) -> bool:
    """One name is a variant of another: its words are all in the other, with the same last
    word (a surname) or a shared organisation noun (``Defence Ministry`` in ``Ministry of
    Defence``)."""
    if not small or not big or not set(small) <= set(big):
        return False
    if small[-1] == big[-1]:
        return True
    return any(w in org_nouns for w in small)


def _initials(texts: Sequence[str]) -> str:
    return "".join(t[0] for t in texts if t and t[0].isupper() and fold(t) not in _NAME_STOP).lower()


@dataclass
class _Info:
    """What a mention is."""

    kind: str  # pronoun | name | role | orgnoun | epithet | description | coord | none
    head: Optional[Token] = None
    start: int = 0  # name range (token offsets) for kind == name
    end: int = 0
    role: str = ""
    mods: FrozenSet[str] = frozenset()
    definite: bool = False
    plural: bool = False
    gender: Optional[str] = None
    parts: Tuple[Tuple[int, int], ...] = ()


@dataclass
class _QState:
    """The working state of one quote."""

    index: int  # index in doc.spans["quotes"]
    start: int
    end: int
    cue: int
    speaker: int
    via: int
    score: float
    rid: Optional[int] = None


class _Resolver:
    """Resolution state for one Doc (see the module docstring for the algorithm)."""

    def __init__(self, doc: Doc, cfg: SpeakerResolverConfig, quotations: Optional[Sequence[Any]] = None) -> None:
        self.doc = doc
        self.text = doc.text  # Doc.text joins every token: compute it once
        self.quotations = quotations
        self.cfg = cfg
        self.roles: FrozenSet[str] = cfg._roles  # type: ignore[attr-defined]
        self.media_nouns: FrozenSet[str] = cfg._media_nouns  # type: ignore[attr-defined]
        self.media_names: FrozenSet[str] = cfg._media_names  # type: ignore[attr-defined]
        self.n = len(doc)
        self.refs: List[_Referent] = []
        self.by_word: Dict[str, List[int]] = {}
        self.by_acronym: Dict[str, int] = {}
        self.pending_acronyms: Dict[str, int] = {}
        # role -> referent -> the distinct modifier sets it was given with that role
        self.role_index: Dict[str, Dict[int, Set[FrozenSet[str]]]] = {}
        self.roles_of: Dict[int, Set[str]] = {}
        self.org_head_index: Dict[str, List[int]] = {}
        self.descriptions: Dict[str, int] = {}
        self.learned: Set[Tuple[int, int]] = set()
        self.learned_titles: Set[Tuple[int, int]] = set()
        self.lower_array: Optional[numpy.ndarray] = None
        # salience events: (token offset, referent, flags) flags: 1 subject, 2 quoted speaker
        self.ev_pos: List[int] = []
        self.ev: List[Tuple[int, int]] = []
        self._deferred: Optional[List[Tuple[int, int, int]]] = []
        self._index_sentences()
        self._index_entities()

    # ---- document index ---------------------------------------------------------------

    def _index_sentences(self) -> None:
        doc = self.doc
        if self.n and (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
            self.sent_starts = [s.start for s in doc.sents]
        else:
            self.sent_starts = [0]
        self.sent_ends = self.sent_starts[1:] + [self.n]
        self.in_quote = bytearray(self.n)
        # tokens inside quotation marks: the quoted words themselves, as opposed to the
        # reporter's paraphrase in an indirect quote
        from ..marks import find_quotations, quote_state

        if self.n:
            quotations = self.quotations if self.quotations is not None else find_quotations(self.text)
            self.in_marks = bytes((quote_state(doc, quotations) != 0).astype(numpy.uint8))
        else:
            self.in_marks = b""
        # paragraph breaks before each token: _breaks_between in constant time
        self.n_breaks_before = numpy.concatenate(([0], numpy.cumsum(paragraph_breaks(doc)))).tolist()

    def sent_of(self, i: int) -> int:
        return max(0, bisect.bisect_right(self.sent_starts, i) - 1)

    def mark_quotes(self, quotes: List[_QState]) -> None:
        for q in quotes:
            self.in_quote[q.start:q.end] = b"\x01" * (q.end - q.start)

    def _index_entities(self) -> None:
        doc = self.doc
        self.ents = [e for e in doc.ents if e.label_ in NAME_LABELS]
        self.ent_starts = [e.start for e in self.ents]

    def build(self) -> None:
        """Step 1: name occurrences, referents, descriptors and evidence (linear pass)."""
        doc = self.doc
        covered = bytearray(self.n)
        ents = self.ents
        for k, ent in enumerate(ents):
            covered[ent.start:ent.end] = b"\x01" * len(ent)
            if ent.label_ in ("NORP", "GPE") and (
                ent.root.pos_ == "ADJ" or ent.root.dep_ == "amod"
                or (ent.label_ == "NORP" and ent.root.dep_ == "compound")
            ):
                continue  # a demonym modifying a noun ("Turkish", "Russian"), not a name
            start = ent.start
            if ent.label_ == "PERSON":
                # a first name the NER left out ("Recep" + "Tayyip Erdogan"): a capitalised
                # proper noun compounding into the name, itself in no entity and no title
                while start > 0 and self._extends_person(doc[start - 1], ent):
                    start -= 1
                    covered[start] = 1
            if ent.label_ == "ORG" and k > 0:
                before = ents[k - 1]
                # "Russian" + "Defence Ministry" -> "Russian Defence Ministry"
                if before.label_ == "NORP" and before.end == ent.start and ent.start <= before.root.head.i < ent.end:
                    start = before.start
            a, b = self._strip_name(start, ent.end, ent.label_)
            if a >= b:
                continue
            self._occurrence(a, b, ent.label_)
        # proper-noun subjects the NER missed, then nominal subjects ("officials", "the
        # ministry", "the German chancellor"); token attributes are read through arrays
        arr = doc.to_array(["DEP", "LOWER", "TAG", "ENT_TYPE"]) if self.n else None
        strings = doc.vocab.strings
        if arr is not None:
            subj_ids = numpy.asarray([strings["nsubj"], strings["nsubjpass"]], dtype=arr.dtype)
            is_subject = numpy.isin(arr[:, 0], subj_ids)
            proper = numpy.isin(arr[:, 2], numpy.asarray([strings["NNP"], strings["NNPS"]], dtype=arr.dtype))
            proper &= arr[:, 3] == 0  # in no entity at all
            candidates = numpy.nonzero(is_subject | proper)[0].tolist()
        else:
            is_subject = None
            candidates = []
        nominal: List[Token] = []
        done_to = -1
        for i in candidates:
            if covered[i]:
                continue
            tok = doc[i]
            if self._is_name_token(tok):
                if i < done_to:
                    continue
                s = self.sent_of(i)
                a, b = self._name_run(tok, self.sent_starts[s], self.sent_ends[s])
                done_to = b
                if any(covered[a:b]) and not is_subject[i]:
                    continue
                a, b = self._strip_name(a, b)
                if a < b and (a, b) not in self.learned:
                    self._occurrence(a, b, None)
            elif is_subject is not None and is_subject[i] and not self.in_quote[i] and fold(tok.text) not in PRONOUNS:
                nominal.append(tok)
        self._flush_events()
        for tok in nominal:
            w = norm_word(tok.lemma_ or tok.text)
            if w in PERSON_NOUNS or w in ORG_NOUNS or w in self.media_nouns or self._role_word(tok):
                rid = self.resolve(self.mention_span(tok))
                if rid is not None:
                    self._add_event(tok.i, rid, 1)
        self.lower_array = arr[:, 1] if arr is not None else None
        self._gender_from_pronouns()

    def _occurrence(self, a: int, b: int, label: Optional[str]) -> Optional[int]:
        """Link one name occurrence [a, b) and learn from its context."""
        if (a, b) in self.learned:
            return self._link(a, b, create=True)
        self.learned.add((a, b))
        rid = self._link(a, b, create=True)
        if rid is None:
            return None
        ref = self.refs[rid]
        if label == "PERSON":
            ref.person += 1.0
        elif label is not None:
            ref.org += 1.0
        self._learn_context(a, b, rid)
        root = self._range_root(a, b)
        if not self.in_marks[a] and root.dep_ not in ("compound", "amod", "poss", "nmod"):
            # a name in a reported clause ("according to a source, X held talks") is as
            # salient as one outside any quote; inside quotation marks it is not
            flags = 1 if root.dep_ in ("nsubj", "nsubjpass") else 0
            self._add_event(a, rid, flags)
        elif self.in_quote[a] and root.dep_ == "nsubj" and root.head.lemma_ in SAY_LEMMAS and root.head.pos_ == "VERB":
            # somebody who speaks inside a quote ("..., with spokesman X saying ...") is as
            # salient for a later "he" as a subject outside it
            self._add_event(a, rid, 1)
        return rid

    def _add_event(self, pos: int, rid: int, flags: int) -> None:
        if self._deferred is not None:
            self._deferred.append((pos, rid, flags))
            return
        if not self.ev_pos or pos >= self.ev_pos[-1]:
            self.ev_pos.append(pos)
            self.ev.append((rid, flags))
            return
        i = bisect.bisect_right(self.ev_pos, pos)
        self.ev_pos.insert(i, pos)
        self.ev.insert(i, (rid, flags))

    def _flush_events(self) -> None:
        """Sort the events collected during the pre-pass into the salience index."""
        if self._deferred is None:
            return
        events = sorted(self._deferred, key=lambda e: e[0])
        self._deferred = None
        self.ev_pos = [e[0] for e in events]
        self.ev = [(e[1], e[2]) for e in events]

    # ---- names --------------------------------------------------------------------------

    def _is_name_token(self, t: Token) -> bool:
        if not t.text or t.pos_ in _CLOSED_POS or t.tag_ == "POS" or t.is_punct:
            return False
        if fold(t.text) in PRONOUNS:
            return False
        if t.tag_ in ("NNP", "NNPS") or t.ent_type_ in NAME_LABELS:
            return True
        if not t.text[0].isupper():
            return False
        if t.is_upper and len(t.text) >= 2 and any(c.isalpha() for c in t.text):
            return True
        if t.is_title and t.is_alpha:
            low = norm_word(t.lemma_ or t.text)
            prev = self.doc[t.i - 1] if t.i > 0 else None
            if t.is_sent_start or (prev is not None and (prev.is_quote or prev.is_space)):
                # a capital only because the word opens a sentence or a quote
                if t.pos_ in ("VERB", "ADJ", "ADV") and t.tag_ != "RB":
                    return False
                if low in PERSON_NOUNS or low in ORG_NOUNS or low in self.roles or t.tag_ == "NNS":
                    return False
            return t.pos_ not in ("VERB",)
        return False

    def _extends_person(self, t: Token, ent: Span) -> bool:
        """Whether ``t``, just before the PERSON entity ``ent``, is a part of the name that the
        NER left out."""
        return (t.tag_ in ("NNP", "NNPS") and not t.ent_type_ and t.dep_ == "compound"
                and ent.start <= t.head.i < ent.end and t.is_title and t.is_alpha
                and not self._is_title_word(t) and fold(t.text) not in PRONOUNS
                and norm_word(t.text) not in ORG_NOUNS and norm_word(t.text) not in PERSON_NOUNS)

    def _is_title_word(self, t: Token) -> bool:
        w = norm_word(t.text)
        return w in self.roles or w in HONORIFICS

    def _strip_name(self, a: int, b: int, label: Optional[str] = None) -> Tuple[int, int]:
        """Strip determiners, titles and possessive markers from a name range. In an
        organisation's name a title word stays when one word would be left (``General
        Motors``)."""
        doc = self.doc
        while a < b and (doc[a].pos_ in ("DET", "PUNCT") or doc[a].tag_ == "POS" or fold(doc[a].text) == "the"):
            a += 1
        while b > a and (doc[b - 1].tag_ == "POS" or doc[b - 1].is_punct or doc[b - 1].is_space):
            b -= 1
        j = a
        for i in range(a, b - 1):
            if self._is_title_word(doc[i]):
                j = i + 1
        if j > a and not (label in ("ORG", "FAC", "PRODUCT") and b - j < 2):
            a = j
            while a < b and (doc[a].is_punct or fold(doc[a].text) in ("of", "the")):
                a += 1
        while b - a >= 2 and doc[b - 1].ent_type_ in ("DATE", "TIME"):
            b -= 1  # "Damascus yesterday"
        # "Turkish Recep Tayyip Erdogan": a nationality before a person's name is no part of it
        # (also where the NER missed the person: the rest is all proper nouns, none an
        # organisation word, as in "Turkish Recep Tayyip Erdogan" but not "Russian Defence Ministry")
        while b - a >= 2 and doc[a].ent_type_ == "NORP" and label not in ("ORG", "FAC", "PRODUCT") and (
            doc[a + 1].ent_type_ == "PERSON"
            or all(t.tag_ == "NNP" and not t.ent_type_ and norm_word(t.text) not in ORG_NOUNS
                   for t in doc[a + 1:b])
        ):
            a += 1
        # "Secretary of State Antony Blinken": drop "State" after "<role> of"
        if b - a >= 3 and a >= 2 and fold(doc[a - 1].text) == "of" and self._is_title_word(doc[a - 2]):
            a += 1
        return a, b

    def _name_run(self, tok: Token, lo: int, hi: int) -> Tuple[int, int]:
        """The contiguous name tokens around tok, within [lo, hi)."""
        doc = self.doc
        a = tok.i
        while a - 1 >= lo and (self._is_name_token(doc[a - 1]) or (
                a - 2 >= lo and fold(doc[a - 1].text) in NAME_PARTICLES and self._is_name_token(doc[a - 2]))):
            a -= 1
        b = tok.i + 1
        while b < hi and (self._is_name_token(doc[b]) or (
                b + 1 < hi and fold(doc[b].text) in NAME_PARTICLES and self._is_name_token(doc[b + 1]))):
            b += 1
        return a, b

    def _norms(self, a: int, b: int) -> Tuple[str, ...]:
        return tuple(w for w in (norm_word(t.text) for t in self.doc[a:b]) if w not in _NAME_STOP)

    def _text(self, a: int, b: int) -> str:
        doc = self.doc
        text = self.text[doc[a].idx:doc[b - 1].idx + len(doc[b - 1].text)]
        for suffix in ("'s", "\u2019s"):
            if text.endswith(suffix) and len(text) > len(suffix):
                text = text[: -len(suffix)]
        return " ".join(text.split())

    def _range_root(self, a: int, b: int) -> Token:
        doc = self.doc
        for i in range(b - 1, a - 1, -1):
            h = doc[i].head.i
            if h < a or h >= b or h == i:
                return doc[i]
        return doc[b - 1]

    def _new_ref(self) -> _Referent:
        ref = _Referent(len(self.refs))
        self.refs.append(ref)
        return ref

    def _compatible(self, norm: Tuple[str, ...], ref: _Referent) -> bool:
        if ref.description or ref.members:
            return False
        if not ref.norms:
            return False
        return all(_subsumes(norm, v, ORG_NOUNS) or _subsumes(v, norm, ORG_NOUNS) for v in ref.norms)

    def _pick_recent(self, rids: Iterable[int], pos: int) -> Optional[int]:
        best, best_key = None, None
        for rid in rids:
            ref = self.refs[rid]
            last = ref.last_before(pos)
            key = (1, last) if last >= 0 else (0, -(ref.positions[0] if ref.positions else self.n))
            if best_key is None or key > best_key:
                best, best_key = rid, key
        return best

    def _link(self, a: int, b: int, create: bool = True) -> Optional[int]:
        """Link the name [a, b) to a referent (step 1 rules), adding it as a variant."""
        norm = self._norms(a, b)
        if not norm:
            return None
        texts = [t.text for t in self.doc[a:b]]
        single_acronym = len(norm) == 1 and texts[-1].isupper() and 2 <= len(norm[0]) <= 6
        cands: Set[int] = set()
        for w in norm:
            cands.update(self.by_word.get(w, ()))
        compatible = [r for r in cands if norm in self.refs[r].norms or self._compatible(norm, self.refs[r])]
        rid: Optional[int] = None
        if compatible:
            exact = [r for r in compatible if norm in self.refs[r].norms]
            rid = self._pick_recent(exact or compatible, a)
        elif single_acronym and norm[0] in self.by_acronym:
            rid = self.by_acronym[norm[0]]
            ref = self.refs[rid]
            ref.acronyms.add(norm[0])
            ref.add_position(a)
            return rid
        elif len(norm) >= 2 and _initials(texts) in self.pending_acronyms:
            rid = self.pending_acronyms.pop(_initials(texts))
        if rid is None:
            if not create:
                return None
            rid = self._new_ref().rid
        ref = self.refs[rid]
        if norm not in ref.norms:
            ref.norms.add(norm)
            ref.variants.append((self._text(a, b), norm))
            for w in norm:
                lst = self.by_word.setdefault(w, [])
                if not lst or lst[-1] != rid:
                    if rid not in lst:
                        lst.append(rid)
            org_words = [w for w in norm if w in ORG_NOUNS]
            if org_words:
                ref.org += 3.0
                for w in org_words:
                    self.org_head_index.setdefault(w, []).append(rid)
            if " ".join(norm) in self.media_names:
                ref.medium = True
                ref.org += 2.0
            if len(norm) >= 2:
                ini = _initials(texts)
                if len(ini) >= 2:
                    self.by_acronym.setdefault(ini, rid)
            elif single_acronym:
                self.pending_acronyms.setdefault(norm[0], rid)
        ref.add_position(a)
        return rid

    # ---- descriptors (titles learned from the document) -----------------------------------

    def _role_word(self, t: Token) -> Optional[str]:
        w = norm_word(t.text)
        if w not in self.roles:
            w = norm_word(t.lemma_) if t.lemma_ else w
            if w not in self.roles:
                return None
        if w == "officer" and t.i > 0 and norm_word(self.doc[t.i - 1].text) == "executive":
            w = "executive"
        return ROLE_SYNONYMS.get(w, w)

    def _mod_words(self, toks: Iterable[Token], skip: Optional[Token] = None) -> FrozenSet[str]:
        out = set()
        for t in toks:
            if t is skip or t.pos_ in ("DET", "ADP", "PUNCT", "CCONJ", "PRON", "SPACE") or t.tag_ == "POS":
                continue
            w = norm_word(t.text)
            if w and w not in IGNORED_MODIFIERS and w not in HONORIFICS:
                out.add(w)
        return frozenset(out)

    def _np_tokens(self, head: Token, exclude: Tuple[int, int], depth: int = 3) -> List[Token]:
        """Modifier tokens of a noun phrase (compounds, adjectives, possessives, PPs)."""
        out: List[Token] = []
        stack = [(head, 0)]
        while stack:
            t, d = stack.pop()
            for c in t.children:
                if exclude[0] <= c.i < exclude[1] or d >= depth:
                    continue
                if c.dep_ in ("compound", "amod", "poss", "nmod", "npadvmod", "prep", "pobj", "case", "nummod"):
                    out.append(c)
                    stack.append((c, d + 1))
        return out

    def _learn_context(self, a: int, b: int, rid: int) -> None:
        """Learn titles before the name and in apposition, honorifics and organisation nouns."""
        doc = self.doc
        ref = self.refs[rid]
        sent_start = self.sent_starts[self.sent_of(a)]
        # titles before the name: walk left over the noun phrase's pre-modifiers
        i = a - 1
        lo = max(sent_start, a - 10)
        while i >= lo:
            t = doc[i]
            if t.is_punct or t.is_space or t.pos_ in ("DET", "VERB", "AUX", "ADP", "CCONJ", "SCONJ", "PRON"):
                break
            if t.tag_ == "POS" or t.dep_ == "case" or t.head.i > t.i:
                i -= 1
                continue
            break
        pre = doc[i + 1:a]
        if len(pre):
            self._learn_title(list(pre), ref)
        # apposition after the name ("Scholz, the German chancellor,") or before it
        # (not across a paragraph break: a caption the parser joined to the next paragraph)
        root = self._range_root(a, b)
        for c in root.children:
            if c.dep_ == "appos" and c.i >= b and not self._breaks_between(b, c.i):
                self._learn_np(c, (a, b), ref)
        if root.dep_ == "appos" and root.head.i < a and not self._breaks_between(root.head.i, a):
            self._learn_np(root.head, (a, b), ref)
        elif (root.head.dep_ == "appos" and root.head.i >= b and root.dep_ == "compound"
              and not self._breaks_between(b, root.head.i)):
            self._learn_np(root.head, (a, b), ref)

    def _breaks_between(self, i: int, j: int) -> bool:
        """A paragraph break (a whitespace token with a newline) lies in [i, j)."""
        lo, hi = min(i, j), max(i, j)
        return self.n_breaks_before[hi] > self.n_breaks_before[lo]

    def _learn_title(self, pre: List[Token], ref: _Referent) -> None:
        """Learn from the words before a name: honorifics (gender), a title (descriptor) or a
        media noun (``news agency SANA``)."""
        role_i = -1
        for k, t in enumerate(pre):
            w = norm_word(t.text)
            if w in HONORIFICS:
                g = HONORIFICS[w]
                ref.person += 3.0
                if g == "m":
                    ref.male += 2
                elif g == "f":
                    ref.female += 2
            if self._role_word(t):
                role_i = k
        if role_i >= 0:
            head = pre[role_i]
            role = self._role_word(head)
            g = GENDERED_NOUNS.get(norm_word(head.text))
            if g == "m":
                ref.male += 2
            elif g == "f":
                ref.female += 2
            mods = self._mod_words(pre, skip=head)
            self._add_descriptor(ref, role or "", mods)
        else:
            for t in pre:
                w = norm_word(t.text)
                if w in self.media_nouns:
                    ref.medium = True
                    ref.org += 2.0
                    self.org_head_index.setdefault(w, []).append(ref.rid)

    def _learn_np(self, head: Token, exclude: Tuple[int, int], ref: _Referent) -> None:
        """Learn from a noun phrase in apposition: a title (descriptor) or an organisation noun."""
        role = self._role_word(head)
        w = norm_word(head.text)
        if role and head.tag_ not in ("NNS", "NNPS"):
            mods = self._mod_words(self._np_tokens(head, exclude), skip=head)
            g = GENDERED_NOUNS.get(w)
            if g == "m":
                ref.male += 2
            elif g == "f":
                ref.female += 2
            self._add_descriptor(ref, role, mods)
        elif w in self.media_nouns or w in ORG_NOUNS:
            ref.org += 2.0
            if w in self.media_nouns:
                ref.medium = True
            self.org_head_index.setdefault(w, []).append(ref.rid)

    def _add_descriptor(self, ref: _Referent, role: str, mods: FrozenSet[str]) -> None:
        if not role:
            return
        ref.person += 3.0
        self.role_index.setdefault(role, {}).setdefault(ref.rid, set()).add(mods)
        self.roles_of.setdefault(ref.rid, set()).add(role)

    def _gender_from_pronouns(self) -> None:
        """A sentence whose only named subject is one referent and whose only personal pronouns
        (outside quotes) are of one gender gives that referent a gender vote."""
        male: Dict[int, int] = {}
        female: Dict[int, int] = {}
        if self.lower_array is None:
            return
        strings = self.doc.vocab.strings
        m_ids = numpy.asarray([strings[w] for w in PRON_MALE], dtype=self.lower_array.dtype)
        f_ids = numpy.asarray([strings[w] for w in PRON_FEMALE], dtype=self.lower_array.dtype)
        for ids, counts in ((m_ids, male), (f_ids, female)):
            for i in numpy.nonzero(numpy.isin(self.lower_array, ids))[0].tolist():
                if not self.in_quote[i]:
                    s = self.sent_of(i)
                    counts[s] = counts.get(s, 0) + 1
        if not male and not female:
            return
        subjects: Dict[int, Set[int]] = {}
        for pos, (rid, _flags) in zip(self.ev_pos, self.ev):
            subjects.setdefault(self.sent_of(pos), set()).add(rid)
        for s, rids in subjects.items():
            if len(rids) != 1:
                continue
            m, f = male.get(s, 0), female.get(s, 0)
            ref = self.refs[next(iter(rids))]
            if ref.margin < 0:
                continue
            if m and not f:
                ref.male += 1
            elif f and not m:
                ref.female += 1

    # ---- mentions ---------------------------------------------------------------------------

    def mention_span(self, tok: Token, avoid: Tuple[int, int] = (0, 0)) -> Span:
        """The noun phrase of a subject or object token, without appositions, relative clauses
        and punctuation, and outside the range ``avoid`` (the quote's content)."""
        doc = self.doc
        lo, hi = tok.i, tok.i + 1
        for c in tok.children:
            if c.dep_ in ("relcl", "acl", "punct", "advcl", "parataxis", "mark", "advmod"):
                continue
            if c.dep_ == "appos" and any(t.is_punct for t in doc[min(c.i, tok.i) + 1:max(c.i, tok.i)]):
                continue  # "Scholz, the German chancellor," -- but keep "news agency SANA"
            if avoid[0] <= c.i < avoid[1]:
                continue
            lo = min(lo, c.left_edge.i)
            hi = max(hi, c.right_edge.i + 1)
        s = self.sent_of(tok.i)
        lo = max(lo, self.sent_starts[s])
        hi = min(hi, self.sent_ends[s])
        if self._is_name_token(tok):
            # a name the parser broke up ("Erik ten Hag" with "ten" attached elsewhere)
            while lo - 1 >= self.sent_starts[s] and not self.in_quote[lo - 1] and self._extends_name(doc[lo - 1]):
                lo -= 1
        if avoid[1] > avoid[0]:
            if lo < avoid[1] <= tok.i:
                lo = avoid[1]
            if tok.i < avoid[0] < hi:
                hi = avoid[0]
        while lo < tok.i and (doc[lo].is_punct or doc[lo].is_space):
            lo += 1
        while hi - 1 > tok.i and (doc[hi - 1].is_punct or doc[hi - 1].is_space):
            hi -= 1
        return doc[lo:hi]

    def _extends_name(self, t: Token) -> bool:
        if t.ent_type_ in ("DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"):
            return False
        if t.dep_ in ("pobj", "npadvmod", "dobj", "nsubj", "nsubjpass", "appos", "conj"):
            return False
        if self._is_name_token(t):
            return True
        return t.dep_ in ("compound", "amod") and (self._role_word(t) is not None or t.tag_ == "NNP")

    def analyse(self, span: Span) -> _Info:
        """Classify a mention (pronoun, name, title, organisation noun, description, group)."""
        toks = [t for t in span if not (t.is_punct or t.is_space)]
        if not toks:
            return _Info("none")
        if len(toks) == 1 and fold(toks[0].text) in PRONOUNS:
            return _Info("pronoun", head=toks[0])
        head = self._span_head(span)
        low = fold(head.text)
        if low in PRONOUNS and head.pos_ == "PRON":
            return _Info("pronoun", head=head)
        # coordination: "Scholz and Macron"
        parts = self._surface_coordination(span)
        if parts:
            return _Info("coord", head=head, parts=parts, plural=True)
        conjs = [c for c in head.conjuncts if span.start <= c.i < span.end]
        if conjs:
            parts = []
            for t in sorted([head] + conjs, key=lambda x: x.i):
                lo, hi = t.i, t.i + 1
                for c in t.children:
                    if c.dep_ in ("conj", "cc", "punct", "appos", "relcl", "acl"):
                        continue
                    if span.start <= c.left_edge.i and c.right_edge.i < span.end:
                        lo, hi = min(lo, c.left_edge.i), max(hi, c.right_edge.i + 1)
                parts.append((lo, hi))
            return _Info("coord", head=head, parts=tuple(parts), plural=True)
        epithet = self._epithet(span, head)
        if epithet is not None:
            return epithet
        role = self._role_word(head)
        if role is None and self._is_name_token(head):
            return self._name_info(span, head)
        mods_toks = [t for t in span if t is not head and t.i < head.i]
        det = [t for t in span if t.i < head.i and (t.dep_ == "det" or t.pos_ == "DET")]
        det_words = {fold(t.text) for t in det}
        poss = any(t.dep_ == "poss" or t.tag_ == "POS" for t in span if t.i < head.i)
        indefinite = bool(det_words & INDEFINITE) or any(t.dep_ == "nummod" for t in span if t.i < head.i)
        definite = not indefinite and (bool(det_words) or poss or len(mods_toks) > 0)
        plural = head.tag_ in ("NNS", "NNPS")
        after = [t for t in span if t.i > head.i]
        # a name in apposition after a title or medium noun: "state news agency SANA"
        if role is not None or norm_word(head.text) in self.media_nouns or norm_word(head.lemma_) in ORG_NOUNS:
            name_after = []
            for t in after:
                if t.pos_ == "ADP" or t.dep_ in ("prep", "relcl", "acl"):
                    break
                if self._is_name_token(t) and not self._role_word(t):
                    name_after.append(t)
                elif name_after:
                    break
            if name_after:
                return self._name_info(span, name_after[-1])
        if role is not None:
            pp = [t for t in after if t.pos_ not in ("ADP", "DET", "PUNCT")]
            mods = self._mod_words(mods_toks + pp, skip=head)
            g = GENDERED_NOUNS.get(norm_word(head.text))
            return _Info("role", head=head, role=role, mods=mods, definite=definite and not plural,
                         plural=plural, gender=g)
        w = norm_word(head.lemma_ or head.text)
        if w in ORG_NOUNS or w in self.media_nouns:
            mods = self._mod_words(mods_toks, skip=head)
            return _Info("orgnoun", head=head, role=w, mods=mods, definite=definite and not plural,
                         plural=plural)
        # a name inside the head's own modifiers ("Foreign Ministry" is not enough: head must be a name)
        return _Info("description", head=head, definite=definite, plural=plural,
                     gender=GENDERED_NOUNS.get(w))

    def _surface_coordination(self, span: Span) -> Tuple[Tuple[int, int], ...]:
        """Split ``A, B and C`` at the coordinators outside names, when every part holds a
        name or a title (the parser often attaches such lists wrongly)."""
        cuts = []
        for t in span:
            if t.i in (span.start, span.end - 1):
                continue
            if fold(t.text) in ("and", "&") and t.pos_ == "CCONJ" and not t.ent_type_:
                cuts.append(t.i)
        if not cuts:
            return ()
        for t in span:
            if t.text == "," and not t.ent_type_ and span.start < t.i < cuts[0]:
                cuts.append(t.i)
        cuts.sort()
        parts = []
        lo = span.start
        for c in cuts + [span.end]:
            if c > lo:
                parts.append((lo, c))
            lo = c + 1
        for a, b in parts:
            if not any(self._is_name_token(t) or self._role_word(t) for t in self.doc[a:b]):
                return ()
        return tuple(parts) if len(parts) >= 2 else ()

    def _span_head(self, span: Span) -> Token:
        """The head of a mention: the token attached outside the span closest to the sentence
        root; among equals a content word, then the right-most (a noun phrase's head)."""
        best = None
        best_key: Optional[Tuple[int, int, int]] = None
        for t in span:
            if t.is_punct or t.is_space:
                continue
            if t.head.i < span.start or t.head.i >= span.end or t.head.i == t.i:
                depth = 0
                h = t
                while h.head.i != h.i and depth < 50:
                    h = h.head
                    depth += 1
                key = (depth, 1 if t.pos_ in _CLOSED_POS or t.dep_ in ("amod", "nummod") else 0, -t.i)
                if best_key is None or key < best_key:
                    best, best_key = t, key
        return best if best is not None else span.root

    def _name_info(self, span: Span, head: Token) -> _Info:
        lo, hi = span.start, span.end
        a, b = self._name_run(head, lo, hi)
        label = None
        k = bisect.bisect_right(self.ent_starts, head.i) - 1
        if k >= 0 and self.ents[k].end > head.i:
            ent = self.ents[k]
            label = ent.label_
            a, b = min(a, max(ent.start, lo)), max(b, min(ent.end, hi))
        a, b = self._strip_name(a, b, label)
        if a >= b:
            return _Info("description", head=head)
        return _Info("name", head=head, start=a, end=b)

    # ---- resolution ------------------------------------------------------------------------

    def trim(self, span: Span) -> Span:
        """A mention without what is no part of the speaker's name: punctuation around it, a
        dateline before a name (``date 2020-02-15 Turkey``), a floating quantifier after it
        (``the ministries all``) and a participle or relative clause set off by a comma
        (``the coalition, led by the US,``; an apposition that holds a name stays)."""
        doc = self.doc
        a, b = span.start, span.end
        while a < b and (doc[a].is_punct or doc[a].is_space):
            a += 1
        while b > a and (doc[b - 1].is_punct or doc[b - 1].is_space):
            b -= 1
        if b - a < 2:
            return doc[a:b] if a < b else span
        # a dateline: a date (with any words before it) right before a name that ends the mention
        last = -1
        for i in range(a, b):
            t = doc[i]
            if t.ent_type_ in ("DATE", "TIME") or (t.like_num and t.tag_ == "CD") or (
                    last == i - 1 and last >= 0 and t.text in ("-", "/", ".", ",")):
                last = i
            elif last >= 0:
                break
        if a <= last < b - 1 and any(doc[i].ent_type_ in ("DATE", "TIME") for i in range(a, last + 1)):
            rest = doc[last + 1:b]
            before = doc[a:last + 1]
            if (self._is_name_token(rest[0]) and all(self._is_name_token(t) or t.pos_ == "DET" or t.is_punct for t in rest)
                    and not any(self._is_name_token(t) and t.ent_type_ not in ("DATE", "TIME") for t in before)):
                a = last + 1
        while b - a >= 2 and fold(doc[b - 1].text) in ("all", "both", "each", "alike", "together", "too", "also"):
            b -= 1
            while b > a and (doc[b - 1].is_punct or doc[b - 1].is_space):
                b -= 1
        # a modifier set off by a comma, after the head
        for i in range(a + 1, b - 1):
            if doc[i].text != ",":
                continue
            nxt = doc[i + 1]
            t = nxt
            for _ in range(6):  # the child of a token before the comma that holds nxt
                if t.head.i == t.i or t.head.i < a or t.head.i >= b:
                    break
                if t.head.i < i:
                    break
                t = t.head
            if t.head.i < i and a <= t.head.i and t.dep_ in ("acl", "relcl", "appos", "advcl", "parataxis"):
                if t.dep_ == "appos" and any(self._is_name_token(x) for x in doc[i + 1:b]):
                    continue
                b = i
                break
        return doc[a:b] if a < b else span

    def _message_agent(self, span: Span) -> Optional[Span]:
        """The issuer of a message mention: ``X`` in "a tweet by X", "a statement from X",
        "a statement issued by X", "X's statement" (None for other mentions)."""
        toks = [t for t in span if not (t.is_punct or t.is_space)]
        if not toks:
            return None
        head = self._span_head(span)
        if head.pos_ not in ("NOUN", "PROPN") or norm_word(head.lemma_ or head.text) not in MESSAGE_NOUNS:
            return None
        # "a statement issued / released / posted by X": the participle's agent
        children = list(head.children)
        for c in head.children:
            if c.dep_ == "acl" and c.tag_ == "VBN" and c.i > head.i:
                children += [g for g in c.children if g.dep_ == "agent"]
        for c in children:
            if c.dep_ == "poss" and c.tag_ != "POS":
                agent = self.mention_span(c)
            elif c.dep_ in ("prep", "agent") and fold(c.text) in ("by", "from") and c.i > head.i:
                objs = [g for g in c.children if g.dep_ == "pobj"]
                if not objs:
                    continue
                agent = self.mention_span(objs[0])
            else:
                continue
            if len(agent) and not (agent.start <= head.i < agent.end):
                return agent
        return None

    def resolve(self, span: Span) -> Optional[int]:
        """Step 3: a mention span to a referent id (None when it cannot be resolved)."""
        span = self.trim(span)
        agent = self._message_agent(span)
        if agent is not None:
            return self.resolve(agent)  # the agent span does not hold the message noun: ends
        if len(span) == 1 and fold(span[0].text) in RELATIVE and span[0].head.dep_ == "relcl" and (
                span[0].dep_ in ("nsubj", "nsubjpass")):
            # "Russia, which supports ...": the relative pronoun stands for the noun it follows
            antecedent = span[0].head.head
            if antecedent.i < span.start and antecedent.pos_ in ("NOUN", "PROPN", "PRON"):
                span = self.mention_span(antecedent)
        info = self.analyse(span)
        if info.kind == "none":
            return None
        if info.kind == "pronoun":
            if not self.cfg.resolve_pronouns:
                return None
            return self._resolve_pronoun(fold(info.head.text), span.start)
        if info.kind == "name":
            rid = self._occurrence(info.start, info.end, None)
            if rid is not None:
                # titles inside the mention ("Turkey's Foreign Minister X")
                pre = [t for t in span if t.i < info.start and not t.is_punct]
                if pre and (info.start, info.end) not in self.learned_titles:
                    self.learned_titles.add((info.start, info.end))
                    self._learn_title(pre, self.refs[rid])
            return rid
        if info.kind == "coord":
            members = []
            for lo, hi in info.parts:
                if not (span.start <= lo < hi <= span.end) or hi - lo >= len(span):
                    continue  # a part must be smaller than the group, or resolution never ends
                sub = self.doc[lo:hi]
                rid = self.resolve(sub)
                if rid is not None and rid not in members:
                    members.append(rid)
            if len(members) == 1:
                return members[0]
            if not members:
                return self._description(span, info)
            return self._group(tuple(members), span.start)
        if info.kind == "role" and info.definite and self.cfg.link_titles:
            rid = self._resolve_role(info, span.start)
            if rid is None:
                rid = self._recent_subject_for_title(info, span.start)
            if rid is None:
                rid = self._next_subject_for_title(info, span.start)
            if rid is not None:
                self.refs[rid].add_position(span.start)
                return rid
        if info.kind == "orgnoun" and info.definite:
            rid = self._resolve_orgnoun(info, span.start)
            if rid is None and info.role in GENERIC_ORG_NOUNS and not info.mods:
                rid = self._recent_org(span.start)
            if rid is not None:
                self.refs[rid].add_position(span.start)
                return rid
        if info.kind == "epithet":
            if self.cfg.link_titles:
                rid = self._recent_subject_for_title(info, span.start)
                if rid is not None:
                    self.refs[rid].add_position(span.start)
                    return rid
            info = _Info("description", head=info.head, definite=True, gender=info.gender)
        return self._description(span, info)

    def _epithet(self, span: Span, head: Token) -> Optional[_Info]:
        """A definite epithet for a person: an age (``the 35-year-old``) or a nationality noun
        (``the Dutchman``, ``the Briton``)."""
        first = next((t for t in span if not (t.is_punct or t.is_space)), None)
        if first is None or fold(first.text) != "the":
            return None
        text = fold(span.text)
        if "year-old" in text or "year old" in text:
            return _Info("epithet", head=head, role="", definite=True)
        h = head.text
        if (h[:1].isupper() and head.tag_ not in ("NNS", "NNPS") and not h.endswith("s")
                and (head.ent_type_ == "NORP" or fold(h).endswith(("man", "woman")))
                and len([t for t in span if not t.is_punct]) <= 3):
            low = fold(h)
            gender = "f" if low.endswith("woman") else ("m" if low.endswith("man") else None)
            return _Info("epithet", head=head, role="", definite=True, gender=gender)
        return None

    def _window_start(self, pos: int) -> int:
        s = self.sent_of(pos) - self.cfg.max_sentences_back
        return self.sent_starts[max(0, s)]

    def _resolve_pronoun(self, word: str, pos: int) -> Optional[int]:
        if word in PRON_I:
            return None
        lo = self._window_start(pos)
        i = bisect.bisect_left(self.ev_pos, pos) - 1
        first_any: Optional[int] = None
        steps = 0
        while i >= 0 and self.ev_pos[i] >= lo and steps < 80:
            rid, flags = self.ev[i]
            i -= 1
            steps += 1
            if not self._pronoun_fits(word, self.refs[rid]):
                continue
            if flags:
                if self.refs[rid].description and (word in PRON_MALE or word in PRON_FEMALE):
                    named = self._named_subject_in_sentence(word, i, self.sent_of(self.ev_pos[i + 1]))
                    if named is not None:
                        return self._feedback(word, named)
                return self._feedback(word, rid)
            if first_any is None:
                first_any = rid
        if first_any is not None:
            return self._feedback(word, first_any)
        return None

    def _named_subject_in_sentence(self, word: str, i: int, sent: int) -> Optional[int]:
        """A named person who is the subject in sentence ``sent``, from event ``i`` back: in
        ``X held talks, according to a source. He said ...``, ``he`` is X, not the source."""
        lo = self.sent_starts[sent]
        while i >= 0 and self.ev_pos[i] >= lo:
            rid, flags = self.ev[i]
            i -= 1
            ref = self.refs[rid]
            if flags & 1 and not ref.description and not ref.members and ref.margin > 0 and self._pronoun_fits(word, ref):
                return rid
        return None

    def _pronoun_fits(self, word: str, ref: _Referent) -> bool:
        if word in PRON_MALE or word in PRON_FEMALE:
            if ref.members or ref.plural:
                return False
            if ref.description:
                return not ref.plural and (ref.head in PERSON_NOUNS or ref.head in self.roles or ref.person > 0)
            if ref.margin <= -1.5:
                return False
            g = ref.gender
            want = "m" if word in PRON_MALE else "f"
            return g is None or g == want
        if word in PRON_IT:
            if ref.members or ref.plural:
                return False
            if ref.description:
                return ref.org > ref.person
            return ref.margin < 1.5 and ref.gender is None
        # they / we
        if ref.members or ref.plural:
            return True
        if ref.description:
            return ref.org > ref.person
        return ref.margin < 1.5 and ref.gender is None

    def _feedback(self, word: str, rid: int) -> int:
        ref = self.refs[rid]
        if word in PRON_MALE:
            ref.male += 1
            ref.person += 1.0
        elif word in PRON_FEMALE:
            ref.female += 1
            ref.person += 1.0
        elif word in PRON_IT and not ref.description:
            ref.org += 1.0
        return rid

    def _resolve_role(self, info: _Info, pos: int) -> Optional[int]:
        best, best_key = None, None
        for rid, mod_sets in self.role_index.get(info.role, {}).items():
            ref = self.refs[rid]
            if info.gender and ref.gender and info.gender != ref.gender:
                continue
            score = -1
            for dmods in mod_sets:
                matched_m = {m for m in info.mods if any(_demonym_match(m, d) for d in dmods)}
                matched_d = {d for d in dmods if any(_demonym_match(m, d) for m in info.mods)}
                if (info.mods - matched_m) and (dmods - matched_d):
                    continue  # "Russian" against "Turkish"
                score = max(score, len(matched_m))
            if score < 0:
                continue
            last = ref.last_before(pos)
            first = ref.positions[0] if ref.positions else self.n
            key = (score, 1 if last >= 0 else 0, last if last >= 0 else -first)
            if best_key is None or key > best_key:
                best, best_key = rid, key
        return best

    def _recent_subject_for_title(self, info: _Info, pos: int) -> Optional[int]:
        """A definite title the document never gave anybody (``the Portuguese midfielder``):
        the person who was the subject or speaker in this or the previous sentence, unless
        that person holds a different public office (``the minister`` is not the chancellor)."""
        lo = self.sent_starts[max(0, self.sent_of(pos) - 1)]
        i = bisect.bisect_left(self.ev_pos, pos) - 1
        while i >= 0 and self.ev_pos[i] >= lo:
            rid, flags = self.ev[i]
            i -= 1
            ref = self.refs[rid]
            if not flags or ref.description or ref.members or ref.margin <= 0:
                continue
            if info.gender and ref.gender and info.gender != ref.gender:
                return None
            roles = self.roles_of.get(rid, set())
            if info.role in roles:
                return None  # a descriptor of that role exists and did not match
            if info.role in OFFICES and roles & OFFICES:
                return None
            return rid
        return None

    def _next_subject_for_title(self, info: _Info, pos: int) -> Optional[int]:
        """A definite title nobody had before, with a modifier, in the lead of the article
        (its first three sentences: ``Turkey's president accused ...``) that the next sentence
        names: that sentence's first subject when it is a person the document gives no title
        (``Recep Tayyip Erdogan threatened ...``). News leads name a title first and the
        person right after; later in an article a bare title is left a description."""
        s = self.sent_of(pos)
        if s > 2 or not info.mods or s + 1 >= len(self.sent_starts):
            return None
        lo, hi = self.sent_starts[s + 1], self.sent_ends[s + 1]
        i = bisect.bisect_left(self.ev_pos, lo)
        while i < len(self.ev_pos) and self.ev_pos[i] < hi:
            rid, flags = self.ev[i]
            i += 1
            ref = self.refs[rid]
            if not flags & 1:
                continue
            if ref.description or ref.members or ref.margin <= 0 or self.roles_of.get(rid):
                return None
            if info.gender and ref.gender and info.gender != ref.gender:
                return None
            return rid
        return None

    def _recent_org(self, pos: int) -> Optional[int]:
        """``the company``: the organisation that was last a subject or speaker, within
        ``max_sentences_back`` sentences."""
        lo = self._window_start(pos)
        i = bisect.bisect_left(self.ev_pos, pos) - 1
        while i >= 0 and self.ev_pos[i] >= lo:
            rid, flags = self.ev[i]
            i -= 1
            ref = self.refs[rid]
            if flags and not (ref.description or ref.members or ref.medium) and ref.margin < 0:
                return rid
        return None

    def _resolve_orgnoun(self, info: _Info, pos: int) -> Optional[int]:
        rids = set(self.org_head_index.get(info.role, ()))
        for rid in self.by_word.get(info.role, ()):
            rids.add(rid)
        best, best_key = None, None
        for rid in rids:
            ref = self.refs[rid]
            if ref.description or ref.members or ref.margin > 0:
                continue
            words = set(w for v in ref.norms for w in v)
            if info.mods and not all(any(_demonym_match(m, w) for w in words) for m in info.mods):
                continue
            last = ref.last_before(pos)
            key = (1 if last >= 0 else 0, last)
            if best_key is None or key > best_key:
                best, best_key = rid, key
        return best

    def _noun_phrase(self, head: Token) -> List[Token]:
        """A bare noun with the modifiers around it that the mention left out: determiner,
        adjectives, compounds, numbers and possessives before it, and a prepositional phrase
        of place or affiliation after it (``a source at the ministry``)."""
        doc = self.doc
        a = head.i
        left = {c.i for c in head.lefts if c.dep_ in ("det", "amod", "compound", "nummod", "poss", "nmod")}
        while a - 1 in left:
            a -= 1
        b = head.i + 1
        for child in head.rights:
            if child.i == b and child.dep_ == "prep" and child.lower_ in ("at", "in", "from", "with", "within", "inside", "close"):
                b = child.right_edge.i + 1
            break
        return [doc[i] for i in range(a, b)]

    def _description(self, span: Span, info: _Info) -> int:
        """An unnamed source: its text as written; ``the source`` links to a recent one."""
        toks = [t for t in span]
        if len(toks) == 1 and toks[0].pos_ == "NOUN":
            toks = self._noun_phrase(toks[0])  # "source" -> "a military source"
        while len(toks) > 1 and toks[-1].ent_type_ in ("DATE", "TIME"):
            toks.pop()  # "officials yesterday"
        while toks and (toks[0].is_punct or toks[0].is_space):
            toks.pop(0)
        while toks and (toks[-1].is_punct or toks[-1].is_space):
            if toks[-1].text in (")", "]") and any(t.text in ("(", "[") for t in toks[:-1]):
                break  # keep "(ESA)" whole
            toks.pop()
        if not toks:
            return self._new_ref().rid
        text = " ".join(self.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)].split())
        first = toks[0]
        if text[:1].isupper() and not (first.is_upper and len(first.text) > 1) and (first.pos_ == "DET" or (
                first.tag_ in ("NN", "NNS", "JJ") and not first.ent_type_)):
            text = text[0].lower() + text[1:]  # "The source" / "Analysts at X" opening a sentence
        head = norm_word(info.head.lemma_ or info.head.text) if info.head is not None else ""
        key = fold(text)
        pos = span.start
        if info.definite and head:
            lo = self._window_start(pos)
            i = bisect.bisect_left(self.ev_pos, pos) - 1
            while i >= 0 and self.ev_pos[i] >= lo:
                rid, _flags = self.ev[i]
                ref = self.refs[rid]
                if ref.description and ref.head == head:
                    ref.add_position(pos)
                    return rid
                i -= 1
        if key in self.descriptions:
            rid = self.descriptions[key]
            self.refs[rid].add_position(pos)
            return rid
        ref = self._new_ref()
        ref.description = True
        ref.head = head
        ref.plural = info.plural
        ref.variants.append((text, tuple(key.split())))
        if head in ORG_NOUNS or head in self.media_nouns:
            ref.org += 2.0
        elif head in PERSON_NOUNS or head in self.roles or info.kind == "role":
            ref.person += 2.0
        if info.gender == "m":
            ref.male += 1
        elif info.gender == "f":
            ref.female += 1
        ref.add_position(pos)
        self.descriptions[key] = ref.rid
        return ref.rid

    def _group(self, members: Tuple[int, ...], pos: int) -> int:
        for ref in self.refs:
            if ref.members == members:
                ref.add_position(pos)
                return ref.rid
        ref = self._new_ref()
        ref.members = members
        ref.plural = True
        ref.add_position(pos)
        return ref.rid

    def is_medium(self, span: Span) -> bool:
        """A medium: a media noun in the phrase, a known media name, or a referent learned as one."""
        words = [norm_word(t.text) for t in span if not (t.is_punct or t.is_space or t.pos_ == "DET")]
        if not words:
            return False
        if any(w in self.media_nouns for w in words):
            return True
        joined = " ".join(w for w in words if w not in _NAME_STOP)
        if joined in self.media_names:
            return True
        for w in words:
            for rid in self.by_word.get(w, ()):
                if self.refs[rid].medium and (tuple(words) in self.refs[rid].norms or len(words) == 1):
                    return True
        return False

    def display(self, rid: Optional[int]) -> Optional[str]:
        if rid is None:
            return None
        ref = self.refs[rid]
        if ref.members:
            names = [n for n in (self.display(m) for m in ref.members) if n]
            if len(names) > 2:  # "A, B and C"
                return ", ".join(names[:-1]) + " and " + names[-1]
            return " and ".join(names)
        return ref.name()


# ---- finding a mention for a quote (step 2) -------------------------------------------------

def _subject_of(v: Token, avoid: Tuple[int, int]) -> Optional[Token]:
    for c in v.children:
        if c.dep_ in ("nsubj", "nsubjpass") and not (avoid[0] <= c.i < avoid[1]):
            return c
    return None


def _child(t: Token, deps: Iterable[str], lower: Optional[str] = None) -> Optional[Token]:
    deps = set(deps)
    for c in t.children:
        if c.dep_ in deps and (lower is None or fold(c.text) == lower):
            return c
    return None


def _is_quote_verb(t: Token) -> bool:
    return t.lemma_ in ("quote", "cite") and t.pos_ in ("VERB", "AUX")


def _speaker_from_cue(res: _Resolver, cue: Span, content: Tuple[int, int]) -> Tuple[Optional[Token], Optional[Token]]:
    """The speaker (and a relaying medium) of a cue, from the dependency tree."""
    for t in cue:
        if fold(t.text) == "according":
            to = _child(t, ("prep",), "to")
            if to is None and t.i + 1 < len(res.doc) and fold(res.doc[t.i + 1].text) == "to":
                to = res.doc[t.i + 1]
            if to is not None:
                pobj = _child(to, ("pobj",))
                if pobj is not None:
                    return pobj, None
    v = cue.root
    for _ in range(4):
        if _is_quote_verb(v):
            subj = _child(v, ("nsubjpass",))
            if subj is not None:
                agent = _child(v, ("agent",))
                return subj, (_child(agent, ("pobj",)) if agent is not None else None)
            obj = _child(v, ("dobj",))
            if obj is not None:
                return obj, _subject_of(v, content)
        subj = _subject_of(v, content)
        if subj is not None:
            if fold(subj.text) in RELATIVE and v.dep_ == "relcl":
                return v.head, None
            return subj, None
        if v.dep_ == "relcl" and not (content[0] <= v.head.i < content[1]):
            return v.head, None
        if v.dep_ in ("conj", "xcomp", "advcl", "pcomp", "prep", "acl") and v.head.i != v.i:
            v = v.head
            continue
        break
    return None, None


def _relays_for(verb: Token, cue: Optional[Span]) -> bool:
    """The quote verb ``verb`` (``quoted``, ``cited``) is the relay of the quote with this cue:
    the cue is the verb, or hangs from it through ``as`` (``quoted X as saying``). In ``X
    cited Y, adding that ...`` the quote is X's own."""
    if cue is None or cue.start <= verb.i < cue.end:
        return True
    t = cue.root
    through_as = False
    for _ in range(3):
        if t.head.i == t.i:
            return False
        through_as = through_as or fold(t.text) == "as" or any(
            c.dep_ in ("mark", "prep") and fold(c.text) == "as" for c in t.children)
        t = t.head
        if t.i == verb.i:
            return through_as
    return False


def _correct(tok: Token, content: Tuple[int, int], cue: Optional[Span] = None) -> Tuple[Optional[Token], Optional[Token]]:
    """Fix a linked mention that is the listener or the medium: ``X told Y`` -> X;
    ``X quoted Y as saying`` -> Y via X (when the quote is the one relayed, see
    :func:`_relays_for`). RETURNS (speaker, via); speaker None = keep."""
    head = tok.head
    if tok.dep_ in ("dobj", "dative") and head.lemma_ == "tell":
        subj = _subject_of(head, content)
        if subj is not None:
            return subj, None
    if _is_quote_verb(head) and _relays_for(head, cue):
        if tok.dep_ == "nsubj":
            obj = _child(head, ("dobj",))
            if obj is not None:
                return obj, tok
        if tok.dep_ == "dobj":
            return None, _subject_of(head, content)
        if tok.dep_ == "nsubjpass":
            agent = _child(head, ("agent",))
            return None, (_child(agent, ("pobj",)) if agent is not None else None)
    if tok.dep_ == "pobj" and head.dep_ == "agent" and _is_quote_verb(head.head) and _relays_for(head.head, cue):
        subj = _child(head.head, ("nsubjpass",))
        if subj is not None:
            return subj, tok
    return None, None


def _participle_agent(res: _Resolver, tok: Token, cue: Optional[Span], content: Tuple[int, int]) -> Optional[Token]:
    """The speaker of a participle cue whose verb's subject cannot speak: in ``X's threats
    prompted a response from Y, accusing ...`` Y accuses, not the threats. RETURNS the
    ``from``/``by`` object of the verb or of its object (``a response from Y``), or None."""
    if cue is None or _acceptable_subject(res, tok) or tok.dep_ not in ("nsubj", "nsubjpass"):
        return None
    root = cue.root
    if root.tag_ != "VBG" or root.dep_ not in ("advcl", "xcomp") or root.head.i != tok.head.i:
        return None
    verb = tok.head
    holders = [verb] + [obj for obj in verb.children if obj.dep_ in ("dobj", "attr")]
    for holder in holders:  # "drew criticism from Y" / "prompted a response from Y"
        for prep in holder.children:
            if prep.dep_ == "prep" and fold(prep.text) in ("from", "by"):
                pobj = _child(prep, ("pobj",))
                if pobj is not None and _acceptable_subject(res, pobj) and not (content[0] <= pobj.i < content[1]):
                    return pobj
    return None


def _acceptable_subject(res: _Resolver, tok: Token) -> bool:
    """A subject that can be a speaker: a name, a personal pronoun, a title, a person or
    organisation noun."""
    low = fold(tok.text)
    if low in PRONOUNS:
        return low not in PRON_IT or tok.dep_ != "expl"
    if res._is_name_token(tok) or res._role_word(tok):
        return True
    w = norm_word(tok.lemma_ or tok.text)
    return w in PERSON_NOUNS or w in ORG_NOUNS or w in res.media_nouns


def _colon_speaker(res: _Resolver, q: _QState) -> Optional[Token]:
    doc = res.doc
    j = q.start - 1
    while j >= 0 and (doc[j].is_space or doc[j].is_quote or doc[j].text in _QUOTE_CHARS):
        j -= 1
    if j < 0 or doc[j].text != ":":
        return None
    colon = doc[j]
    h = colon.head
    if h.i < j and h.pos_ in ("VERB", "AUX"):
        subj = _subject_of(h, (q.start, q.end))
        if subj is not None and subj.i < j:
            return subj
    k = j - 1
    while k >= 0 and (doc[k].is_space or doc[k].is_punct):
        k -= 1
    if k < 0:
        return None
    t = doc[k]
    if t.pos_ in ("VERB", "AUX"):
        subj = _subject_of(t, (q.start, q.end))
        return subj if subj is not None and subj.i < j else None
    if (t.pos_ in ("NOUN", "PROPN", "PRON") or res._is_name_token(t)) and _acceptable_subject(res, t):
        return t  # the noun phrase that ends at the colon: "Scholz: ..."
    return None


def _gap_is_own_attribution(res: _Resolver, prev: _QState, q: _QState, cues: Optional[SpanGroup],
                            speakers: Optional[SpanGroup]) -> bool:
    """Only punctuation and the previous quote's own cue and speaker lie between the quotes."""
    doc = res.doc
    if q.start < prev.end:
        return True
    if q.start - prev.end > 60:
        return False
    own: Set[int] = set()
    for group, idx in ((cues, prev.cue), (speakers, prev.speaker)):
        if group is not None and 0 <= idx < len(group):
            own.update(range(group[idx].start, group[idx].end))
    cue_root = cues[prev.cue].root if cues is not None and 0 <= prev.cue < len(cues) else None
    for t in doc[prev.end:q.start]:
        if t.is_punct or t.is_space or t.is_quote or t.i in own:
            continue
        if cue_root is not None and _modifies(t, cue_root):
            continue  # "..., she said on Friday, ..."
        return False
    return True


def _modifies(t: Token, verb: Token) -> bool:
    """t belongs to an adverbial of verb (``on Friday``, ``later``, ``in a statement``)."""
    for _ in range(4):
        if t.pos_ in ("VERB", "AUX") or t.dep_ in ("nsubj", "nsubjpass", "dobj", "ccomp", "conj"):
            return False
        if t.head.i == verb.i:
            return t.dep_ in ("prep", "npadvmod", "advmod", "tmod", "obl", "cc", "punct", "dative")
        if t.head.i == t.i:
            return False
        t = t.head
    return False


def _context_subject(res: _Resolver, q: _QState) -> Optional[Token]:
    """The subject of the quote's own sentence (outside the quote), else of the previous
    sentence when the quote opens its sentence."""
    doc = res.doc
    s = res.sent_of(q.start)
    sent = doc[res.sent_starts[s]:res.sent_ends[s]]
    root = sent.root
    if not (q.start <= root.i < q.end) and root.pos_ in ("VERB", "AUX"):
        subj = _subject_of(root, (q.start, q.end))
        if subj is not None and _acceptable_subject(res, subj):
            return subj
    opens = all(t.is_punct or t.is_space or t.is_quote for t in doc[sent.start:q.start])
    if opens and s > 0:
        prev = doc[res.sent_starts[s - 1]:res.sent_ends[s - 1]]
        proot = prev.root
        if not res.in_quote[proot.i] and proot.pos_ in ("VERB", "AUX"):
            subj = _subject_of(proot, (q.start, q.end))
            if subj is not None and not res.in_quote[subj.i] and _acceptable_subject(res, subj):
                return subj
    return None


def _according_medium(res: _Resolver, q: _QState, speaker: Optional[Span],
                      according: List[int]) -> Tuple[Optional[Token], Optional[Token]]:
    """``according to M`` near the quote with M a medium. RETURNS (medium token, replacement
    speaker token when M itself had been taken as the speaker)."""
    doc = res.doc
    s0, s1 = res.sent_of(q.start), res.sent_of(max(q.start, q.end - 1))
    lo, hi = res.sent_starts[s0], res.sent_ends[s1]
    i = bisect.bisect_left(according, lo)
    while i < len(according) and according[i] < hi:
        acc = doc[according[i]]
        i += 1
        if q.start <= acc.i < q.end:
            continue
        to = _child(acc, ("prep",), "to")
        if to is None and acc.i + 1 < len(doc) and fold(doc[acc.i + 1].text) == "to":
            to = doc[acc.i + 1]
        pobj = _child(to, ("pobj",)) if to is not None else None
        if pobj is None:
            continue
        mspan = res.mention_span(pobj, (q.start, q.end))
        if not res.is_medium(mspan):
            continue
        if speaker is not None and not (speaker.start <= pobj.i < speaker.end):
            return pobj, None
        # the medium was the speaker: look for somebody who speaks in the sentence, the
        # speaking verb nearest the quote first ("X described ... and a source said,
        # according to M: ...")
        best: Optional[Tuple[int, Token]] = None
        for t in doc[lo:hi]:
            if t.lemma_ in SAY_LEMMAS and t.pos_ in ("VERB",) and not (q.start <= t.i < q.end):
                subj = _subject_of(t, (q.start, q.end))
                if subj is not None and subj.i != pobj.i and _acceptable_subject(res, subj):
                    dist = q.start - t.i if t.i < q.start else t.i - q.end
                    if best is None or dist < best[0]:
                        best = (dist, subj)
        if best is not None:
            return pobj, best[1]
        return None, None
    return None, None


# ---- the step ----------------------------------------------------------------------------------

def resolve_speakers(doc: Doc, config: Optional[SpeakerResolverConfig] = None,
                     quotations: Optional[Sequence[Any]] = None) -> None:
    """Resolve the speaker of every quote of a Doc to a name and an id (see the module
    docstring for the rules and their order).

    doc (Doc): a parsed Doc with ``doc.spans["quotes"]`` (and optionally ``quotes_cue`` and
        ``quotes_speaker``) in the layout of :mod:`spacy_quotes.quote`.
    config (Optional[SpeakerResolverConfig]): the settings; None uses the defaults.
    quotations (Optional[Sequence[Quotation]]): ``find_quotations(doc.text)`` where the caller
        has it already (the component does); None finds them.
    """
    cfg = config if config is not None else SpeakerResolverConfig()
    if QUOTES_KEY not in doc.spans:
        return
    group = doc.spans[QUOTES_KEY]
    nq = len(group)
    cues = doc.spans[CUE_KEY] if CUE_KEY in doc.spans else None
    speakers = doc.spans[SPEAKER_KEY] if SPEAKER_KEY in doc.spans else None

    def attr(name: str, default: Any) -> List[Any]:
        values = group.attrs.get(name)
        values = list(values) if values is not None else []
        return (values + [default] * nq)[:nq]

    spk_attr = [int(x) if x is not None else -1 for x in attr("speaker", -1)]
    via_attr = [int(x) if x is not None else -1 for x in attr("via", -1)]
    cue_attr = [int(x) if x is not None else -1 for x in attr("cue", -1)]
    scores = [float(x) if x is not None else 1.0 for x in attr("scores", 1.0)]
    n_spk = len(speakers) if speakers is not None else 0
    spk_attr = [i if 0 <= i < n_spk else -1 for i in spk_attr]
    via_attr = [i if 0 <= i < n_spk else -1 for i in via_attr]
    cue_attr = [i if cues is not None and 0 <= i < len(cues) else -1 for i in cue_attr]

    if not cfg.enabled or nq == 0:
        names = [speakers[i].text if i >= 0 and speakers is not None else None for i in spk_attr]
        group.attrs["speaker_name"] = names
        group.attrs["speaker_id"] = list(names)
        group.attrs["speaker"] = spk_attr
        group.attrs["via"] = via_attr
        return

    res = _Resolver(doc, cfg, quotations)
    quotes = [
        _QState(index=i, start=span.start, end=span.end, cue=cue_attr[i], speaker=spk_attr[i],
                via=via_attr[i], score=scores[i])
        for i, span in enumerate(group)
    ]
    res.mark_quotes(quotes)
    res.build()

    new_spans: List[Span] = []
    new_scores: List[float] = []
    existing: Dict[Tuple[int, int], int] = {}
    if speakers is not None:
        for i, s in enumerate(speakers):
            existing.setdefault((s.start, s.end), i)

    def add_span(span: Span, score: float) -> int:
        key = (span.start, span.end)
        if key in existing:
            return existing[key]
        idx = n_spk + len(new_spans)
        new_spans.append(Span(doc, span.start, span.end, label=RESOLVED_LABEL))
        new_scores.append(score)
        existing[key] = idx
        return idx

    def spk_span(idx: int) -> Optional[Span]:
        if idx < 0:
            return None
        if idx < n_spk:
            return speakers[idx]  # type: ignore[index]
        return new_spans[idx - n_spk]

    according: List[int] = []
    if res.lower_array is not None and "according" in res.text.lower():
        according = numpy.nonzero(res.lower_array == doc.vocab.strings["according"])[0].tolist()
    order = sorted(quotes, key=lambda q: (q.start, q.end))
    resolved_spk: Dict[int, Optional[int]] = {}
    prev: Optional[_QState] = None
    for q in order:
        content = (q.start, q.end)
        inherited = False
        mention: Optional[Span] = spk_span(q.speaker)
        via_tok: Optional[Token] = None
        # a. the linked mention, corrected
        linked = q.speaker
        if mention is not None:
            fixed, via_tok = _correct(res._span_head(mention), content,
                                      cues[q.cue] if cues is not None and q.cue >= 0 else None)
            if via_tok is not None and mention.start <= via_tok.i < mention.end:
                via_tok = None
                if cfg.detect_via:
                    q.via = linked  # the linked mention is the medium itself
            if fixed is not None:
                mention = res.mention_span(fixed, content)
                q.speaker = add_span(mention, q.score)
        # b. the cue's subject
        if mention is None and q.cue >= 0 and cfg.speaker_from_cue and cues is not None:
            tok, via_tok = _speaker_from_cue(res, cues[q.cue], content)
            if tok is not None and not (q.start <= tok.i < q.end):
                mention = res.mention_span(tok, content)
                q.speaker = add_span(mention, q.score)
        # a participle cue whose verb's subject cannot speak: "a response from Y, accusing ..."
        if mention is not None and q.cue >= 0 and cues is not None:
            agent = _participle_agent(res, res._span_head(mention), cues[q.cue], content)
            if agent is not None:
                mention = res.mention_span(agent, content)
                q.speaker = add_span(mention, q.score)
        # c. before a colon
        if mention is None and cfg.speaker_before_colon:
            tok = _colon_speaker(res, q)
            if tok is not None:
                mention = res.mention_span(tok, content)
                q.speaker = add_span(mention, q.score)
        # d. continuation right after the previous quote
        if (mention is None and q.cue < 0 and prev is not None and cfg.inherit_continuations
                and prev.speaker >= 0 and _gap_is_own_attribution(res, prev, q, cues, speakers)):
            q.speaker, q.via, q.rid = prev.speaker, prev.via, prev.rid
            inherited = True
        # e. the subject of this or the previous sentence
        if mention is None and not inherited and cfg.speaker_from_context:
            tok = _context_subject(res, q)
            if tok is not None:
                mention = res.mention_span(tok, content)
                q.speaker = add_span(mention, q.score)
        # f. continuation within the window
        if (mention is None and not inherited and q.cue < 0 and prev is not None and cfg.inherit_continuations
                and prev.speaker >= 0
                and res.sent_of(q.start) - res.sent_of(max(prev.start, prev.end - 1)) <= cfg.max_sentences_back):
            q.speaker, q.via, q.rid = prev.speaker, prev.via, prev.rid
            inherited = True
        # step 3: mention -> referent
        if mention is not None and not inherited:
            if q.speaker in resolved_spk:
                q.rid = resolved_spk[q.speaker]
            else:
                q.rid = res.resolve(mention)
                resolved_spk[q.speaker] = q.rid
            if q.rid is not None:
                res._add_event(mention.start, q.rid, 2)
        # step 4: via
        if cfg.detect_via and not inherited:
            if via_tok is not None and not (q.start <= via_tok.i < q.end):
                q.via = add_span(res.mention_span(via_tok, content), q.score)
            elif q.via < 0 and according:
                medium, replacement = _according_medium(res, q, spk_span(q.speaker), according)
                if medium is not None:
                    if replacement is not None:
                        mention = res.mention_span(replacement, content)
                        q.speaker = add_span(mention, q.score)
                        q.rid = res.resolve(mention)
                        resolved_spk[q.speaker] = q.rid
                    q.via = add_span(res.mention_span(medium, content), q.score)
        if q.speaker >= 0 or q.rid is not None:
            prev = q
        elif prev is None or q.start >= prev.end:
            prev = q

    # step 5: names and ids
    ids: Dict[int, str] = {}
    used: Dict[str, int] = {}
    names_out: List[Optional[str]] = [None] * nq
    ids_out: List[Optional[str]] = [None] * nq
    for q in order:
        if q.rid is None:
            continue
        name = res.display(q.rid)
        if not name:
            continue
        if q.rid not in ids:
            sid, k = name, 2
            while sid in used and used[sid] != q.rid:
                sid = f"{name}#{k}"
                k += 1
            used[sid] = q.rid
            ids[q.rid] = sid
        names_out[q.index] = name
        ids_out[q.index] = ids[q.rid]

    spk_out = [-1] * nq
    via_out = [-1] * nq
    for q in quotes:
        spk_out[q.index] = q.speaker
        via_out[q.index] = q.via
    group.attrs["speaker"] = spk_out
    group.attrs["via"] = via_out
    group.attrs["speaker_name"] = names_out
    group.attrs["speaker_id"] = ids_out
    if new_spans:
        old = list(speakers) if speakers is not None else []
        old_attrs = dict(speakers.attrs) if speakers is not None else {}
        attrs: Dict[str, Any] = {}
        for key, value in old_attrs.items():
            if isinstance(value, list) and len(value) == len(old):
                attrs[key] = list(value) + ([None] * len(new_spans) if key != "scores" else new_scores)
            else:
                attrs[key] = value
        if "scores" not in attrs:
            attrs["scores"] = [1.0] * len(old) + new_scores
        doc.spans[SPEAKER_KEY] = SpanGroup(doc, name=SPEAKER_KEY, attrs=attrs, spans=old + new_spans)
    logger.debug("speakers: %d quotes, %d referents, %d speaker spans added", nq, len(res.refs), len(new_spans))
