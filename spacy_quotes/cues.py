"""The word lists of the not-quote filter and of ``cue_kind``, in one place.

``cue_kind`` sorts a quote's cue into what a user filters on to keep only what was said:

* ``"speech"``: the cue reports words spoken or written (``said``, ``told``, ``according to``,
  ``statement``, ``tweeted``, a dialogue verb such as ``grumbled``); a direct or mixed quote
  without a cue (a continuation paragraph, a quote signed after a dash, an interview answer)
  is speech too;
* ``"belief"``: the cue reports a thought, expectation or feeling (``believes``, ``expects``,
  ``fears``, ``hopes``);
* ``"other"``: anything else (``found``, ``showed``, ``defended``, ``criticised``), and an
  indirect quote without a cue.

The speech and belief lists are hand-made: reporting verbs, nouns of speech, verbs of belief
and the dialogue verbs of fiction and features. Checked against the gold cues of PolNeAR
train (``training/corpus/train.spacy``: 19,830 cues in 840 articles; lemmas of the base
pipeline): ``say`` is in 27% of the cues; of the 233 lemmas that begin 10 or more cues (their
first word that is no stop word), the lists hold the speech and belief ones (118, on 61% of the
cues); the rest are classed ``"other"`` on purpose: actions and stances (``support``, ``show``,
``endorse``, ``attack``, ``find``, ``seek``, ``vote``, ``defend``, ``oppose``), adverbs and
dates inside a cue span, and the base pipeline's ``hop`` for ``hoped``. A lemma is looked up
lowercased; a multi-word cue is classed by its first word found in a list.
"""
from typing import FrozenSet, Iterable, Optional

CUE_KINDS = ("speech", "belief", "other")

SPEECH_CUES: FrozenSet[str] = frozenset({
    # reporting verbs
    "say", "tell", "add", "state", "announce", "declare", "report", "claim", "argue", "insist",
    "explain", "note", "write", "tweet", "post", "testify", "confirm", "deny", "admit", "acknowledge",
    "concede", "warn", "threaten", "promise", "vow", "pledge", "urge", "call", "demand", "ask",
    "suggest", "propose", "recommend", "predict", "estimate", "describe", "accuse", "allege",
    "charge", "blame", "praise", "criticize", "criticise", "condemn", "reply", "respond", "answer",
    "comment", "remark", "mention", "stress", "emphasize", "emphasise", "reiterate", "repeat",
    "assert", "maintain", "contend", "point", "observe", "caution", "recall", "quote", "cite",
    "brief", "inform", "notify", "advise", "assure", "boast", "complain", "protest", "object",
    "question", "wonder", "joke", "agree", "disagree", "dispute", "reject", "dismiss", "counter",
    "signal", "indicate", "hint", "disclose", "reveal", "publish", "release", "order", "instruct",
    "request", "appeal", "plead", "pray", "swear", "concur", "conclude", "summarize", "summarise",
    "according", "accord", "tout", "label", "brand", "dub",
    # frequent in PolNeAR train's gold cues (10+ each)
    "talk", "speak", "express", "discuss", "refer", "echo", "voice", "lament", "decry", "denounce",
    "applaud", "apologize", "apologise", "underscore", "highlight", "outline", "chant", "mock",
    "slam", "blast", "assail",
    # dialogue verbs
    "grumble", "sigh", "snap", "whisper", "shout", "yell", "cry", "scream", "mutter", "murmur",
    "laugh", "smile", "groan", "moan", "exclaim", "retort", "quip", "sneer", "growl", "bark",
    "hiss", "mumble", "stammer", "chuckle", "beam", "gasp", "sob", "wail", "roar", "muse",
    "interject", "interrupt", "continue", "begin", "finish", "offer", "volunteer", "chime",
    "remind", "confide", "concede", "admit",
    # nouns of speech
    "statement", "remark", "remarks", "comment", "comments", "words", "word", "interview",
    "speech", "address", "announcement", "claim", "allegation", "accusation", "assertion",
    "denial", "warning", "testimony", "letter", "tweet", "post", "message", "release",
    "briefing", "conference", "declaration", "message", "told", "says", "said",
})

BELIEF_CUES: FrozenSet[str] = frozenset({
    "believe", "think", "feel", "fear", "hope", "expect", "worry", "doubt", "suspect", "assume",
    "consider", "know", "reckon", "suppose", "imagine", "guess", "trust", "wish", "want",
    "anticipate", "forecast", "foresee", "see", "view", "regard", "judge", "deem",
    "conclude", "understand", "realize", "realise", "remember", "agree", "sense", "bet",
    "belief", "view", "opinion", "fear", "fears", "hope", "hopes", "expectation", "concern",
    "concerns", "worry", "worries", "doubt", "doubts", "suspicion", "sense", "feeling",
})

# Cues that name or label a thing rather than report what someone said: the quoted words they
# introduce are a nickname, an epithet or a title (``dubbed "the oven"``, ``nicknamed
# "Iceberg"``, ``known as "the Wall"``, ``a so-called "drive"``, ``titled "..."``).
NAMING_CUES: FrozenSet[str] = frozenset({
    "dub", "dubbed", "nickname", "nicknamed", "title", "titled", "entitle", "entitled",
    "so-called", "christen", "christened", "rename", "renamed", "bill", "billed",
})

# Nouns of works whose titles are written in quotation marks.
WORK_NOUNS: FrozenSet[str] = frozenset({
    "album", "single", "song", "track", "record", "ep", "book", "novel", "memoir", "biography",
    "collection", "poem", "play", "musical", "opera", "film", "movie", "documentary", "series",
    "show", "programme", "program", "episode", "podcast", "painting", "exhibition", "installation",
    "sculpture", "report", "study", "paper", "article", "essay", "column", "column", "manifesto",
    "campaign", "anthem", "hymn", "ballad", "sequel", "trilogy", "game", "video", "title",
})

# Actions whose plain object carries no proposition (``adopted [the plan]``, ``built [the
# website]``, ``defended [the budget]``): the ``plain_object`` filter drops a noun-phrase
# content only after one of these. Verbs of speech, belief or stance with a noun-phrase object
# (``criticized [the decision]``, ``endorsed [Clinton]``, ``questioned [the integrity of ...]``)
# are attributions in PolNeAR and stay.
PLAIN_OBJECT_CUES: FrozenSet[str] = frozenset({
    "adopt", "approve", "pass", "ratify", "veto", "sign", "enact", "build", "construct", "design",
    "create", "open", "close", "launch", "unveil", "present", "table", "submit", "file", "defend",
    "award", "hire", "appoint", "buy", "sell", "win", "lose", "complete", "finish", "host",
    "organise", "organize", "fund", "finance",
})

# The words of a cue with no content: ``declined to comment``, ``spoke to reporters``, ``did not
# respond to a request for comment``. A content made only of these (and function words) is no
# attribution.
NO_CONTENT_WORDS: FrozenSet[str] = frozenset({
    "comment", "comments", "request", "requests", "reporter", "reporters", "journalist",
    "journalists", "press", "media", "question", "questions", "inquiry", "inquiries", "enquiry",
    "enquiries", "call", "calls", "email", "emails", "message", "messages", "interview",
    "interviews", "detail", "details", "matter", "further", "immediately", "elaborate",
})


def cue_kind(cue_words: Optional[Iterable[str]], quote_type: str) -> str:
    """The ``cue_kind`` of a quote (see the module docstring).

    cue_words (Optional[Iterable[str]]): the cue's lemmas and lowercased words (None: no cue).
    quote_type (str): the quote's type (direct / mixed / indirect).
    RETURNS (str): ``"speech"``, ``"belief"`` or ``"other"``.
    """
    if cue_words is None:
        return "speech" if quote_type in ("direct", "mixed") else "other"
    for word in cue_words:
        word = word.lower()
        if word in SPEECH_CUES:
            return "speech"
        if word in BELIEF_CUES:
            return "belief"
    return "other"
