"""Quotes as one self-contained HTML page: each document's text with its quotes highlighted.

::

    from spacy_quotes.render import render_html
    html = render_html(nlp.pipe(texts), title="Quotes")

The page has inline CSS only (no script, font, image or stylesheet is fetched; a
Content-Security-Policy ``<meta>`` forbids it), so it can be mailed, archived or opened offline.
For each document it shows a heading (``doc.user_data["doc_id"]``), a table of the speakers
and their quote counts, and the text with:

* each quote highlighted by type -- direct (solid underline), mixed (dashed), indirect
  (dotted), each with its own colour -- and followed by a label with the type and the
  resolved speaker name;
* cues in bold, underlined; speaker mentions boxed (a medium that relayed a quote: dashed box).

A page of several documents starts with a table of contents and the speakers of all documents.

Why not ``spacy.displacy.render(doc, style="span")``: displaCy's span renderer draws each
token as a 60px-high inline block with the span bars under it and joins tokens with spaces,
so whitespace and newlines are lost, a quote's text is not one piece of text in the page, and
a three-line quote needs a dozen such rows. It suits short entity-like spans; quotes run to
whole sentences and paragraphs. Here the text is written out exactly (``white-space:
pre-wrap`` keeps paragraphs) and every piece is escaped with :func:`html.escape`; each quote's
``data-start``/``data-end`` are the offsets of its QUOTES_JSONL record.
"""
import html
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from spacy.language import Language
from spacy.tokens import Doc

from .about import __version__
from .quote import CUE_KEY, QUOTE_TYPES, SPEAKER_KEY, Quote, get_quotes, set_quote_groups
from .speaker_table import UNKNOWN_SPEAKER, RunSummary, SpeakerRow, collect_speakers, iter_input_results

logger = logging.getLogger("spacy_quotes")

TYPE_DESCRIPTIONS: Dict[str, str] = {
    "direct": "wholly inside quotation marks",
    "mixed": "partly inside quotation marks",
    "indirect": "reported speech, no quotation marks",
}

CSS = """
:root {
  color-scheme: light;
  --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --page: #f3f5f7; --card: #ffffff;
  --direct: #005a8f; --direct-bg: #d9ebf7;
  --mixed: #a84300; --mixed-bg: #fde3cf;
  --indirect: #6e2f86; --indirect-bg: #efe0f3;
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0; background: var(--page); color: var(--ink); line-height: 1.55;
  font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
    "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 54rem; margin: 0 auto; padding: 1rem; }
.card {
  background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 1rem 1.25rem; margin: 0 0 1.25rem;
}
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; line-height: 1.3; margin: 0 0 .25rem; overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: .9rem; margin: 0 0 .5rem; overflow-wrap: anywhere; }
a { color: var(--direct); }
.legend { list-style: none; padding: 0; margin: .75rem 0 0; display: flex; flex-wrap: wrap;
  gap: .25rem 1.25rem; font-size: .9rem; }
.legend li { line-height: 1.9; }
.legend .what { color: var(--muted); }
nav ol { margin: .25rem 0 0; padding-left: 1.5rem; }
nav li { overflow-wrap: anywhere; }
details { margin: .5rem 0; }
summary { cursor: pointer; font-weight: 600; }
.tablewrap { overflow-x: auto; -webkit-overflow-scrolling: touch; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin: .35rem 0 .25rem; }
th, td { text-align: left; padding: .3rem .45rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-weight: 600; background: #f6f8fa; }
td.name { overflow-wrap: break-word; min-width: 8rem; }
th.n, td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.ids { font-size: .8rem; color: var(--muted); overflow-wrap: anywhere; }
tr.unknown td.name { font-style: italic; color: var(--muted); }
.text {
  white-space: pre-wrap; overflow-wrap: anywhere; margin: 1rem 0 0;
  font-family: Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, "DejaVu Serif", serif;
  font-size: 1.0625rem; line-height: 1.95;
}
.q {
  color: inherit; border-radius: 2px; padding: .08em .06em .18em;
  border-bottom: 2px solid; -webkit-box-decoration-break: clone; box-decoration-break: clone;
}
.q .q { padding-bottom: 0; }
.q-direct { background: var(--direct-bg); border-bottom-color: var(--direct) !important;
  border-bottom-style: solid !important; }
.q-mixed { background: var(--mixed-bg); border-bottom-color: var(--mixed) !important;
  border-bottom-style: dashed !important; }
.q-indirect { background: var(--indirect-bg); border-bottom-color: var(--indirect) !important;
  border-bottom-style: dotted !important; }
.cue { font-weight: 700; text-decoration: underline; text-decoration-thickness: 2px;
  text-underline-offset: 3px; }
.spk, .via { border: 1.5px solid #3d444d; border-radius: 4px; padding: 0 .12em;
  -webkit-box-decoration-break: clone; box-decoration-break: clone; }
.via { border-style: dashed; }
.who {
  display: inline-block; max-width: 100%; margin: 0 .15em; vertical-align: .08em;
  font: 600 .72rem/1.35 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans",
    Arial, sans-serif;
  white-space: normal; overflow-wrap: anywhere; border: 1px solid; border-radius: 4px;
  background: #fff; color: var(--ink); text-indent: 0;
}
.who .tag { display: inline-block; padding: .05em .35em; color: #fff; text-transform: uppercase;
  letter-spacing: .03em; font-size: .92em; }
.who .name { padding: .05em .4em .05em .2em; }
.who-direct { border-color: var(--direct); } .who-direct .tag { background: var(--direct); }
.who-mixed { border-color: var(--mixed); } .who-mixed .tag { background: var(--mixed); }
.who-indirect { border-color: var(--indirect); } .who-indirect .tag { background: var(--indirect); }
.who .none { font-style: italic; color: var(--muted); font-weight: 500; }
.swatch { display: inline-block; min-width: 1.2em; text-align: center; }
.top { font-size: .85rem; margin: .75rem 0 0; }
.empty { color: var(--muted); font-style: italic; }
footer { color: var(--muted); font-size: .8rem; text-align: center; padding: 0 0 1.5rem; }
@media (max-width: 600px) {
  main { padding: .5rem; }
  .card { padding: .75rem .8rem; border-radius: 6px; margin-bottom: .75rem; }
  h1 { font-size: 1.35rem; }
  h2 { font-size: 1.08rem; }
  .text { font-size: 1rem; line-height: 1.85; }
  table { font-size: .82rem; }
  th, td { padding: .25rem .25rem; }
  th { font-size: .75rem; }
  td.name { min-width: 6.5rem; }
  th.ids, td.ids { display: none; }
  .swatch { font-size: .85em; }
}
@media print {
  body { background: #fff; }
  .card { border: none; padding: 0; }
  .top { display: none; }
}
""".strip()


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass
class _Mark:
    """One span of the text to wrap in an element."""

    start: int
    end: int
    kind: str  # "quote" | "spk" | "via" | "cue"
    rank: int  # for equal offsets: quotes outermost
    order: int
    quote: Optional[Quote] = None
    title: str = ""
    pieces: int = field(default=0)


@dataclass
class _Label:
    position: int
    quote: Quote
    anchor: str


def _name_of(quote: Quote) -> Optional[str]:
    name = quote.speaker_name
    if name is not None and not str(name).strip():
        return None
    return None if name is None else str(name)


def _quote_title(quote: Quote) -> str:
    name = _name_of(quote)
    parts = [f"{quote.type} quote #{quote.index}"]
    if name is not None:
        parts.append(f"speaker: {name}")
    elif quote.speaker is not None:
        parts.append("speaker: (unresolved)")
    else:
        parts.append("speaker: (unknown)")
    if quote.speaker is not None and (name is None or quote.speaker.text != name):
        parts.append(f"mention: \u201c{quote.speaker.text}\u201d")
    if quote.cue is not None:
        parts.append(f"cue: \u201c{quote.cue.text}\u201d")
    if quote.via is not None:
        parts.append(f"via: \u201c{quote.via.text}\u201d")
    parts.append(f"score {float(quote.score):.2f}")
    return " \u00b7 ".join(parts)


def _open_tag(mark: _Mark, anchor: str) -> str:
    if mark.kind == "quote":
        quote = mark.quote
        assert quote is not None
        qid = f"{anchor}-q{quote.index}"
        attrs = f' class="q q-{quote.type}" data-quote="{quote.index}"'
        if mark.pieces == 0:
            name = _name_of(quote)
            attrs += (
                f' id="{qid}" data-type="{quote.type}" data-start="{mark.start}" data-end="{mark.end}"'
                f' data-speaker="{_esc(name) if name is not None else ""}" title="{_esc(mark.title)}"'
            )
        mark.pieces += 1
        return f"<mark{attrs}>"
    mark.pieces += 1
    return f'<span class="{mark.kind}" title="{_esc(mark.title)}">'


def _close_tag(mark: _Mark) -> str:
    return "</mark>" if mark.kind == "quote" else "</span>"


def _label_html(label: _Label) -> str:
    quote = label.quote
    name = _name_of(quote)
    who = (f'<span class="name">{_esc(name)}</span>' if name is not None
           else '<span class="name none">unknown speaker</span>')
    return (
        f'<span class="who who-{quote.type}" data-for="{label.anchor}-q{quote.index}">'
        f'<span class="tag">{quote.type}</span> {who}</span>'
    )


def _marks(doc: Doc, n: int, quotes: Sequence[Quote], records: Sequence[Dict[str, Any]]) -> List[_Mark]:
    """RETURNS (List[_Mark]): the quotes (at their records' offsets), cues and speaker mentions
    of doc (n characters) to mark up."""
    marks: List[_Mark] = []
    for quote, record in zip(quotes, records):
        start, end = record["start"], record["end"]
        marks.append(_Mark(start, end, "quote", 0, len(marks), quote=quote, title=_quote_title(quote)))
    # speaker mentions: every span of the group, titled with the names it resolves to
    names_by_mention: Dict[tuple, List[str]] = defaultdict(list)
    speaker_offsets = set()
    via_offsets = set()
    for quote in quotes:
        if quote.speaker is not None:
            key = (quote.speaker.start_char, quote.speaker.end_char)
            speaker_offsets.add(key)
            name = _name_of(quote)
            if name is not None and name not in names_by_mention[key]:
                names_by_mention[key].append(name)
        if quote.via is not None:
            via_offsets.add((quote.via.start_char, quote.via.end_char))
    if SPEAKER_KEY in doc.spans:
        for span in doc.spans[SPEAKER_KEY]:
            key = (span.start_char, span.end_char)
            if key in via_offsets and key not in speaker_offsets:
                kind, title = "via", "relayed by (medium)"
            else:
                names = names_by_mention.get(key)
                kind, title = "spk", "speaker mention" + (f" \u2192 {' / '.join(names)}" if names else "")
            marks.append(_Mark(span.start_char, span.end_char, kind, 1, len(marks), title=title))
    if CUE_KEY in doc.spans:
        for span in doc.spans[CUE_KEY]:
            marks.append(_Mark(span.start_char, span.end_char, "cue", 2, len(marks), title="cue"))
    kept = []
    for mark in marks:
        mark.start, mark.end = max(0, mark.start), min(n, mark.end)
        if mark.start < mark.end:
            kept.append(mark)
    return kept


def _render_text(doc: Doc, text: str, quotes: Sequence[Quote], records: Sequence[Dict[str, Any]], anchor: str) -> str:
    """Write the text (doc.text) exactly, with the quote, cue and speaker elements properly nested.

    An element that crosses the end of an enclosing one is closed there and opened again
    after it, so overlapping spans still give well-formed HTML.
    """
    marks = _marks(doc, len(text), quotes, records)
    labels: Dict[int, List[_Label]] = defaultdict(list)
    for quote in quotes:
        labels[quote.content.end_char].append(_Label(quote.content.end_char, quote, anchor))
    starts: Dict[int, List[_Mark]] = defaultdict(list)
    for mark in marks:
        starts[mark.start].append(mark)
    points = sorted({m.start for m in marks} | {m.end for m in marks} | set(labels))
    out: List[str] = []
    stack: List[_Mark] = []
    pos = 0
    for point in points:
        out.append(_esc(text[pos:point]))
        pos = point
        ending = [i for i, mark in enumerate(stack) if mark.end <= point]
        reopen: List[_Mark] = []
        if ending:
            tail = stack[ending[0]:]
            del stack[ending[0]:]
            out.extend(_close_tag(mark) for mark in reversed(tail))
            reopen = [mark for mark in tail if mark.end > point]
        for label in sorted(labels.get(point, ()), key=lambda lab: -lab.quote.content.start_char):
            out.append(_label_html(label))
        for mark in reopen:
            out.append(_open_tag(mark, anchor))
            stack.append(mark)
        for mark in sorted(starts.get(point, ()), key=lambda m: (-m.end, m.rank, m.order)):
            out.append(_open_tag(mark, anchor))
            stack.append(mark)
    out.append(_esc(text[pos:]))
    out.extend(_close_tag(mark) for mark in reversed(stack))  # none left: all end <= len(text)
    return "".join(out)


def _speaker_table(rows: Sequence[SpeakerRow], *, label: str, anchors: Optional[Dict[str, str]] = None) -> str:
    """The speaker rows as a table; with anchors (doc id -> element id), also the documents."""
    head = ['<th scope="col">Speaker</th>', '<th scope="col" class="n">Quotes</th>']
    head += [f'<th scope="col" class="n"><span class="swatch q q-{t}">{t}</span></th>' for t in QUOTE_TYPES]
    if anchors is not None:
        head += ['<th scope="col" class="n">Docs</th>', '<th scope="col" class="ids">Documents</th>']
    body = []
    for row in rows:
        cells = [f'<td class="name">{_esc(row.name)}</td>', f'<td class="n">{row.quotes}</td>']
        cells += [f'<td class="n">{getattr(row, t)}</td>' for t in QUOTE_TYPES]
        if anchors is not None:
            links = [
                f'<a href="#{anchors[doc_id]}">{_esc(doc_id)}</a>' if doc_id in anchors else _esc(doc_id)
                for doc_id in row.doc_ids
            ]
            cells.append(f'<td class="n">{row.documents}</td>')
            cells.append(f'<td class="ids">{", ".join(links)}</td>')
        row_class = ' class="unknown"' if row.name == UNKNOWN_SPEAKER else ""
        body.append(f'<tr{row_class}>{"".join(cells)}</tr>')
    return (
        f'<div class="tablewrap"><table class="speakers" aria-label="{_esc(label)}">'
        f'<thead><tr>{"".join(head)}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'
    )


def _type_counts(quotes: Sequence[Quote]) -> str:
    counts = Counter(q.type for q in quotes)
    return ", ".join(f"{counts[t]} {t}" for t in QUOTE_TYPES if counts[t])


def _doc_id(doc: Doc, i: int) -> str:
    doc_id = doc.user_data.get("doc_id")
    return str(doc_id) if doc_id is not None else str(i)


def _article(doc: Doc, anchor: str, heading: str) -> Tuple[str, List[Dict[str, Any]]]:
    """RETURNS (Tuple[str, List[Dict[str, Any]]]): the document's ``<article>`` and its records."""
    quotes = get_quotes(doc)
    records = [q.to_dict(doc_id=heading) for q in quotes]
    text = doc.text  # built from the tokens on each access: once is enough
    rows = collect_speakers(records)
    meta = [f"{len(quotes)} quote{'s' if len(quotes) != 1 else ''}"]
    if quotes:
        meta[0] += f" ({_type_counts(quotes)})"
        meta.append(f"{len(rows)} speaker{'s' if len(rows) != 1 else ''}")
    source = doc.user_data.get("source")
    if source:
        meta.append(f"source: {source}")
    parts = [
        f'<article class="card doc" id="{_esc(anchor)}" data-doc-id="{_esc(heading)}">',
        f"<h2>{_esc(heading)}</h2>",
        f'<p class="meta">{_esc(" · ".join(meta))}</p>',
    ]
    if rows:
        parts.append(
            "<details open><summary>Speakers</summary>"
            + _speaker_table(rows, label="Quotes per speaker in this document")
            + "</details>"
        )
    else:
        parts.append('<p class="empty">No quotes found in this document.</p>')
    parts.append(f'<div class="text">{_render_text(doc, text, quotes, records, anchor)}</div>')
    parts.append('<p class="top"><a href="#top">\u2191 Top</a></p>')
    parts.append("</article>")
    return "\n".join(parts), records


def render_doc(doc: Doc, *, anchor: str = "doc-1", heading: Optional[str] = None) -> str:
    """One document as an HTML fragment (an ``<article>``), for :func:`render_html` or a notebook.

    doc (Doc): a Doc processed by the ``quotes`` component, or a gold Doc.
    anchor (str): the article's id; quote ids are ``<anchor>-q<index>``.
    heading (Optional[str]): the heading; defaults to ``doc.user_data["doc_id"]`` (else "0").
    RETURNS (str): the fragment; it needs the page's CSS (:data:`CSS`) to look right.
    """
    return _article(doc, anchor, _doc_id(doc, 0) if heading is None else heading)[0]


def _legend() -> str:
    items = [
        f'<li><mark class="q q-{t}">{t}</mark> <span class="what">{_esc(TYPE_DESCRIPTIONS[t])}</span></li>'
        for t in QUOTE_TYPES
    ]
    items.append(
        '<li><span class="who who-direct"><span class="tag">type</span> <span class="name">Speaker</span>'
        '</span> <span class="what">the resolved speaker of the quote</span></li>'
    )
    items.append('<li><span class="cue">said</span> <span class="what">cue</span></li>')
    items.append('<li><span class="spk">she</span> <span class="what">speaker mention</span></li>')
    items.append('<li><span class="via">the agency</span> <span class="what">relayed by (medium)</span></li>')
    return f'<ul class="legend" aria-label="Legend">{"".join(items)}</ul>'


def render_html(docs: Union[Doc, Iterable[Doc]], *, title: str = "Quotes") -> str:
    """Render documents and their quotes as one self-contained HTML page.

    docs (Union[Doc, Iterable[Doc]]): Docs processed by the ``quotes`` component (or gold Docs),
        or a single Doc. Each is headed by ``doc.user_data["doc_id"]`` (else its position).
    title (str): the page title.
    RETURNS (str): the HTML page (inline CSS; nothing is loaded from the network).
    """

    if isinstance(docs, Doc):
        docs = [docs]
    articles: List[str] = []
    toc: List[str] = []
    records: List[dict] = []
    n_quotes = 0
    anchors: Dict[str, str] = {}
    for i, doc in enumerate(docs):
        doc_id = _doc_id(doc, i)
        anchor = f"doc-{i + 1}"
        anchors.setdefault(doc_id, anchor)
        article, doc_records = _article(doc, anchor, doc_id)
        articles.append(article)
        records.extend(doc_records)
        n_quotes += len(doc_records)
        toc.append(f'<li><a href="#{anchor}">{_esc(doc_id)}</a> <span class="meta">'
                   f"({len(doc_records)} quote{'s' if len(doc_records) != 1 else ''})</span></li>")
    rows = collect_speakers(records)
    logger.debug("render_html: %d documents, %d quotes", len(articles), n_quotes)
    summary = (f"{len(articles)} document{'s' if len(articles) != 1 else ''} \u00b7 "
               f"{n_quotes} quote{'s' if n_quotes != 1 else ''} \u00b7 "
               f"{len(rows)} speaker{'s' if len(rows) != 1 else ''}")
    header = [
        '<header class="card page">',
        f"<h1>{_esc(title)}</h1>",
        f'<p class="meta">{summary}</p>',
        _legend(),
        "</header>",
    ]
    nav: List[str] = []
    overview: List[str] = []
    if len(articles) > 1:
        more = '<p class="meta"><a href="#speakers">Speakers in all documents \u2193</a></p>' if rows else ""
        nav = [f'<nav class="card" aria-label="Documents"><h2>Documents</h2><ol>{"".join(toc)}</ol>{more}</nav>']
        if rows:
            overview = [
                '<section class="card overview" id="speakers">',
                "<h2>Speakers in all documents</h2>",
                f'<p class="meta">{summary}</p>',
                _speaker_table(rows, anchors=anchors, label="Quotes per speaker, all documents"),
                '<p class="top"><a href="#top">\u2191 Top</a></p>',
                "</section>",
            ]
    if not articles:
        articles.append('<p class="card empty">No documents.</p>')
    page = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f'<meta name="generator" content="spacy-quotes {_esc(__version__)}">',
        f"<title>{_esc(title)}</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        '<body id="top">',
        "<main>",
        *header,
        *nav,
        *articles,
        *overview,
        "</main>",
        f"<footer>Made with spacy-quotes {_esc(__version__)}</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(page) + "\n"


def write_html(docs: Union[Doc, Iterable[Doc]], path: Union[str, Path], *, title: str = "Quotes") -> Path:
    """Render documents with :func:`render_html` and write the page (UTF-8).

    docs (Union[Doc, Iterable[Doc]]): the documents.
    path (Union[str, Path]): the output file; its folder is created if needed.
    title (str): the page title.
    RETURNS (Path): the path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(docs, title=title), encoding="utf-8", newline="\n")
    return path


# --- the ``spacy-quotes render`` command -------------------------------------------------

_EDGE_MARKS = set("\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e\u201a\u201f\u201b\u2039\u203a")


def _span_offsets(value: Any) -> Optional[Tuple[int, int]]:
    if isinstance(value, dict) and isinstance(value.get("start"), int) and isinstance(value.get("end"), int):
        return value["start"], value["end"]
    return None


def doc_from_records(
    nlp: Language,
    text: str,
    records: Iterable[Dict[str, Any]],
    *,
    doc_id: Optional[str] = None,
    source: Optional[str] = None,
) -> Doc:
    """A Doc carrying the quotes of QUOTES_JSONL records, for :func:`render_html`.

    The text is only tokenised (``nlp.tokenizer``, so any length works, and records of a long
    text that was processed in chunks map onto one Doc). A direct quote's content is widened
    over the quotation marks (and a comma) right at its edges, as the component's spans are, so
    its label comes after the closing mark; the highlighted offsets stay the record's
    ``start``/``end`` wherever they fall on token boundaries (the record offsets always do
    for the component's output).

    nlp (Language): the pipeline whose tokenizer to use.
    text (str): the document text the records index.
    records (Iterable[Dict[str, Any]]): the document's quote records.
    doc_id (Optional[str]): stored as ``doc.user_data["doc_id"]``.
    source (Optional[str]): stored as ``doc.user_data["source"]``.
    RETURNS (Doc): the Doc with the quote span groups.
    """
    doc = nlp.tokenizer(text)
    if doc_id is not None:
        doc.user_data["doc_id"] = doc_id
    if source is not None:
        doc.user_data["source"] = source
    items = []
    for record in records:
        start, end = int(record["start"]), int(record["end"])
        qtype = record.get("type") if record.get("type") in QUOTE_TYPES else "indirect"
        if qtype == "direct":
            while start > 0 and text[start - 1] in _EDGE_MARKS:
                start -= 1
            while end < len(text) and (text[end] in _EDGE_MARKS or (text[end] in ",;:" and end + 1 < len(text)
                                                                    and text[end + 1] in _EDGE_MARKS)):
                end += 1
        name = record.get("speaker_name")
        speaker_id = record.get("speaker_id")
        prefix = f"{record.get('doc_id')}:"
        if isinstance(speaker_id, str) and speaker_id.startswith(prefix):
            speaker_id = speaker_id[len(prefix):]  # to_dict() adds the prefix again
        items.append({
            "content": (start, end),
            "type": qtype,
            "cue": _span_offsets(record.get("cue")),
            "speaker": _span_offsets(record.get("speaker")),
            "via": _span_offsets(record.get("via")),
            "speaker_name": name,
            "speaker_id": speaker_id,
            "score": float(record.get("score", 1.0)),
        })
    set_quote_groups(doc, items)
    return doc


def render_command(
    inputs: Sequence[Union[str, Path]],
    nlp: Language,
    *,
    title: str = "Quotes",
    **options: Any,
) -> Tuple[str, RunSummary]:
    """``spacy-quotes render``: one HTML page of the quotes found in the inputs.

    The records are those ``spacy-quotes extract`` writes (same reading, chunking of long
    texts and plugins), drawn onto each text with :func:`doc_from_records`.

    inputs (Sequence[Union[str, Path]]): ``.txt`` files, directories, JSONL files, ``-``.
    nlp (Language): the pipeline (base + ``quotes``).
    title (str): the page title.
    options: the keyword arguments of :func:`spacy_quotes.speaker_table.iter_input_results`
        (``stdin``, ``batch_size``, ``n_process``, ``max_length``, ``skip_errors``,
        ``records_from_doc``, ``on_error``, ``on_done``).
    RETURNS (Tuple[str, RunSummary]): the HTML page and what was done.
    """
    summary = RunSummary()
    results = iter_input_results(inputs, nlp, summary=summary, **options)
    docs = (
        doc_from_records(nlp, result.item.text, result.records, doc_id=result.item.doc_id,
                         source=result.item.source)
        for result in results
    )
    page = render_html(docs, title=title)
    return page, summary
