"""The settings of the speaker resolver (the ``speaker_config`` of the ``quotes`` component)."""
from dataclasses import dataclass, field, fields
from typing import Any, Dict, FrozenSet, Iterable, List, Optional

from ..text import norm_word
from .lexicon import DEFAULT_MEDIA_NAMES, DEFAULT_MEDIA_NOUNS, DEFAULT_ROLE_NOUNS


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
        # the word lists in norm_word form, as the resolver compares them
        self.role_set: FrozenSet[str] = frozenset(norm_word(w) for w in self.role_nouns)
        self.media_noun_set: FrozenSet[str] = frozenset(norm_word(w) for w in self.media_nouns)
        self.media_name_set: FrozenSet[str] = frozenset(
            " ".join(norm_word(p) for p in w.split()) for w in self.media_names)

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
