"""Build corpus/notquotes.jsonl: passages of our own (not from PolNeAR, not from the seeds)
with the quotes a reader would count and the quoted words, titles and actions a reader would
not (``not_quotes``), covering the formats and not-quote classes of issue 14.

Usage (from the repository root)::

    python corpus/tools/build_notquotes.py [--out corpus/notquotes.jsonl] [--show]

THE MARKUP
Each passage is written with inline tags; the tags are removed from the text and become
character offsets:

* ``<c a>...</c>``: the content of quote ``a``;
* ``<v a>...</v>``: its cue; ``<s a>...</s>``: its speaker mention (``<s a,b>`` for a mention
  shared by quotes ``a`` and ``b``, same for ``<v a,b>``);
* ``<n KIND>...</n>``: a not-quote span of class KIND (see ``NOT_QUOTE_KINDS`` in
  ``spacy_quotes/annotations.py``).

``NAMES`` gives each quote's ``speaker_name`` (quotes without one have none). The quote type
is inferred from the quotation marks. Tags may nest but not cross.
"""
import argparse
import json
import re
import sys
from pathlib import Path
from typing import Dict, List, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_OUT = REPO / "corpus" / "notquotes.jsonl"

# (id, topic, marked-up text, {quote id: speaker_name})
PASSAGES: List[Tuple[str, str, str, Dict[str, str]]] = [
    ("sport_dash", "sport",
     "The Harbour City Sharks clinched the regional title on Sunday with a 3-1 win over Eastfield. "
     "Eastfield's so-called <n scare>“wall”</n> of defenders gave way twice before half-time.\n\n"
     "<c a>“We knew the second half would decide it, and the players gave everything they had.”</c>  – "
     "<s a>Head coach Marta Velasquez</s>\n\n"
     "<s b>The club's captain, Jonah Reyes</s>, <v b>said</v> <c b>the crowd had carried the team through the final minutes</c>. "
     "<c c>“When the stadium gets this loud, you stop feeling tired,”</c> <s c>Reyes</s> <v c>told</v> local radio.\n\n"
     "<c d>“It is the best season this club has had in twenty years.”</c> — <s d>Club president Anil Desai</s>",
     {"a": "Marta Velasquez", "b": "Jonah Reyes", "c": "Jonah Reyes", "d": "Anil Desai"}),
    ("science_colon", "science",
     "<c a>Bee populations across the valley fell sharply this spring</c>, <s a>researchers at the Northbridge Institute</s> <v a>reported</v>.\n\n"
     "<v b>Remarks</v> from <s b>lead author Dr. Helen Okafor</s>:\n\n"
     "<c b>“The decline is steeper than anything in our twenty-year record. Pesticide drift is the likeliest cause, "
     "but we need another season of data.”</c>\n\n"
     "<s c>The institute</s>, in a <v c>statement</v>:\n\n"
     "<c c>“We are sharing the full data set with farmers and the county so the response can start now.”</c>\n\n"
     "The study, titled <n title>“Silent Fields,”</n> will be published in the journal next month.",
     {"a": "researchers at the Northbridge Institute", "b": "Helen Okafor", "c": "Northbridge Institute"}),
    ("council_byline", "local government",
     "City council approved <n plain_object>the new parking rules</n> by a vote of seven to two.\n\n"
     "<s a>Councillor Priya Nandakumar</s>, chair of the transport committee\n\n"
     "<c a>“Nobody likes paying more to park, but the old rates had not changed since 2009 and the garages are falling apart.”</c>\n\n"
     "<s b>Councillor Tom Hargreaves</s>, who voted against\n\n"
     "<c b>“This hits the shop owners on Main Street hardest, and they were never asked.”</c>\n\n"
     "The council also adopted <n plain_object>the plan for a new bus depot</n>.",
     {"a": "Priya Nandakumar", "b": "Tom Hargreaves"}),
    ("bakery_inverted", "business",
     "The two founders of the bakery chain have no plans to sell.\n\n"
     "<c a>“We started with one oven and a loan from my uncle, and we are not done yet,”</c> <v a>say</v> "
     "<s a>Rosa Lindqvist and Omar Haddad</s>, who opened their first shop in 2011.\n\n"
     "Asked about the rumoured offer from a supermarket group, they smile. <c b>“Nobody has called us,”</c> <v b>replies</v> <s b>Haddad</s>. "
     "<c c>“And if they did, the answer would be short,”</c> <v c>adds</v> <s c>Lindqvist</s>.\n\n"
     "The pair are known to regulars as <n nickname>“the flour twins.”</n>",
     {"a": "Rosa Lindqvist and Omar Haddad", "b": "Omar Haddad", "c": "Rosa Lindqvist"}),
    ("ferry_dialogue", "transport",
     "The last ferry of the evening was cancelled again, and the queue at the terminal had little patience left.\n\n"
     "<c a>“Third time this month,”</c> <v a>grumbled</v> <s a>a weary Paulo Costa</s>, folding his newspaper.\n\n"
     "<c b>“They could at least tell us why,”</c> <v b>sighed</v> <s b>Elena Marsh</s>, who commutes to the island for work.\n\n"
     "<c c>“Fine, we lost a day,”</c> <v c,d>conceded</v> <s c,d>the harbour master, Ian Boyle</s>. "
     "<c d>“But the engine has to be repaired before anyone sails on it.”</c>\n\n"
     "<c e>“Then fix it faster,”</c> <v e>snapped</v> <s e>young Leo Brandt</s>, to laughter from the queue.",
     {"a": "Paulo Costa", "b": "Elena Marsh", "c": "Ian Boyle", "d": "Ian Boyle", "e": "Leo Brandt"}),
    ("reservoir_marks", "weather",
     "The head of the regional water board spoke after the reservoir fell to its lowest level since records began.\n\n"
     "<c a>'We are asking every household to cut its use by a fifth,\"</c> <v a,b>said</v> <s a,b>board chair Grace Adeyemi</s>. "
     "<c b>\"Hosepipe bans start on Monday.</c>\n\n"
     "<s c>She</s> <v c>warned</v> <c c>that the restrictions could last until the autumn rains</c>. "
     "A spokesman for the pumping contractor <n no_content>declined to comment</n>.\n\n"
     "<s d>Ruben Salas</s>, a farmer near the dam, <v d>said</v>: <c d>“If it does not rain by July, half of this valley loses its harvest</c>",
     {"a": "Grace Adeyemi", "b": "Grace Adeyemi", "c": "Grace Adeyemi", "d": "Ruben Salas"}),
    ("novelist_qa", "culture",
     "The novelist Ines Moreau, whose fourth book, <n title>“The Salt Road,”</n> came out this week, talked to us about "
     "writing, deadlines and her garden.\n\n"
     "Q: How long did the new book take?\n\n"
     "A: <c a>Almost six years. I threw away the first draft completely, which was painful but right.</c>\n\n"
     "Q: Do you plan your plots in advance?\n\n"
     "A: <c b>Never. I know the last scene and nothing else, and I write towards it.</c>\n\n"
     "Q: What comes next?\n\n"
     "A: <c c>A long holiday, and then, probably, a book about my grandmother's village.</c>",
     {"a": "Ines Moreau", "b": "Ines Moreau", "c": "Ines Moreau"}),
    ("recycling_transcript", "local government",
     "Transcript of the radio debate on the county's new recycling scheme.\n\n"
     "HOST: Our guests are Councillor Dana Whitfield and Marcus Obi of the Green Streets group. "
     "Councillor, why change a system that works?\n\n"
     "WHITFIELD: <c a>Because it does not work. We send forty per cent of our plastic to landfill.</c>\n\n"
     "OBI: <c b>The new bins are a start, but without weekly collection people will give up.</c>\n\n"
     "WHITFIELD: <c c>Weekly collection would cost two million a year, and nobody has shown me where that money comes from.</c>",
     {"a": "Dana Whitfield", "b": "Marcus Obi", "c": "Dana Whitfield"}),
    ("postoffice_scare", "politics",
     "The government's so-called <n scare>“efficiency drive”</n> has closed eleven rural post offices since January.\n\n"
     "What <s a>opposition members</s> <v a>call</v> <c a>“a slow abandonment of the countryside”</c> is, in "
     "<s b>the minister</s>'s <v b>words</v>, <c b>“a necessary modernisation.”</c>\n\n"
     "<s c,d>Minister Carl Jensen</s> <v c>defended</v> <c c>the closures as overdue</c>, <v d>saying</v> "
     "<c d>most of the branches served fewer than twenty customers a day</c>.\n\n"
     "The <n scare>“savings”</n> have yet to appear in the ministry's accounts. The minister "
     "<n no_content>did not respond to a request for comment on the figures</n>.",
     {"a": "opposition members", "b": "Carl Jensen", "c": "Carl Jensen", "d": "Carl Jensen"}),
    ("tennis_nicknames", "sport",
     "Kira Volkova, known around the circuit as <n nickname>“the Wall,”</n> reached her first final in Melbourne.\n\n"
     "<s a>The 19-year-old</s>, nicknamed <n nickname>“Iceberg”</n> by the local press, <v a>said</v> "
     "<c a>she had stopped reading the newspapers</c>. <c b>“I just want to play the next match,”</c> <s b>Volkova</s> <v b>said</v>.\n\n"
     "<s c>Her coach, Pavel Ivanov</s>, <v c>said</v> <c c>the final would be “the hardest ninety minutes of her life.”</c>\n\n"
     "The stadium's east stand, dubbed <n nickname>“the oven”</n> because of its glass roof, was half empty in the afternoon heat.",
     {"a": "Kira Volkova", "b": "Kira Volkova", "c": "Pavel Ivanov"}),
    ("album_titles", "culture",
     "The band Northern Lanterns released their third album, <n title>“Glass Harbour,”</n> on Friday, and its first single, "
     "<n title>“Paper Boats,”</n> is already on the radio.\n\n"
     "<c a>“We wrote most of it in a cabin with no internet,”</c> <v a,b>said</v> <s a,b>singer Aoife Brennan</s>. "
     "<c b>“You hear the rain on every track.”</c>\n\n"
     "<s c>Critic Samuel Achebe</s> <v c>called</v> <c c>the record “their most honest work.”</c>\n\n"
     "The band will also appear in the documentary <n title>“Roads North,”</n> directed by Hanna Berg, which opens in cinemas next month.",
     {"a": "Aoife Brennan", "b": "Aoife Brennan", "c": "Samuel Achebe"}),
    ("county_budget", "local government",
     "The county board adopted <n plain_object>the budget</n> on Tuesday after a four-hour meeting.\n\n"
     "<s a>Board chair Linda Osei</s> <v a>defended</v> <c a>the budget as the only way to keep the libraries open</c>. "
     "<s b>She</s> <v b>said</v> <c b>the property tax increase would cost the average household about sixty dollars a year</c>.\n\n"
     "The treasurer presented <n plain_object>the figures</n>, and the board approved <n plain_object>the new road contract</n>.\n\n"
     "<s c>Residents</s> criticised <n plain_object>the decision</n>, <v c>saying</v> <c c>they had been given only a week to read the plan</c>.",
     {"a": "Linda Osei", "b": "Linda Osei", "c": "Residents"}),
    ("fraud_trial", "courts",
     "A jury in Redmond found the former contractor guilty of fraud on Thursday.\n\n"
     "His lawyer, Nadia Petrov, <n no_content>spoke to reporters outside the courthouse</n> but "
     "<n no_content>declined to comment on a possible appeal</n>. "
     "<c a>“We respect the jury's decision,”</c> <s a>Petrov</s> <v a>said</v> later in a written statement.\n\n"
     "<s b>Prosecutor James Whitlock</s> <v b>said</v> <c b>the verdict showed that “public money is not a private piggy bank.”</c>\n\n"
     "The contractor's company <n no_content>did not respond to requests for comment</n>. "
     "Judge Amelia Grant will announce <n plain_object>the sentence</n> next month.",
     {"a": "Nadia Petrov", "b": "James Whitlock"}),
    ("storm_forecast", "weather",
     "<s a>Forecasters</s> <v a>expect</v> <c a>the storm to reach the coast by Saturday morning</c>.\n\n"
     "<c b>“Winds of up to 110 kilometres an hour are likely on exposed headlands,”</c> <v b>said</v> "
     "<s b>Tomas Eriksen, a meteorologist at the national weather service</s>. <s c>He</s> <v c>urged</v> <c c>drivers to stay off coastal roads</c>.\n\n"
     "<s d>The service</s> <v d>believes</v> <c d>the worst flooding will come on Sunday, when the high tide and the storm surge coincide</c>.\n\n"
     "<s e>The harbour authority</s> <v e>said</v> <c e>all ferries would stay in port until Monday</c>.",
     {"a": "Forecasters", "b": "Tomas Eriksen", "c": "Tomas Eriksen", "d": "national weather service",
      "e": "harbour authority"}),
    ("shipping_dash", "business",
     "Shares in the shipping firm Baltica rose nine per cent after record profits for the year.\n\n"
     "<c a>\"Demand from Asia has never been stronger, and we expect it to stay that way through next year.\"</c> - "
     "<s a>Chief executive Sofia Lind</s>\n\n"
     "<s b,c>Analysts at Granite Bank</s> <v b>said</v> <c b>the results were better than expected</c> but <v c>warned</v> "
     "<c c>that freight rates could fall</c>.\n\n"
     "<c d>“The question is what happens when the new ships arrive.”</c> — <s d>Peter Novak</s>, shipping analyst",
     {"a": "Sofia Lind", "b": "Analysts at Granite Bank", "c": "Analysts at Granite Bank", "d": "Peter Novak"}),
    ("hospital_colon", "health",
     "The city's hospitals will postpone routine surgery for two weeks as flu cases climb.\n\n"
     "<s a>Dr. Marco Bellini</s>, medical director of St. Anne's Hospital:\n\n"
     "<c a>“Our wards are at 97 per cent capacity. We would rather delay a knee operation than turn away a child with pneumonia.”</c>\n\n"
     "<s b>The health department</s>, in a <v b>statement</v>:\n\n"
     "<c b>“Vaccination remains the best protection, and clinics will open late every evening this week.”</c>\n\n"
     "<s c,d>Nurses' union leader Joan Pike</s> <v c>said</v> <c c>staff were exhausted</c> and <v d>called</v> <c d>the decision “overdue.”</c>",
     {"a": "Marco Bellini", "b": "health department", "c": "Joan Pike", "d": "Joan Pike"}),
    ("school_breakfast", "education",
     "The school district will extend its free breakfast programme to all primary schools next year.\n\n"
     "<s a>Superintendent Rachel Kim</s> <v a>said</v> <c a>the programme had cut absences by a third in the schools that tried it first</c>. "
     "<c b>“Children who eat learn better. It really is that simple,”</c> <s b>she</s> <v b>told</v> parents at the meeting.\n\n"
     "The district's report, <n title>“Ready to Learn,”</n> was published in March.\n\n"
     "<s c>One parent, Victor Lugo</s>, <v c>said</v> <c c>the extra cost would be paid for by cutting music lessons</c>.",
     {"a": "Rachel Kim", "b": "Rachel Kim", "c": "Victor Lugo"}),
    ("goalkeeper_qa", "sport",
     "After the match, goalkeeper Tariq Mensah answered a few questions.\n\n"
     "Q: Were you nervous before the penalty?\n\n"
     "A: <c a>Not really. I watched his last ten penalties on video, and he always goes left.</c>\n\n"
     "Q: And the injury?\n\n"
     "A: <c b>It is only a bruise. I will be ready for Saturday.</c>",
     {"a": "Tariq Mensah", "b": "Tariq Mensah"}),
]

_TAG = re.compile(r"<(/?)([cvsn])(?: ([\w,]+))?>")


def parse(marked: str) -> Tuple[str, List[Tuple[str, str, int, int]]]:
    """The plain text of a marked-up passage and its spans (role, ids or kind, start, end)."""
    out: List[str] = []
    spans: List[Tuple[str, str, int, int]] = []
    stack: List[Tuple[str, str, int]] = []
    pos, n = 0, 0
    for m in _TAG.finditer(marked):
        chunk = marked[pos:m.start()]
        out.append(chunk)
        n += len(chunk)
        pos = m.end()
        closing, role, arg = m.group(1), m.group(2), m.group(3)
        if not closing:
            if arg is None:
                raise ValueError(f"<{role}> without an id or kind at {m.start()}")
            stack.append((role, arg, n))
        else:
            if not stack or stack[-1][0] != role:
                raise ValueError(f"</{role}> at {m.start()} closes {stack[-1] if stack else 'nothing'}")
            r, a, start = stack.pop()
            spans.append((r, a, start, n))
    if stack:
        raise ValueError(f"unclosed tags {stack}")
    out.append(marked[pos:])
    return "".join(out), spans


def build_record(doc_id: str, topic: str, marked: str, names: Dict[str, str]) -> dict:
    text, spans = parse(marked)
    quotes: Dict[str, dict] = {}
    not_quotes = []
    for role, arg, start, end in spans:
        if text[start:end] != text[start:end].strip():
            raise ValueError(f"{doc_id}: span {text[start:end]!r} has outer white space")
        if role == "n":
            not_quotes.append({"content": [start, end], "kind": arg})
            continue
        for qid in arg.split(","):
            q = quotes.setdefault(qid, {"type": None, "content": None, "cue": None, "speaker": None,
                                        "speaker_name": names.get(qid), "via": None})
            key = {"c": "content", "v": "cue", "s": "speaker"}[role]
            if q[key] is not None:
                raise ValueError(f"{doc_id}: quote {qid} has two {key} spans")
            q[key] = [start, end]
    for qid, q in quotes.items():
        if q["content"] is None:
            raise ValueError(f"{doc_id}: quote {qid} has no content")
    ordered = sorted(quotes.values(), key=lambda q: tuple(q["content"]))
    return {"id": doc_id, "source": f"corpus/tools/build_notquotes.py ({topic})", "text": text,
            "quotes": ordered, "not_quotes": sorted(not_quotes, key=lambda x: tuple(x["content"]))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--show", action="store_true", help="print every span in context")
    args = parser.parse_args()
    records = [build_record(*p) for p in PASSAGES]
    with args.out.open("w", encoding="utf-8", newline="\n") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    n_q = sum(len(r["quotes"]) for r in records)
    n_n = sum(len(r["not_quotes"]) for r in records)
    if args.show:
        for r in records:
            for q in r["quotes"]:
                print(r["id"], q["speaker_name"], "|", r["text"][slice(*q["content"])])
            for x in r["not_quotes"]:
                print(r["id"], "NOT", x["kind"], "|", r["text"][slice(*x["content"])])
    print(f"{len(records)} passages, {n_q} quotes, {n_n} not-quotes -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
