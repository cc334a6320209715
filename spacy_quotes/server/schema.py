"""The request and response bodies of ``POST /v1/quotes`` (pydantic models: they validate the
request and make the OpenAPI schema)."""
from typing import Any, Dict, List, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

from ..inputs import InputText

QuoteType = Literal["direct", "mixed", "indirect"]


class DocumentIn(BaseModel):
    """One document: its text and, optionally, its id (the records' ``doc_id``)."""

    model_config = ConfigDict(extra="forbid")

    id: Optional[Union[StrictStr, StrictInt]] = Field(
        None, description="The records' doc_id (default: the document's 1-based position).")
    text: StrictStr = Field(..., description="The text; record offsets index it exactly as sent.")


class QuotesRequest(BaseModel):
    """``{"text": ...}`` (one document) or ``{"documents": [...]}``, with options."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"text": "\u201cWe will rebuild the bridge by June,\u201d the mayor said on Tuesday."},
                     {"documents": [{"id": "a1", "text": "The minister said the plan would cut costs."}],
                      "min_score": 0.5}],
    })

    text: Optional[StrictStr] = Field(None, description="One document's text (doc_id: `id`, else \"1\").")
    id: Optional[Union[StrictStr, StrictInt]] = Field(None, description="With `text`: its doc_id.")
    documents: Optional[List[DocumentIn]] = Field(None, description="Several documents, each with its id.")
    min_score: Optional[float] = Field(None, ge=0.0, le=1.0, allow_inf_nan=False,
                                       description="Keep the records whose score is at least this.")
    types: Optional[List[QuoteType]] = Field(None, description="Keep these quote types only.")
    cue_kind: Optional[Union[StrictStr, List[StrictStr]]] = Field(
        None, description="Keep the records whose `cue_kind` is one of these, where the record has a "
        "`cue_kind` field (records without one are kept, and the answer carries a warning).")
    html: bool = Field(False, description="Also answer `html`: the documents drawn with their quotes "
                       "(as `spacy-quotes render` draws them).")

    @model_validator(mode="after")
    def _one_input(self) -> "QuotesRequest":
        if (self.text is None) == (self.documents is None):
            raise ValueError("give either 'text' (one document) or 'documents' (a list of {id, text})")
        if self.documents is None and self.id is not None and self.text is None:
            raise ValueError("'id' goes with 'text'")
        if self.documents is not None and self.id is not None:
            raise ValueError("'id' goes with 'text'; with 'documents', each document has its own id")
        return self

    def input_texts(self) -> List[InputText]:
        """RETURNS (List[InputText]): the documents, with their doc_ids."""
        if self.documents is None:
            doc_id = "1" if self.id is None else str(self.id)
            return [InputText(doc_id=doc_id, text=self.text or "", source=f"document '{doc_id}'")]
        texts = []
        for i, doc in enumerate(self.documents, 1):
            doc_id = str(i) if doc.id is None else str(doc.id)
            texts.append(InputText(doc_id=doc_id, text=doc.text, source=f"document '{doc_id}'"))
        return texts


class Span(BaseModel):
    text: str
    start: int
    end: int


class Record(BaseModel):
    """A quote record of QUOTES_JSONL.md (plugins may add fields)."""

    model_config = ConfigDict(extra="allow")

    doc_id: str
    index: int
    type: QuoteType
    text: str
    start: int
    end: int
    cue: Optional[Span]
    speaker: Optional[Span]
    speaker_name: Optional[str]
    speaker_id: Optional[str]
    score: float


class QuotesResponse(BaseModel):
    """The answer of ``POST /v1/quotes`` without ``format``."""

    quotes: List[Record]
    warnings: Optional[List[str]] = None
    html: Optional[str] = Field(None, description="With `html: true`: the documents as HTML articles.")


def request_schema() -> Dict[str, Any]:
    """RETURNS (Dict[str, Any]): the JSON schema of the request body for the OpenAPI schema,
    with its definitions written in place (a ``$defs`` reference would not resolve there)."""
    schema = QuotesRequest.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(value: Any) -> Any:
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(defs[ref[len("#/$defs/"):]])
            return {k: inline(v) for k, v in value.items()}
        if isinstance(value, list):
            return [inline(v) for v in value]
        return value

    return inline(schema)


__all__ = ["DocumentIn", "QuotesRequest", "Record", "QuotesResponse", "request_schema"]
