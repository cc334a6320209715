"""The hooks a spacy-quotes plugin can implement (pluggy project name ``spacy_quotes``)."""
from pluggy import HookimplMarker, HookspecMarker

hookspec = HookspecMarker("spacy_quotes")
hookimpl = HookimplMarker("spacy_quotes")


@hookspec
def register_exporters(register):
    """Register output formats.

    Call ``register(name, export, description="", extension="")`` once per format, where
    ``export(records, path)`` writes an iterable of quote records (dicts, see
    QUOTES_JSONL.md) to ``path`` ("-" is standard output).
    """


@hookspec
def process_record(record, quote, doc):
    """Change a quote record before it is exported: add fields, or edit them in place.

    ``record`` is the dict of QUOTES_JSONL.md, ``quote`` the :class:`spacy_quotes.Quote` it
    was made from and ``doc`` its spaCy Doc. Return nothing, or a dict of fields to add.
    """
