"""A cue lexicon for the model's features: what kind of cue a lemma is, known beyond its hash.

A rare reporting verb (``reaffirm``, ``clarify``) or a noun cue (``warning``, ``pledge``) gets
an undertrained row of the hashed word embedding, so the tagger misses it as a cue, and misses
the content it governs. The lexicon gives every lemma a small class id shared by all lemmas of
the same kind, which the model sees on the token, on its head, on the sentence root and on the
clause edge above it (``spacy_quotes.QuoteEmbed.v2``):

* the hand-made kind of :mod:`spacy_quotes.cues` (speech, belief, naming, other), which covers
  verbs and nouns of speech that training data may never show as cues;
* how often the lemma is a cue in the training data (``learn_cue_rates``, from the gold cues
  of the examples ``QuotePipe.initialize`` sees), in five buckets: unseen or rare in train, then
  cue rates under 5 %, 20 %, 50 % and above.

The learned rates are kept in the feature layer's ``attrs`` (lemma -> bucket), so they are saved
and loaded with the model's weights.
"""
from collections import Counter
from typing import Dict, Iterable, Mapping, Tuple

import numpy
from spacy.attrs import LEMMA
from spacy.strings import hash_string
from spacy.tokens import Doc

from ..cues import BELIEF_CUES, NAMING_CUES, SPEECH_CUES

N_KINDS = 4  # 0 none, 1 speech, 2 belief, 3 naming
N_BUCKETS = 5
RATE_EDGES = (0.05, 0.2, 0.5)
MIN_COUNT = 3  # a lemma seen fewer times in train has no learned rate (bucket 0)
N_CLASSES = N_KINDS * N_BUCKETS


def _hand_kinds() -> Dict[int, int]:
    kinds: Dict[int, int] = {}
    for kind, words in ((3, NAMING_CUES), (2, BELIEF_CUES), (1, SPEECH_CUES)):  # speech wins ties
        for word in words:
            kinds[hash_string(word)] = kind
    return kinds


HAND_KINDS = _hand_kinds()


def rate_bucket(n_cue: int, n_all: int) -> int:
    """The learned bucket (1-4) of a lemma seen ``n_all`` times, ``n_cue`` of them in a cue; 0
    for one seen fewer than MIN_COUNT times."""
    if n_all < MIN_COUNT:
        return 0
    rate = n_cue / n_all
    return 1 + sum(rate >= edge for edge in RATE_EDGES)


def learn_cue_rates(docs_and_cue_tokens: Iterable[Tuple[Doc, Iterable[int]]]) -> Dict[str, int]:
    """Lemma -> learned bucket, from (doc, indices of its tokens inside gold cues) pairs.

    Lemmas are lowercased; only lemmas of bucket > 0 are kept.
    """
    seen: Counter = Counter()
    in_cue: Counter = Counter()
    for doc, cue_tokens in docs_and_cue_tokens:
        for token in doc:
            seen[token.lemma_.lower()] += 1
        for i in set(cue_tokens):
            in_cue[doc[i].lemma_.lower()] += 1
    table = {lemma: rate_bucket(in_cue[lemma], n) for lemma, n in seen.items()}
    return {lemma: b for lemma, b in table.items() if b}


def lemma_classes(doc: Doc, rates: Mapping[str, int], cache: Dict[int, int]) -> numpy.ndarray:
    """The lexicon class (0..N_CLASSES-1) of each token's lowercased lemma.

    cache (Dict[int, int]): lemma hash -> class, filled as lemmas are met (one per rates table).
    """
    lemmas = doc.to_array(LEMMA).astype(numpy.uint64).reshape(-1)
    uniq, inverse = numpy.unique(lemmas, return_inverse=True)  # each distinct lemma once
    strings = doc.vocab.strings
    classes = numpy.zeros(len(uniq), dtype=numpy.uint64)
    for j, key in enumerate(uniq.tolist()):
        cls = cache.get(key)
        if cls is None:
            lower = strings[key].lower()
            cls = HAND_KINDS.get(hash_string(lower), 0) * N_BUCKETS + int(rates.get(lower, 0))
            cache[key] = cls
        classes[j] = cls
    return classes[inverse.reshape(-1)]


__all__ = ["N_CLASSES", "HAND_KINDS", "learn_cue_rates", "lemma_classes", "rate_bucket"]
