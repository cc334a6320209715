"""Quote formats of press releases, wire copy, interviews and dialogue (issue 14), read off the
text layout where the tagger's spans and the linking step miss them or link them to a cue
paragraphs away. Each step takes the role spans and links and returns them changed; the
component runs those its ``quote_formats`` setting switches on: ``false`` (none), ``true``
(all of :data:`FORMAT_RULES`) or a list of rule names (see :func:`format_rules`).

* ``paragraph_speakers`` (:func:`speakers_within_paragraphs`): a speaker span the tagger ran
  over a paragraph break is cut at it.
* ``signed`` (:func:`signed_quotes`): a quote paragraph ending in a dash and a name
  (``"..." – Mayor Ada Lin``, also ``—``, ``-``, ``--``): the name (up to a comma) is the speaker,
  there is no cue.
* ``introduced`` (:func:`introduced_quotes`): a paragraph that is one quotation, after a paragraph that
  introduces its speaker: ``Remarks from X:``, ``X, in a statement:``, or a short line
  naming the speaker and a title (``Councillor X, chair of Y``), with or without a colon.
* ``interview`` (:func:`interview_answers`): ``Q:`` / ``A:`` paragraphs (each answer is a quote of the person
  the text names before the first question) and ``NAME: text`` transcripts (each turn is a
  quote of the person whose name ends in NAME; host and interviewer turns are left out).
* ``inverted_dialogue`` (:func:`inverted_dialogue`): ``"...," grumbled a weary X`` / ``said young X``: a quotation
  ending in a comma (or ``?``, ``!``) inside its marks, then a verb of speech and a name after
  it, with modifiers before the name.
"""
import re
from typing import List, Optional, Sequence, Tuple, Union

from spacy.tokens import Doc, Span

from ..marks import is_quote_mark
from .decode import RoleSpan
from ..cues import SPEECH_CUES
from .link import Link
from .filters import setting_kinds
from .rules import RULE_SCORE

_DASH = re.compile(r"[\"\u201d\u00bb'\u2019]\s*(?:--|[-\u2013\u2014\u2015])\s*([A-Z][^\n,()]{1,80}?)\s*(?:,[^\n]*)?$")
_INTRO_FROM = re.compile(r"^(remarks|comments|statement|a statement|words|quote)\s+(?:from|by)\s+(.+?)\s*:?\s*$", re.I)
_INTRO_STATEMENT = re.compile(r"^(.+?),\s*in an?\s+(statement|interview|post|letter|email|e-mail|message|tweet|release)\s*:?\s*$", re.I)
_QA = re.compile(r"(Q|A|Question|Answer)\s*[:.]\s+(?=\S)")
_TURN = re.compile(r"([A-Z][A-Z'\u2019\-]+(?: [A-Z][A-Z'\u2019\-]+){0,2})\s*:\s+(?=\S)")
_NOT_SPEAKERS = frozenset({"Q", "A", "QUESTION", "ANSWER", "HOST", "INTERVIEWER", "MODERATOR", "PRESENTER",
                           "ANCHOR", "REPORTER", "NOTE", "EDITOR", "UPDATE", "CORRECTION", "SOURCE",
                           "PHOTO", "VIDEO", "WATCH", "READ", "TRANSCRIPT", "BREAKING"})


def _lines(text: str) -> List[Tuple[int, int]]:
    """(start, end) of each non-blank line, without its outer white space."""
    out = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            a = pos + (len(line) - len(line.lstrip()))
            out.append((a, a + len(stripped)))
        pos += len(line) + 1
    return out


def _span(doc: Doc, a: int, b: int) -> Optional[Span]:
    span = doc.char_span(a, b, alignment_mode="contract")
    return span if span is not None and len(span) else None


def _is_quote_para(text: str, a: int, b: int) -> bool:
    """A line that is one quotation: opens with a mark, and closes with one (or is never closed)."""
    body = text[a:b]
    if not body or not is_quote_mark(body[0]):
        return False
    inner = [i for i, ch in enumerate(body) if is_quote_mark(ch) and ch not in "'\u2019"]
    return is_quote_mark(body[-1]) or len(inner) <= 1


class _Edit:
    """The role spans and links being edited, with helpers to add and relink."""

    def __init__(self, doc: Doc, contents: List[RoleSpan], cues: List[RoleSpan],
                 speakers: List[RoleSpan], links: List[Link], text: str) -> None:
        self.doc, self.contents, self.cues, self.speakers = doc, list(contents), list(cues), list(speakers)
        self.text = text  # doc.text, joined once (Doc.text joins every token)
        self.links = [Link(link.content, link.cue, link.speaker) for link in links]

    def _add(self, spans: List[RoleSpan], role: str, span: Span) -> int:
        for i, s in enumerate(spans):
            if s.start == span.start and s.end == span.end:
                return i
        spans.append(RoleSpan(role, span.start, span.end, RULE_SCORE))
        return len(spans) - 1

    def links_on(self, a: int, b: int) -> List[Link]:
        """The links whose content overlaps the tokens [a, b)."""
        return [link for link in self.links
                if self.contents[link.content].start < b and a < self.contents[link.content].end]

    def attribute(self, content: Span, cue: Optional[Span], speaker: Optional[Span], replace: bool = True) -> None:
        """Make ``content`` a quote with this cue and speaker: relink a content on it (the first;
        other contents on it are dropped where ``replace``), else add one."""
        on = self.links_on(content.start, content.end)
        cue_i = self._add(self.cues, "CUE", cue) if cue is not None else -1
        spk_i = self._add(self.speakers, "SOURCE", speaker) if speaker is not None else -1
        if on and replace:
            self.links = [link for link in self.links if link not in on[1:]]
        content_i = self._add(self.contents, "CONTENT", content)
        if on:
            on[0].content, on[0].cue, on[0].speaker = content_i, cue_i, spk_i
        else:
            self.links.append(Link(content_i, cue_i, spk_i))

    def result(self) -> Tuple[List[RoleSpan], List[RoleSpan], List[RoleSpan], List[Link]]:
        return self.contents, self.cues, self.speakers, self.links


def signed_quotes(doc: Doc, edit: _Edit, lines: List[Tuple[int, int]]) -> None:
    """See the module docstring."""
    text = edit.text
    for a, b in lines:
        if not is_quote_mark(text[a]):
            continue
        m = _DASH.search(text, a, b)
        if m is None or m.end() != b:
            continue
        name_a, name_b = m.start(1), m.end(1)
        content, speaker = _span(doc, a, m.start() + 1), _span(doc, name_a, name_b)
        if content is None or speaker is None or not any(t.is_title or t.pos_ == "PROPN" for t in speaker):
            continue
        edit.attribute(content, None, speaker)


def _intro_speaker(doc: Doc, text: str, a: int, b: int) -> Optional[Tuple[Optional[Span], Span]]:
    """The (cue, speaker) a line introducing the next paragraph's quote names, or None."""
    line = text[a:b]
    m = _INTRO_FROM.match(line)
    if m:
        return _span(doc, a + m.start(1), a + m.end(1)), _span(doc, a + m.start(2), a + m.end(2))
    m = _INTRO_STATEMENT.match(line)
    if m:
        return _span(doc, a + m.start(2), a + m.end(2)), _span(doc, a + m.start(1), a + m.end(1))
    span = _span(doc, a, b)
    if span is None or len(span) > 16 or line[-1] in ".!?\"\u201d" or any(is_quote_mark(c) for c in line):
        return None
    if line.endswith(":"):
        line = line[:-1].rstrip()
    head = line.split(",")[0].strip()
    speaker = _span(doc, a, a + len(head))
    if speaker is None or any(t.pos_ == "VERB" for t in speaker) or not (
            any(t.ent_type_ in ("PERSON", "ORG") for t in speaker)
            or sum(1 for t in speaker if t.pos_ == "PROPN" and t.is_title) >= 2):
        return None
    return None, speaker


def introduced_quotes(doc: Doc, edit: _Edit, lines: List[Tuple[int, int]]) -> None:
    """See the module docstring."""
    text = edit.text
    for k in range(1, len(lines)):
        a, b = lines[k]
        pa, pb = lines[k - 1]
        if not _is_quote_para(text, a, b) or _DASH.search(text, a, b):
            continue
        found = _intro_speaker(doc, text, pa, pb)
        content = _span(doc, a, b)
        if found is None or found[1] is None or content is None:
            continue
        first, last = doc[content.start].i, content.end
        on = edit.links_on(content.start, content.end)
        para_start = _span(doc, pa, pb)
        # a cue the model linked in the introducing line or the quote's own paragraph stays
        if on and on[0].cue >= 0 and para_start is not None and (
                para_start.start <= edit.cues[on[0].cue].start < last) and found[0] is None:
            continue
        edit.attribute(content, found[0], found[1])
        del first


def _names(doc: Doc, end_char: int) -> List[Span]:
    """The PERSON entities before end_char, else the runs of two or more proper nouns (the
    small models often tag a name in an interview's introduction as another entity)."""
    persons = [e for e in doc.ents if e.label_ == "PERSON" and e.end_char <= end_char]
    if persons:
        return persons
    runs, i = [], 0
    while i < len(doc) and doc[i].idx < end_char:
        j = i
        while j < len(doc) and doc[j].pos_ == "PROPN" and doc[j].is_title:
            j += 1
        if j - i >= 2:
            runs.append(doc[i:j])
        i = max(j, i + 1)
    return runs


def _first_person(doc: Doc, end_char: int) -> Optional[Span]:
    names = _names(doc, end_char)
    return names[0] if names else None


def interview_answers(doc: Doc, edit: _Edit, lines: List[Tuple[int, int]]) -> None:
    """See the module docstring."""
    text = edit.text
    qa = [(a, b, _QA.match(text, a, b)) for a, b in lines]
    questions = [a for a, b, m in qa if m and m.group(1)[0].upper() == "Q"]
    answers = [(a, b, m) for a, b, m in qa if m and m.group(1)[0].upper() == "A"]
    if questions and answers:
        person = _first_person(doc, questions[0])
        if person is not None:
            for a, b, m in qa:  # the model's spans inside the questions are the interviewer's
                if m and m.group(1)[0].upper() == "Q":
                    span = _span(doc, a, b)
                    if span is not None:
                        edit.links = [link for link in edit.links if link not in edit.links_on(span.start, span.end)]
            for a, b, m in answers:
                content = _span(doc, m.end(), b)
                if content is not None:
                    edit.attribute(content, None, person)
        return
    turns = [(a, b, m) for a, b, m in ((a, b, _TURN.match(text, a, b)) for a, b in lines) if m]
    if len(turns) < 2:
        return
    persons = _names(doc, len(edit.text))
    for a, b, m in turns:
        label = m.group(1)
        if label in _NOT_SPEAKERS:
            continue
        last = label.split()[-1].lower()
        person = next((e for e in persons if e[-1].lower_ == last and e.start_char != m.start(1)), None) or _span(
            doc, m.start(1), m.end(1))
        content = _span(doc, m.end(), b)
        if content is not None and person is not None:
            edit.attribute(content, None, person)


_MODIFIERS = frozenset({"DET", "ADJ", "ADV", "NUM", "PROPN", "NOUN", "PUNCT"})


def inverted_dialogue(doc: Doc, edit: _Edit, lines: List[Tuple[int, int]]) -> None:
    """See the module docstring."""
    for tok in doc:
        if not (is_quote_mark(tok.text) and tok.i >= 2 and doc[tok.i - 1].text in (",", "?", "!")):
            continue
        if tok.i + 2 >= len(doc):
            continue
        verb = doc[tok.i + 1]
        if verb.pos_ not in ("VERB", "AUX") or verb.lemma_.lower() not in SPEECH_CUES:
            continue
        j = tok.i + 2
        while j < len(doc) and j < tok.i + 8 and (doc[j].pos_ in ("DET", "ADJ", "ADV", "NUM") or doc[j].tag_ in ("VBN", "VBG")) and (
                doc[j].ent_type_ != "PERSON"):
            j += 1
        k = j
        while k < len(doc) and doc[k].pos_ == "PROPN" and "\n" not in doc[k].text:
            k += 1
        if k == j or not any(doc[i].ent_type_ == "PERSON" or doc[i].is_title for i in range(j, k)):
            continue
        # the quotation: back to its opening mark in the same line
        i = tok.i - 1
        while i >= 0 and not is_quote_mark(doc[i].text) and "\n" not in doc[i].text:
            i -= 1
        if i < 0 or not is_quote_mark(doc[i].text):
            continue
        content, speaker = doc[i:tok.i + 1], doc[tok.i + 2:k]
        on = edit.links_on(content.start, content.end)
        if on and on[0].speaker >= 0 and (
                edit.speakers[on[0].speaker].start < k and j <= edit.speakers[on[0].speaker].end - 1):
            continue  # the model has this speaker (maybe with a longer apposition: ``said X, the director of Y``)
        edit.attribute(content, doc[verb.i:verb.i + 1], speaker)


def speakers_within_paragraphs(doc: Doc, edit: _Edit, lines: List[Tuple[int, int]]) -> None:
    """A speaker span the tagger ran over a paragraph break is cut at it: the part in the
    paragraph of its cue (else the last part) is kept."""
    for i, s in enumerate(edit.speakers):
        breaks = [t.i for t in doc[s.start:s.end] if "\n" in t.text]
        if not breaks:
            continue
        parts, a = [], s.start
        for k in breaks + [s.end]:
            if k > a:
                parts.append((a, k))
            a = k + 1
        cue_at = [edit.cues[link.cue].start for link in edit.links if link.speaker == i and link.cue >= 0]
        keep = parts[-1]
        for a, b in parts:
            para = doc[a:b]
            if cue_at and any(doc[c].sent == para.sent or abs(c - b) <= 2 or abs(c - a) <= 2 for c in cue_at):
                keep = (a, b)
        edit.speakers[i] = RoleSpan(s.role, keep[0], keep[1], s.score)


# the rules by name, in the order they run
_STEPS = {
    "paragraph_speakers": speakers_within_paragraphs,
    "signed": signed_quotes,
    "introduced": introduced_quotes,
    "interview": interview_answers,
    "inverted_dialogue": inverted_dialogue,
}
FORMAT_RULES = tuple(_STEPS)


def format_rules(value: Union[bool, Sequence[str], None]) -> Tuple[str, ...]:
    """The format rules the ``quote_formats`` setting switches on.

    value (Union[bool, Sequence[str], None]): ``false``, ``true`` (all of :data:`FORMAT_RULES`)
        or a list of rule names.
    RETURNS (Tuple[str, ...]): the rules on, in the order they run.
    """
    return setting_kinds(value, FORMAT_RULES, "quote_formats")


def apply_formats(doc: Doc, contents: List[RoleSpan], cues: List[RoleSpan], speakers: List[RoleSpan],
                  links: List[Link], rules: Sequence[str] = FORMAT_RULES, text: Optional[str] = None,
                  ) -> Tuple[List[RoleSpan], List[RoleSpan], List[RoleSpan], List[Link]]:
    """Run the format steps (see the module docstring) over the linked role spans.

    doc (Doc): the parsed document.
    contents, cues, speakers (List[RoleSpan]): the role spans.
    links (List[Link]): the links between them.
    rules (Sequence[str]): the rules to run (default: all of :data:`FORMAT_RULES`).
    text (Optional[str]): ``doc.text`` where the caller has it already (it joins every token).
    RETURNS (Tuple[...]): the contents, cues, speakers and links, changed where a format applies.
    """
    text = doc.text if text is None else text
    lines = _lines(text)
    edit = _Edit(doc, contents, cues, speakers, links, text)
    for name, step in _STEPS.items():
        if name in rules:
            step(doc, edit, lines)
    return edit.result()
