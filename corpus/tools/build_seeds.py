"""Build corpus/seeds.jsonl from the readable annotation spec below, and verify it.

Usage (from the repository root)::

    python corpus/tools/build_seeds.py [--seeds DIR] [--out corpus/seeds.jsonl] [--show]

``--seeds`` defaults to ``../shared/seeds`` next to the repository (the five shared articles).
``--show`` prints every annotation with its context, for proof-reading against the article.

THE SPEC
Per article (file stem), a list of ``Q(type, content, cue, speaker, name, via=None)``.
Each of ``content``, ``cue``, ``speaker`` and ``via`` is a *locator*: a string that occurs in
the text, optionally with the annotated part marked by double brackets, e.g.
``"[[He]] said: "`` or ``"Erdogan [[said]] Turkey was"``. The whole locator, brackets
removed, must occur exactly once in its scope, so every span is unambiguous:

* ``content``: scope is the whole document;
* ``cue``, ``speaker``, ``via``: scope is the paragraph (text between newlines) that holds the
  content's start.

``None`` for cue / speaker means there is none in the text (a continuation paragraph); the
``name`` then still names the speaker the paragraph continues.

The script checks: every locator found once; offsets valid; ``text[start:end]`` equals the
bracketed string; no span has outer white space; content, cue, speaker and via of one quote do
not overlap; no two spans of a document cross (they may nest or be disjoint); the declared
type agrees with the quotation marks in the content; a speaker span always has a name.
"""
import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_SEEDS = REPO.parent / "shared" / "seeds"
DEFAULT_OUT = REPO / "corpus" / "seeds.jsonl"

OPENING = "\"\u201c\u201e\u00ab"
CLOSING = "\"\u201d\u00bb"
MARKS = set(OPENING + CLOSING)


@dataclass
class Q:
    """One quote of the spec (see the module docstring)."""

    type: str
    content: str
    cue: Optional[str]
    speaker: Optional[str]
    name: Optional[str]
    via: Optional[str] = None


ERDOGAN = "Recep Tayyip Erdogan"

SPEC: Dict[str, List[Q]] = {
    # ------------------------------------------------------------------ 000 (AFP, translated)
    "000_caeafab9852e31d1": [
        Q("mixed", 'committing "massacres" in Idlib, northwestern Syria',
          "[[accusing]] it of", "[[Turkish President Recep Tayyip Erdogan]] yesterday", ERDOGAN),
        Q("mixed", 'being a person "separated from Indeed"',
          "Affairs [[accused]] the", "[[the Syrian Ministry of Foreign Affairs]]", "Syrian Ministry of Foreign Affairs"),
        Q("mixed", 'to strike the Syrian army "everywhere" if his soldiers were harmed',
          "threatened", "In detail, [[Erdogan]]", ERDOGAN),
        Q("mixed", 'not "neutralizing the terrorists" in Idlib province',
          "by [[accusing]] the Turks", "but [[Russia]] responded", "Russia"),
        Q("indirect",
          "Turkey has strengthened its military positions in recent days in the region, as hundreds of vehicles "
          "loaded with special forces, artillery and military personnel have arrived, since Friday, in the town "
          "of Bunche, located in the northeast of the city of Idlib",
          "according to", "an AFP correspondent", "an AFP correspondent"),
        Q("indirect",
          "14 Turkish soldiers were killed and 45 others wounded, with shelling carried out by the Syrian army "
          "in Idlib province, during the past nine days",
          "announced", "Turkish officials", "Turkish officials"),
        Q("indirect", "Turkey had responded by killing many Syrian forces in an attempt to repel them",
          "stressing", "Turkish officials", "Turkish officials"),
        Q("direct",
          '"the Syrian army and the Russian forces that support it are constantly attacking civilians and '
          'committing massacres."',
          "saying", "similar, [[Erdogan]] criticized", ERDOGAN),
        Q("mixed",
          'Turkey would do "everything necessary" to return the Syrian forces behind the 12 observation points '
          "that they had set up in Idlib under the Sochi Agreement",
          "added", "He", ERDOGAN),
        Q("direct",
          '"I announce that we will strike the Syrian army forces everywhere from now, regardless of the Sochi '
          'agreement, if the slightest harm is done to our soldiers, our observation points, or anywhere else,"',
          "said", "Erdogan", ERDOGAN),
        Q("indirect", "not abiding by the 2018 agreement", "accused", "Russia", "Russia"),
        Q("mixed", 'Turkey was "obligated to neutralize terrorist groups" under the agreement',
          "said", "The Kremlin spokesman, Dmitry Peskov", "Dmitry Peskov"),
        Q("direct",
          '"all of these groups are attacking Syrian forces and are taking aggressive actions against Russian '
          'military installations."',
          "said", "The Kremlin spokesman, Dmitry Peskov", "Dmitry Peskov"),
        Q("mixed", 'the Turkish president as a person "separated from reality"',
          "described", "Damascus", "Damascus"),
        Q("mixed", 'to target the Syrian forces in "everywhere"',
          "after [[threatening]]", "described [[the Turkish president]] as", ERDOGAN),
        Q("direct",
          '"The head of the Turkish regime comes out to us with statements Empty and hollow hollows, issued only '
          "by a person who is separate from reality, and denotes only by ignorance, to threaten to hit the "
          "soldiers of the Syrian Arab Army, after suffering painful strikes on his army on the one hand and his "
          "terrorists on the other hand.",
          "Ministry [[said]], according", "a source in the Syrian Foreign Ministry",
          "a source in the Syrian Foreign Ministry", via="([[SANA]])"),
        Q("mixed",
          'Russian President Vladimir Putin and Turkish Recep Tayyip Erdogan expressed their desire to "fully '
          'implement" the Russian-Turkish escalation agreements in Syria',
          "according to", "issued by [[the Kremlin]]", "Kremlin"),
        Q("mixed", 'their desire to "fully implement" the Russian-Turkish escalation agreements in Syria',
          "expressed", "Russian President Vladimir Putin and Turkish Recep Tayyip Erdogan",
          "Vladimir Putin and Recep Tayyip Erdogan"),
        Q("mixed", 'a Turkish delegation would go to Moscow "in the coming days."',
          "announced", "Turkish Foreign Minister Mevlüt Çavuşoوlu", "Mevlüt Çavuşoوlu"),
        Q("direct",
          '"We continue to work with Russia, we are working to achieve a permanent cease-fire, but even if '
          'nothing results from that, our determination is clear and we will do what is necessary."',
          "said", "[[He]] said", "Mevlüt Çavuşoوlu"),
        Q("mixed",
          "James Special Jeffrey, the American special envoy to Syria, held closed talks with Turkish officials "
          'on the "humanitarian situation on the ground and the humanitarian process" in Syria',
          "according to", "a Turkish diplomatic source", "a Turkish diplomatic source"),
        Q("mixed", 'Washington wanted to support Turkey "as much as possible."',
          "announced", "[[he]] announced", "James Special Jeffrey"),
        Q("indirect",
          "a pro-Syrian person was killed in an exchange of fire between American and pro-Syrian forces in the "
          "town of Khirbet Amo, southeast of the city of Qamishli",
          "according to", 'the Syrian Observatory for Human Rights and a correspondent for "AFP"',
          'Syrian Observatory for Human Rights and a correspondent for "AFP"'),
        Q("direct", '"The coalition forces responded to the fire as an attempt to defend themselves,"',
          "Washington, [[said]] in", "[[the international coalition]], led", "international coalition"),
    ],
    # ------------------------------------------------------------------ 001 (AFP)
    "001_6e71cad11a8e8717": [
        Q("mixed", "committing “massacres” in its support of the Syrian government",
          "accused", "Turkey’s president", ERDOGAN),
        Q("mixed", "to strike Syrian regime forces “everywhere” if its soldiers come under renewed attack",
          "threatened", "[[Recep Tayyip Erdogan]] threatened", ERDOGAN),
        Q("mixed", "failing to “neutralize terrorists” in the northwestern province of Idlib",
          "accused", "but [[Russia]] hit", "Russia"),
        Q("indirect",
          "a new convoy of Turkish armored vehicles arrived Wednesday in the town of Binnish, northeast of Idlib "
          "city, in a new deployment",
          "said", "an AFP correspondent", "an AFP correspondent"),
        Q("indirect", "they have lost 14 soldiers in the past nine days",
          "say", "Turkish officials", "Turkish officials"),
        Q("indirect",
          "to have killed scores of Syrian government troops as they try to push back forces loyal to Syrian "
          "President Bashar al-Assad",
          "claim", "Turkish officials", "Turkish officials"),
        Q("direct",
          "“The regime, backed by Russian forces and Iran-backed militants, are continuously attacking "
          "civilians, committing massacres and shedding blood,”",
          "told", "Erdogan", ERDOGAN),
        Q("mixed",
          "Turkey would do “whatever necessary” to push Syrian forces back behind the 12 observation posts it "
          "set up in Idlib under the Sochi deal",
          "said", "He", ERDOGAN),
        Q("direct",
          "“I hereby declare that we will strike regime forces everywhere from now on regardless of the Sochi "
          "deal if any tiny bit of harm comes to our soldiers at observation posts or elsewhere,”",
          "added", "[[he]] added", ERDOGAN),
        Q("indirect", "failing to honour the 2018 deal", "accused", "Russia", "Russia"),
        Q("mixed",
          "the Turkish side “had taken upon itself an obligation to neutralize terrorist groups” in Idlib",
          "saying", "Kremlin spokesman Dmitry Peskov", "Dmitry Peskov"),
        Q("direct",
          "“all these groups are mounting an attack on the Syrian army from Idlib and are acting aggressively "
          "towards Russian military installations,”",
          "added", "[[he]] added", "Dmitry Peskov"),
        Q("direct", "“We have differing interpretations from Turkey.”",
          "telling", "Russian Foreign Ministry spokeswoman Maria Zakharova", "Maria Zakharova"),
        Q("mixed",
          "the crisis in Idlib on “Turkish colleagues’ failure to fulfil their obligations on separating "
          "fighters from the moderate opposition from terrorists.”",
          "blamed", "The Russian Defense Ministry", "Russian Defense Ministry"),
        Q("indirect", "Ankara to implement the Sochi deal", "urging", "the Kremlin", "Kremlin"),
        Q("mixed", "being “disconnected from reality.”",
          "accusing", "the Syrian government", "Syrian government"),
        Q("direct",
          "“The head of the Turkish regime comes with empty… statements only issued by a person disconnected "
          "from reality,”",
          "quoted", "a source at the Foreign Ministry", "a source at the Foreign Ministry",
          via="state news agency SANA"),
    ],
    # ------------------------------------------------------------------ 002 (Reuters, translated)
    "002_36b422612b6b1aff": [
        Q("indirect",
          "Turkey will attack Syrian government forces anywhere in northern Syria if another Turkish soldier is "
          "injured and could use air forces",
          "said", "Turkish President Tayyip Erdogan", "Tayyip Erdogan"),
        Q("indirect",
          "Turkey was determined to push Syrian government forces beyond Turkish observation posts in the "
          "northwest of the Idlib region by the end of February",
          "Erdogan [[said]] Turkey", "[[Erdogan]] said", "Tayyip Erdogan"),
        Q("direct", "“We will do this by air or on the ground by any means necessary,”",
          "he [[said]].", "[[he]] said.", "Tayyip Erdogan"),
        Q("indirect",
          "Russian President Vladimir Putin and Erdogan spoke on the phone over Wednesday about the escalating "
          "conflict in the Syrian province of Idlib",
          "said", "the Kremlin", "Kremlin"),
        Q("indirect",
          "Putin and Erdogan had agreed on the importance of implementing the Russian-Turkish agreements on Syria",
          "said", "The Kremlin", "Kremlin"),
        Q("indirect", "contacts between Syria and Russia should be continued through the appropriate agencies",
          "said", "The Kremlin", "Kremlin"),
        Q("indirect",
          "the Turkish delegation will travel to Moscow in the coming days to discuss the escalating conflict in "
          "the Syrian Idlib region",
          "According to", "Foreign Minister Mevlut Cavusoglu", "Mevlut Cavusoglu"),
        Q("indirect",
          "Germany had provided Turkey with 40 million euros to support Turkish plans to settle Syrians who fled "
          "Idlib",
          "said", "Cavusoglu", "Mevlut Cavusoglu"),
        Q("indirect", "violating agreements with Russia to neutralize militants in the Syrian province of Idlib",
          "accused", "The Kremlin", "Kremlin"),
        Q("indirect",
          "his country’s military would attack the Syrian armed forces, supported by Russia, by air or ground "
          "anywhere in Syria if another Turkish soldier was injured",
          "Erdogan [[said]] that", "after [[Erdogan]]", "Tayyip Erdogan"),
        Q("indirect",
          "51 Syrian soldiers in northwestern Syria were killed when Turkish-backed rebels struck against "
          "Russian-backed government forces that had made a profit in their campaign to eradicate the country’s "
          "last insurgent bastion",
          "announced", "[[Turkey]] announced", "Turkey"),
        Q("indirect", "two Syrian tanks and an ammunition depot were also destroyed",
          "adding", "The Turkish Ministry of Defense", "Turkish Ministry of Defense"),
        Q("indirect",
          "Syrian government forces had taken control of the Aleppo-Damascus main road, which led through the "
          "contested northwest Idlib province for the first time since the start of the civil war in 2012",
          "reported", "a war monitor", "a war monitor"),
        Q("indirect",
          "fighting would continue in some northern areas near the M-5 motorway, which connects Aleppo with the "
          "capital Damascus and eventually with Deraa in the far south",
          "said", "rebels", "rebels"),
        Q("indirect",
          "the withdrawal of hundreds of thousands of civilians from the affected areas is the largest such "
          "movement in the war and marks a new humanitarian crisis",
          "said", "Aid agencies", "Aid agencies"),
        Q("indirect", "it can no longer accept them", "says", "[[Turkey]] has already", "Turkey"),
        Q("indirect", "it would stop all new waves of refugees from Idlib and its military would remain deployed there",
          "It [[said]]", "[[It]] said", "Turkey"),
        Q("indirect",
          "Talks in Ankara between Turkey and a Russian delegation ended on Monday without agreement on ending "
          "the fighting",
          "said", "a Turkish diplomatic source", "a Turkish diplomatic source"),
    ],
    # ------------------------------------------------------------------ 003 (Reuters, translated)
    "003_a9979eba8f3f7ebb": [
        Q("indirect",
          "its actions in the Syrian province of Idlib had violated de-escalation agreements with Russia and Iran",
          "allegations", "[[Russian]] allegations", "Russia"),
        Q("indirect", "it would take military action in the region if diplomatic efforts with Moscow failed",
          "and [[said]] it", "[[Turkey]] rejected", "Turkey"),
        Q("indirect",
          "it will use military force to push back the Syrian armed forces unless they withdraw by the end of "
          "February",
          "announced", "Ankara", "Ankara"),
        Q("indirect", "to hit Syrian government forces anywhere in Syria if another Turkish soldier were injured",
          "threatened", "President Tayyip Erdogan", "Tayyip Erdogan"),
        Q("indirect",
          "Turkey has exacerbated the situation in Idlib and Ankara has failed to neutralize the militants there",
          "says", "[[Russia]], which", "Russia"),
        Q("indirect", "Turkey was determined to stop the Syrian advance in Idlib",
          "told", "Turkish Vice President Fuat Oktay", "Fuat Oktay", via="NTV"),
        Q("indirect", "Ankara had given its position to Moscow during the talks",
          "told", "Turkish Vice President Fuat Oktay", "Fuat Oktay", via="NTV"),
        Q("direct", "“We cannot overlook the cruelty in our neighbor,”", "said", "Oktay", "Fuat Oktay"),
        Q("direct",
          "“Turkey has fulfilled its responsibilities in Idlib. Some of our observation posts have fallen into "
          "areas controlled by the (Syrian) regime,”",
          "said", "[[he]] said", "Fuat Oktay"),
        Q("indirect",
          "Turkey could not be silent about the Syrian government forces around Turkish observation posts",
          "Erdogan [[said]] on", "[[Erdogan]] said", "Tayyip Erdogan"),
        Q("indirect", "did not create trust", "he [[said]] did", "[[he]] said did", "Tayyip Erdogan"),
        Q("indirect",
          "buses with commandos and trucks with more military equipment were sent to strengthen Turkish "
          "observation posts",
          "said", "The state news agency Anadolu", "Anadolu"),
        Q("indirect",
          "rebel fighters in Idlib had received US-made portable air defense systems from Turkey",
          "cited", "a military source", "a military source", via="Russian news agencies"),
        Q("indirect",
          "Ankara had sent more than 70 tanks, around 200 armored vehicles, and 80 artillery weapons to the region",
          "cited", "a military source", "a military source", via="Russian news agencies"),
        Q("indirect", "Ankara wanted to resolve issues with Russia through Idlib through diplomacy",
          "Cavusoglu [[said]] Ankara", "Turkish Foreign Minister Mevlut Cavusoglu", "Mevlut Cavusoglu"),
        Q("direct", "“If it doesn’t work through diplomatic channels, we will take the necessary steps.”",
          "added", "Turkish Foreign Minister Mevlut Cavusoglu", "Mevlut Cavusoglu"),
        Q("indirect",
          "a Turkish delegation would travel to Moscow for talks on Monday, and Ankara expected his allies to put "
          "pressure on the Syrian government, Russia and Iran to stop the attacks in Idlib",
          "said", "[[He]] said", "Mevlut Cavusoglu"),
        Q("indirect",
          "differences over Syria should not affect Ankara’s relationship with Moscow or interfere with his "
          "contract to purchase Russian S-400 missile defense systems",
          "cited", "[[Cavusoglu]] has been", "Mevlut Cavusoglu", via="Russian media"),
        Q("mixed", "he had a “positive meeting” with Lavrov",
          "tweeted", "[[Cavusoglu]] tweeted", "Mevlut Cavusoglu"),
        Q("mixed", "Turkey would “only make an assessment” after the talks in Moscow on Monday",
          "said", "[[Cavusoglu]] tweeted", "Mevlut Cavusoglu"),
        Q("indirect", "it cannot handle a new influx", "said", "[[Turkey]], home", "Turkey"),
        Q("indirect",
          "the Turkish-backed rebels had launched an offensive to recapture some areas that they had lost to "
          "Syrian forces",
          "said", "Erdogan", "Tayyip Erdogan"),
        Q("indirect",
          "Syrian troops had started clearing barricades off a highway between Damascus and Aleppo after "
          "regaining full control of the road for the first time in more than seven years",
          "said", "Syrian state media", "Syrian state media"),
        Q("indirect",
          "Syrian progress toward rebel-held Atarib, about 15 miles west of Aleppo, and three cities in the "
          "northwest",
          "reported", "State media", "Syrian state media"),
        Q("indirect",
          "Turkish-backed Syrian rebels had shot down a government helicopter west of Aleppo in the Idlib region",
          "reported", "Turkish and Syrian state media", "Turkish and Syrian state media"),
    ],
    # ------------------------------------------------------------------ 004 (China Daily / agencies)
    "004_fe2845dcb0823259": [
        Q("indirect",
          "Jeffrey met with Turkish Deputy Foreign Minister Sedat Onal and Presidential Spokesman Ibrahim Kalin "
          "to discuss the latest developments on the situation in Syria",
          "according to", "the US embassy in Turkey", "US embassy in Turkey"),
        Q("direct",
          '"Today in Idlib, Turkey, our ally, faces a threat. This threat comes from the government of Russia '
          'and Assad,"',
          "told", "[[Jeffrey]] told", "James Jeffrey"),
        Q("indirect", "he came to Turkey to reevaluate the situation with the Turkish government",
          "said", "The US official", "James Jeffrey"),
        Q("indirect", "the United States will give as much support as possible to Turkey",
          "adding", "The US official", "James Jeffrey"),
        Q("indirect",
          "flouting agreements it had made with Moscow on Syria and of aggravating the situation in Idlib",
          "accused", "[[Russia]] on Wednesday", "Russia"),
        Q("indirect", "bad faith",
          "accused", "the Kremlin, the Russian Foreign Ministry and the Russian Defence Ministry",
          "Kremlin, Russian Foreign Ministry and Russian Defence Ministry"),
        Q("mixed", 'Turkey had failed to deliver on a promise to "neutralize" militants in Idlib',
          "Kremlin [[said]] Turkey", "[[The Kremlin]] said", "Kremlin"),
        Q("indirect", "something it called [[unacceptable]]", "it [[called]]", "something [[it]] called", "Kremlin"),
        Q("indirect", "its forces were in Syria without the blessing of the Syrian government",
          "reminded", "The Russian Foreign Ministry", "Russian Foreign Ministry"),
        Q("indirect", "Turkish troops were seriously aggravating the situation on the ground in Idlib",
          "Ministry [[said]] Turkish", "the Russian Defense Ministry", "Russian Defence Ministry"),
        Q("mixed",
          'Russian forces and Iran-backed militias were "constantly attacking the civilian people, carrying out '
          'massacres, spilling blood"',
          "allegation", "Turkish President Recep Tayyip Erdogan", ERDOGAN),
        Q("direct",
          '"Statements by Turkish representatives about alleged attacks by Russian forces on civilians in the '
          'Idlib de-escalation zone do not correspond with reality,"',
          "said", "the Russian Defense Ministry", "Russian Defence Ministry"),
        Q("direct",
          '"The real reason for the crisis in the Idlib de-escalation zone, unfortunately, is the nonfulfillment '
          'by our Turkish colleagues of their undertakings to separate moderate opposition militants from '
          'terrorists."',
          None, None, "Russian Defence Ministry"),
        Q("indirect",
          "the presence of Turkish troops and armor in Idlib was making the situation there much worse, as was "
          "the transport of weapons and ammunition across the Syrian-Turkish border",
          "said", "It", "Russian Defence Ministry"),
        Q("indirect",
          "a Syrian was killed and another was wounded when government supporters attacked US troops and tried "
          "to block their way as their convoy drove through an army checkpoint in northeastern Syria, prompting "
          "a rare clash",
          "reported", "state media and activists", "state media and activists"),
        Q("indirect", "its forces came under fire", "military [[said]] its", "The US military", "US military"),
        Q("indirect", "troops responded in self-defense", "military [[said]] its", "The US military", "US military"),
        Q("indirect", "an investigation of the incident was underway", "It [[said]] an", "[[It]] said an", "US military"),
        Q("indirect", "the man killed was a civilian", "said", "Syrian state media", "Syrian state media"),
        Q("indirect",
          "he was among residents of a village east of the town of Qamishli who had gathered at the checkpoint "
          "and pelted the US convoy with stones",
          "said", "Syrian state media", "Syrian state media"),
    ],
}

_BRACKETS = re.compile(r"\[\[(.*?)\]\]")


def _locate(text: str, locator: str, lo: int, hi: int, what: str) -> Tuple[int, int]:
    """Find a locator in text[lo:hi]. RETURNS (Tuple[int, int]): the bracketed (or whole) span."""
    m = _BRACKETS.search(locator)
    if m:
        plain = locator[: m.start()] + m.group(1) + locator[m.end():]
        inner_off, inner_len = m.start(), len(m.group(1))
    else:
        plain, inner_off, inner_len = locator, 0, len(locator)
    hits = [i for i in range(lo, hi) if text.startswith(plain, i) and i + len(plain) <= hi]
    if len(hits) != 1:
        raise ValueError(f"{what} locator {locator!r}: found {len(hits)} times in scope [{lo}, {hi})")
    start = hits[0] + inner_off
    return start, start + inner_len


def _paragraph(text: str, pos: int) -> Tuple[int, int]:
    lo = text.rfind("\n", 0, pos) + 1
    hi = text.find("\n", pos)
    return lo, (len(text) if hi < 0 else hi)


def marks_type(text: str) -> str:
    """The quote type that the quotation marks of a content imply (straight and curly double marks).

    text (str): the content text.
    RETURNS (str): "direct" when the content is wholly inside marks (an opening mark at its start
        and, if it has a closing mark, that mark at its end, allowing trailing punctuation),
        "mixed" when it has marks elsewhere, else "indirect".
    """
    marks = [i for i, c in enumerate(text) if c in MARKS]
    if not marks:
        return "indirect"
    stripped_end = len(text.rstrip(".,;:!? "))
    if marks[0] == 0 and (len(marks) == 1 or (len(marks) == 2 and marks[1] >= stripped_end - 1)):
        return "direct"
    return "mixed"


_THAT = re.compile(r"\bthat[ \t]+$")


def _with_complementiser(text: str, span: Tuple[int, int]) -> Tuple[int, int]:
    """Reported speech includes its complementiser, as PolNeAR's guidelines do
    (`said [that the talks failed]`): extend a content right after `that ` over it."""
    match = _THAT.search(text, max(0, span[0] - 12), span[0])
    return (match.start(), span[1]) if match else span


# Quoted words in the journalist's voice that are no attribution (annotation JSONL ``not_quotes``,
# counted by the scorer as false positives when a predicted quote is one of them): names written
# in quotation marks (a party, a news agency) are of kind "title", as titles of works are.
NOT_QUOTES: Dict[str, List[Tuple[str, str]]] = {
    "000_caeafab9852e31d1": [('"Justice and Development"', "title"), ('"AFP"', "title")],
}


def build(seeds_dir: Path) -> List[dict]:
    """Build the records of every article in the spec.

    seeds_dir (Path): the folder holding the ``<stem>.txt`` articles.
    RETURNS (List[dict]): one record per article (see corpus/README.md).
    RAISES (ValueError): listing every locator that is missing or ambiguous.
    """
    records = []
    errors: List[str] = []
    for stem, quotes in SPEC.items():
        path = seeds_dir / f"{stem}.txt"
        with open(path, encoding="utf-8", newline="") as fh:
            text = fh.read()
        out = []
        for n, q in enumerate(quotes):
            where = f"{stem} quote {n}"
            try:
                content = _locate(text, q.content, 0, len(text), f"{where}: content")
                if q.type != "direct":
                    content = _with_complementiser(text, content)
                lo, hi = _paragraph(text, content[0])
                cue = _locate(text, q.cue, lo, hi, f"{where}: cue") if q.cue else None
                speaker = _locate(text, q.speaker, lo, hi, f"{where}: speaker") if q.speaker else None
                via = _locate(text, q.via, lo, hi, f"{where}: via") if q.via else None
            except ValueError as err:
                errors.append(str(err))
                continue
            out.append({
                "type": q.type, "content": list(content),
                "cue": list(cue) if cue else None, "speaker": list(speaker) if speaker else None,
                "speaker_name": q.name, "via": list(via) if via else None,
            })
        out.sort(key=lambda item: (item["content"][0], item["content"][1]))
        record = {"id": stem, "source": f"shared/seeds/{stem}.txt", "text": text, "quotes": out}
        not_quotes = []
        for locator, kind in NOT_QUOTES.get(stem, []):
            try:
                not_quotes.append({"content": list(_locate(text, locator, 0, len(text), f"{stem} not-quote")), "kind": kind})
            except ValueError as err:
                errors.append(str(err))
        if not_quotes:
            record["not_quotes"] = not_quotes
        records.append(record)
    if errors:
        raise ValueError("\n".join(errors))
    return records


def verify(records: List[dict]) -> List[str]:
    """Check the records (see the module docstring). RETURNS (List[str]): the problems found."""
    problems = []
    for rec in records:
        text = rec["text"]
        spans: List[Tuple[int, int, str]] = []
        for n, q in enumerate(rec["quotes"]):
            where = f"{rec['id']} quote {n}"
            own = []
            for role in ("content", "cue", "speaker", "via"):
                off = q[role]
                if off is None:
                    continue
                a, b = off
                if not (0 <= a < b <= len(text)):
                    problems.append(f"{where}: {role} offsets {off} out of range")
                    continue
                s = text[a:b]
                if s != s.strip():
                    problems.append(f"{where}: {role} {s!r} has outer white space")
                own.append((a, b, role))
                spans.append((a, b, f"{where} {role}"))
            for i, (a1, b1, r1) in enumerate(own):
                for a2, b2, r2 in own[i + 1:]:
                    if a1 < b2 and a2 < b1:
                        problems.append(f"{where}: {r1} and {r2} overlap")
            if q["type"] not in ("direct", "mixed", "indirect"):
                problems.append(f"{where}: bad type {q['type']!r}")
            implied = marks_type(text[q["content"][0]:q["content"][1]])
            if implied != q["type"]:
                problems.append(f"{where}: declared {q['type']} but marks say {implied}")
            if q["speaker"] is not None and not q["speaker_name"]:
                problems.append(f"{where}: speaker span without speaker_name")
        uniq = sorted(set((a, b) for a, b, _ in spans))
        for i, (a1, b1) in enumerate(uniq):
            for a2, b2 in uniq[i + 1:]:
                if a2 >= b1:
                    break
                if a1 < a2 < b1 < b2:
                    problems.append(f"{rec['id']}: spans [{a1},{b1}) and [{a2},{b2}) cross")
    return problems


def show(records: List[dict]) -> None:
    """Print every annotation with a little context, for proof-reading."""
    for rec in records:
        text = rec["text"]
        print(f"=== {rec['id']} ({len(rec['quotes'])} quotes)")
        for n, q in enumerate(rec["quotes"]):
            a, b = q["content"]
            part = lambda role: (repr(text[q[role][0]:q[role][1]]) + f"@{q[role][0]}") if q[role] else "-"  # noqa: E731
            print(f"[{n}] {q['type']:8} speaker={part('speaker')} name={q['speaker_name']!r} "
                  f"cue={part('cue')} via={part('via')}")
            print(f"     ...{text[max(0, a - 40):a]!s}<<{text[a:b]}>>{text[b:b + 30]}...")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    records = build(args.seeds)
    problems = verify(records)
    if args.show:
        show(records)
    if problems:
        for p in problems:
            print("PROBLEM:", p, file=sys.stderr)
        return 1
    with open(args.out, "w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    total = sum(len(r["quotes"]) for r in records)
    print(f"wrote {args.out}: {len(records)} articles, {total} quotes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
