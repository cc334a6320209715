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
from importlib import resources
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from spacy.tokens import Doc

from ..about import __version__
from ..quote import CUE_KEY, QUOTE_TYPES, SPEAKER_KEY, Quote, get_quotes
from ..speaker_table import UNKNOWN_SPEAKER, SpeakerRow, collect_speakers

logger = logging.getLogger("spacy_quotes")

TYPE_DESCRIPTIONS: Dict[str, str] = {
    "direct": "wholly inside quotation marks",
    "mixed": "partly inside quotation marks",
    "indirect": "reported speech, no quotation marks",
}

CSS = resources.files(__package__).joinpath("page.css").read_text(encoding="utf-8").strip()



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


