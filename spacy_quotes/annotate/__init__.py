"""Annotating your own data: the model's quotes as pre-annotations for Label Studio or brat
(:mod:`.export`), and the tools' exports back into training data (:mod:`.convert`).

The stages: a tool's documents are :class:`~.regions.ToolDocument` items (regions and
relations, :mod:`.regions`); :mod:`.labelstudio` and :mod:`.brat` write and read each tool's
format; :func:`~.regions.to_annotation` maps a document to an annotation record
(:mod:`spacy_quotes.annotations`), from which the gold ``.spacy`` files are made.
"""
from .convert import ConvertSummary, convert_brat, convert_labelstudio, write_training_data
from .export import TOOLS, export_command, preannotated_documents, preannotation_records
from .regions import AnnotationError, Region, Relation, ToolDocument, parse_label_map, quote_regions, to_annotation

__all__ = [
    "AnnotationError", "Region", "Relation", "ToolDocument", "parse_label_map", "quote_regions", "to_annotation",
    "TOOLS", "export_command", "preannotated_documents", "preannotation_records",
    "ConvertSummary", "convert_brat", "convert_labelstudio", "write_training_data",
]
