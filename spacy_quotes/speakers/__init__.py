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

Everything is computed from precomputed arrays, sorted offset lists, indexes and bisect, so a
document costs O(n_tokens + n_quotes * window), not O(n_quotes * n_tokens); linking a name
looks its candidates up by its words (see :mod:`.referents`), however many referents share one.

Modules, in the order they build on each other: :mod:`.lexicon` (word lists), :mod:`.weights`
(evidence weights, margins, windows), :mod:`.config` (the settings), :mod:`.docindex` (the
document index), :mod:`.names` (name and title tests), :mod:`.referents` (referents and the
table that links names to them), :mod:`.titles` (titles learned from the document),
:mod:`.salience` (salience events), :mod:`.mentions` (mention spans and their kinds),
:mod:`.pronouns`, :mod:`.definites` (definite titles, organisation nouns, descriptions),
:mod:`.resolver` (steps 1 and 3), :mod:`.mention_steps` (step 2) and :mod:`.steps`
(:func:`resolve_speakers`: all steps in order). Names are compared in the form of
:mod:`spacy_quotes.text`.
"""
from ..text import NAME_PARTICLES, fold, norm_word
from .config import SpeakerResolverConfig
from .lexicon import (
    DEFAULT_MEDIA_NAMES, DEFAULT_MEDIA_NOUNS, DEFAULT_ROLE_NOUNS, GENDERED_NOUNS, GENERIC_ORG_NOUNS, HONORIFICS,
    IGNORED_MODIFIERS, INDEFINITE, MESSAGE_NOUNS, NAME_LABELS, OFFICES, ORG_NOUNS, PERSON_NOUNS, PRON_FEMALE,
    PRON_I, PRON_IT, PRON_MALE, PRON_THEY, PRON_WE, PRONOUNS, RELATIVE, ROLE_SYNONYMS, SAY_LEMMAS,
)
from .steps import RESOLVED_LABEL, resolve_speakers

__all__ = [
    "resolve_speakers", "SpeakerResolverConfig", "RESOLVED_LABEL", "fold", "norm_word", "NAME_PARTICLES",
    "DEFAULT_ROLE_NOUNS", "DEFAULT_MEDIA_NOUNS", "DEFAULT_MEDIA_NAMES", "HONORIFICS", "GENDERED_NOUNS",
    "ROLE_SYNONYMS", "PERSON_NOUNS", "ORG_NOUNS", "GENERIC_ORG_NOUNS", "SAY_LEMMAS", "IGNORED_MODIFIERS",
    "OFFICES", "PRON_MALE", "PRON_FEMALE", "PRON_IT", "PRON_THEY", "PRON_WE", "PRON_I", "PRONOUNS", "RELATIVE",
    "INDEFINITE", "NAME_LABELS", "MESSAGE_NOUNS",
]
