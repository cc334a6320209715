"""Fine-tuning helpers: the pipeline ``spacy train`` starts from, and a ready pipeline from its output.

``configs/quotes_finetune.cfg`` sources the ``quotes`` component from a saved pipeline
(:func:`write_finetune_source`: a blank English pipeline holding the shipped weights), so
training resumes from them. ``spacy train`` then saves a pipeline with only ``quotes`` (the
gold docs carry their parses); :func:`assemble_pipeline` puts it after the base pipeline with
speaker resolution back on, ready for ``spacy-quotes extract --model`` or ``spacy.load``.
"""
from pathlib import Path
from typing import Union

import spacy
from spacy.language import Language

from ..base import load_base


def write_finetune_source(path: Union[str, Path]) -> Path:
    """Save the pipeline the fine-tuning config sources ``quotes`` from (``--paths.source``):
    the shipped weights, speaker resolution off (training scores without names).

    path (Union[str, Path]): the folder to write.
    RETURNS (Path): the folder.
    """
    nlp = spacy.blank("en")
    nlp.add_pipe("quotes", config={"resolve_speakers": False})
    nlp.to_disk(path)
    return Path(path)


def assemble_pipeline(trained: Union[str, Path], out: Union[str, Path], *, base: str = "") -> Language:
    """A ready pipeline: the base pipeline plus the trained ``quotes`` of a ``spacy train``
    output (e.g. ``training/finetuned/model-best``), with speaker resolution on.

    trained (Union[str, Path]): the trained pipeline folder.
    out (Union[str, Path]): where to save the ready pipeline.
    base (str): the base pipeline (default: en_core_web_sm, else its re-upload).
    RETURNS (Language): the saved pipeline, loaded back from out.
    RAISES (ValueError): when trained has no ``quotes`` component.
    """
    source = spacy.load(trained)
    if "quotes" not in source.pipe_names:
        raise ValueError(f"{trained}: no 'quotes' component (pipes: {', '.join(source.pipe_names) or 'none'})")
    nlp = load_base(base)
    nlp.add_pipe("quotes", source=source)
    nlp.to_disk(out)
    # the sourced component keeps the training config (resolve_speakers = false): switch it on
    nlp = spacy.load(out, config={"components": {"quotes": {"resolve_speakers": True}}})
    nlp.to_disk(out)
    return nlp
