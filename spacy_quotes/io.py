"""Kept so that ``from spacy_quotes.io import ...`` goes on working: reading inputs is
:mod:`spacy_quotes.inputs`, running the pipeline over them :mod:`spacy_quotes.runner`."""
from .inputs import (  # noqa: F401
    BOM, JSONL_SUFFIXES, STDIN, STDIN_DOC_ID, TEXT_SUFFIX, InputError, InputReadError, InputText, decode_text,
    doc_id_for_path, expand_inputs, is_jsonl, iter_jsonl_texts, read_inputs, read_text_file,
)
from .runner import (  # noqa: F401
    SPLIT_BOUNDARIES, DocResult, RunSummary, iter_input_results, merge_chunk_records, pipe_records, prepare_resume,
    shift_record, split_text,
)

__all__ = [
    "InputText", "InputError", "DocResult", "InputReadError", "decode_text", "read_text_file",
    "doc_id_for_path", "is_jsonl", "expand_inputs", "iter_jsonl_texts", "read_inputs",
    "split_text", "shift_record", "merge_chunk_records", "pipe_records", "prepare_resume",
    "STDIN", "STDIN_DOC_ID", "SPLIT_BOUNDARIES",
]
