"""spacy-quotes: find quotations in news text, with their cue and speaker."""
from .about import __version__
from .base import base_pipeline_name, load_base
from .loading import load
from .plugins import export, hookimpl
from .quote import CUE_KEY, QUOTES_KEY, SPEAKER_KEY, Quote, get_quotes, install_extensions
from .render import render_html

__all__ = [
    "load", "export", "hookimpl", "render_html", "load_base", "base_pipeline_name", "Quote", "get_quotes", "install_extensions",
    "QUOTES_KEY", "CUE_KEY", "SPEAKER_KEY", "__version__",
]
