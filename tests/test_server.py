"""`spacy-quotes serve`: every route and error through FastAPI's TestClient, the batching, then a
real server (`python -m spacy_quotes serve`, two worker processes) over HTTP and its page in
headless Chromium (driven over the DevTools protocol on a pipe: no extra package)."""
import asyncio
import base64
import csv
import fcntl
import io
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

pytest.importorskip("fastapi", reason="the server extra (pip install 'spacy-quotes[server]') is not installed")
pytest.importorskip("httpx", reason="the server extra (pip install 'spacy-quotes[server]') is not installed")

import httpx  # noqa: E402
import spacy  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from spacy.language import Language  # noqa: E402

from spacy_quotes.base import base_pipeline_name  # noqa: E402
from spacy_quotes.inputs import InputText  # noqa: E402
from spacy_quotes.plugins import hookimpl  # noqa: E402
from spacy_quotes.plugins.manager import get_plugin_manager  # noqa: E402
from spacy_quotes.runner import pipe_records, split_text  # noqa: E402
from spacy_quotes.server import DEFAULT_MAX_BODY, create_app  # noqa: E402
from spacy_quotes.server.batching import Batcher, PipelinePool  # noqa: E402
from spacy_quotes.server.worker import WorkItem  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
TOKEN = "test-token-5d1c"

LIBRARY = ("\u201cWe will open the new library in March,\u201d the mayor said on Tuesday.\n\n"
           "The council said the budget for the project would rise by four percent. Maria Lopez, the head of "
           "the city\u2019s finance office, told reporters that the loan had been approved. "
           "\u201cIt is a good day for readers,\u201d she added.")
HARBOUR = ("The harbour master said the storm had damaged three boats. \u201cNobody was hurt,\u201d said "
           "Tom Berg, a spokesman for the coast guard.")
HOSTILE = ("<script>window.__pwned = 1</script> \u201cThe <b>vote</b> \"><img src=x onerror=\"window.__pwned=2\"> "
           "is over,\u201d the chair said. ' onmouseover='window.__pwned=3")


def _records_of(nlp: Language, doc_id: str, text: str) -> List[Dict[str, Any]]:
    """What `spacy-quotes extract` gives for one text."""
    return list(pipe_records(nlp, [InputText(doc_id, text, doc_id)]))[0].records


def _check_offsets(records: List[Dict[str, Any]], texts: Dict[str, str]) -> None:
    for rec in records:
        text = texts[rec["doc_id"]]
        assert rec["text"] == text[rec["start"]:rec["end"]]
        for key in ("cue", "speaker"):
            if rec[key] is not None:
                assert rec[key]["text"] == text[rec[key]["start"]:rec[key]["end"]]


@pytest.fixture(scope="module")
def nlp(quotes_nlp) -> Language:
    return quotes_nlp


@pytest.fixture(scope="module")
def client(nlp):
    with TestClient(create_app(nlp)) as c:
        yield c


@pytest.fixture(scope="module")
def small(nlp):
    """A server with small limits: 20,000 bytes, 3 documents."""
    with TestClient(create_app(nlp, max_body=20_000, max_documents=3)) as c:
        yield c


# --- POST /v1/quotes ---------------------------------------------------------------------


def test_quotes_of_one_text_are_extracts_records(client, nlp):
    response = client.post("/v1/quotes", json={"text": LIBRARY})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    data = response.json()
    assert set(data) == {"quotes"}
    records = data["quotes"]
    assert records == _records_of(nlp, "1", LIBRARY)  # doc_id: the 1-based position
    _check_offsets(records, {"1": LIBRARY})
    first = records[0]
    assert (first["type"], first["text"], first["cue"]["text"], first["speaker"]["text"]) == (
        "direct", "We will open the new library in March", "said", "the mayor")
    assert [r["index"] for r in records] == list(range(len(records)))
    assert "Maria Lopez" in {r["speaker_name"] for r in records}


def test_quotes_of_several_documents_keep_their_ids(client, nlp):
    body = {"documents": [{"id": "lib", "text": LIBRARY}, {"id": 7, "text": HARBOUR}, {"text": ""}]}
    response = client.post("/v1/quotes", json=body)
    assert response.status_code == 200, response.text
    records = response.json()["quotes"]
    assert records == _records_of(nlp, "lib", LIBRARY) + _records_of(nlp, "7", HARBOUR)
    _check_offsets(records, {"lib": LIBRARY, "7": HARBOUR})
    assert [r["doc_id"] for r in records] == sorted((r["doc_id"] for r in records), key=["lib", "7"].index)
    berg = [r for r in records if r["speaker_name"] == "Tom Berg"]
    assert berg and berg[0]["text"] == "Nobody was hurt" and berg[0]["speaker_id"] == "7:Tom Berg"
    # one text with an id
    one = client.post("/v1/quotes", json={"text": HARBOUR, "id": "h"}).json()["quotes"]
    assert {r["doc_id"] for r in one} == {"h"}


def test_filters_min_score_and_types(client):
    everything = client.post("/v1/quotes", json={"text": LIBRARY}).json()["quotes"]
    threshold = sorted(r["score"] for r in everything)[len(everything) // 2]
    kept = client.post("/v1/quotes", json={"text": LIBRARY, "min_score": threshold}).json()["quotes"]
    assert kept == [r for r in everything if r["score"] >= threshold] and 0 < len(kept) < len(everything)
    direct = client.post("/v1/quotes", json={"text": LIBRARY, "types": ["direct"]}).json()["quotes"]
    assert direct == [r for r in everything if r["type"] == "direct"] and len(direct) == 2


class CueKinds:
    """A plugin that sets `cue_kind` on each record (its own classes, whatever the pipeline set)."""

    @hookimpl
    def process_record(self, record, quote, doc):
        if record["cue"] is None:
            return None
        return {"cue_kind": "speech_verb" if record["cue"]["text"] in ("said", "told") else "other"}


class NoCueKinds:
    """A plugin that takes `cue_kind` out of each record (a pipeline that does not set it)."""

    @hookimpl
    def process_record(self, record, quote, doc):
        record.pop("cue_kind", None)


def test_cue_kind_filter_where_records_have_the_field(client):
    plugin = CueKinds()
    get_plugin_manager().register(plugin, name="test-cue-kinds")
    try:
        data = client.post("/v1/quotes", json={"text": LIBRARY, "cue_kind": ["speech_verb"]}).json()
        assert "warnings" not in data
        assert [r["cue"]["text"] for r in data["quotes"]] == ["said", "said", "told"]
        assert {r["cue_kind"] for r in data["quotes"]} == {"speech_verb"}
        added = client.post("/v1/quotes", json={"text": LIBRARY, "cue_kind": "other"}).json()["quotes"]
        assert [r["cue"]["text"] for r in added] == ["added"]
    finally:
        get_plugin_manager().unregister(plugin)
    plugin = NoCueKinds()
    get_plugin_manager().register(plugin, name="test-no-cue-kinds")
    try:
        plain = client.post("/v1/quotes", json={"text": LIBRARY, "cue_kind": "speech_verb"}).json()
    finally:
        get_plugin_manager().unregister(plugin)
    # no record has the field: nothing is filtered, and the answer says so
    assert len(plain["quotes"]) == 4 and all("cue_kind" not in r for r in plain["quotes"])
    assert "cue_kind" in plain["warnings"][0]


def test_formats_go_through_the_exporter_plugins(client):
    records = client.post("/v1/quotes", json={"text": LIBRARY}).json()["quotes"]
    response = client.post("/v1/quotes?format=jsonl", json={"text": LIBRARY})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line) for line in response.text.splitlines()] == records
    response = client.post("/v1/quotes?format=csv", json={"text": LIBRARY})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="quotes.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["text"], int(r["start"]), r["speaker_name"]) for r in rows] == [
        (r["text"], r["start"], r["speaker_name"]) for r in records]


class Markdown:
    """A third-party exporter: a Markdown list of the quotes."""

    @staticmethod
    def export(records, path):
        with open(path, "w", encoding="utf-8") as out:
            for r in records:
                out.write(f"- **{r['speaker_name']}**: {r['text']}\n")

    @hookimpl
    def register_exporters(self, register):
        register("markdown", self.export, description="A Markdown list", extension=".md")


def test_third_party_exporter_serves_over_http(client):
    plugin = Markdown()
    get_plugin_manager().register(plugin, name="test-markdown")
    try:
        listed = {e["name"]: e for e in client.get("/v1/exporters").json()["exporters"]}
        assert {"jsonl", "csv", "markdown"} <= set(listed)
        assert listed["markdown"]["extension"] == ".md" and listed["jsonl"]["distribution"] == "spacy-quotes"
        response = client.post("/v1/quotes?format=markdown", json={"text": HARBOUR})
        assert response.status_code == 200
        assert response.text.splitlines() == ["- **the harbour master**: the storm had damaged three boats",
                                              "- **Tom Berg**: Nobody was hurt"]
        assert 'filename="quotes.md"' in response.headers["content-disposition"]
    finally:
        get_plugin_manager().unregister(plugin)
    response = client.post("/v1/quotes?format=markdown", json={"text": HARBOUR})
    assert response.status_code == 422 and "known formats: csv, jsonl" in response.json()["detail"]


def test_hostile_text_is_escaped_in_the_html(client):
    data = client.post("/v1/quotes", json={"text": HOSTILE, "html": True}).json()
    _check_offsets(data["quotes"], {"1": HOSTILE})
    page = data["html"]
    assert page.startswith('<article class="card doc" id="doc-1"')
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: set = set()
            self.attrs: set = set()
            self.text: List[str] = []

        def handle_starttag(self, tag, attrs):
            self.tags.add(tag)
            self.attrs.update(name for name, _ in attrs)

        def handle_data(self, data):
            self.text.append(data)

    parsed = Tags()
    parsed.feed(page)
    assert parsed.tags <= {"article", "h2", "p", "details", "summary", "div", "table", "thead", "tbody", "tr",
                           "th", "td", "span", "mark", "a"}, parsed.tags
    assert not any(name.startswith("on") for name in parsed.attrs), parsed.attrs
    shown = "".join(parsed.text)  # the text as the browser shows it, labels between the quotes
    assert "<script>window.__pwned = 1</script>" in shown and "<img src=x onerror=" in shown
    assert "' onmouseover='window.__pwned=3" in shown
    assert page.count('class="q q-') >= len(data["quotes"]) >= 1


def test_long_document_is_split_as_extract_splits_it(client, nlp):
    text = "\n\n".join([LIBRARY, HARBOUR] * 6)
    saved = nlp.max_length
    nlp.max_length = 700
    try:
        assert len(split_text(text, nlp.max_length)) > 1
        records = client.post("/v1/quotes", json={"documents": [{"id": "long", "text": text}]}).json()["quotes"]
        assert records == _records_of(nlp, "long", text)
    finally:
        nlp.max_length = saved
    _check_offsets(records, {"long": text})
    assert len(records) == 6 * 6 and records[-1]["start"] > 2000
    assert [r["index"] for r in records] == list(range(len(records)))


# --- other routes ------------------------------------------------------------------------


def test_healthz_exporters_openapi(client):
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["model"] == base_pipeline_name() and health["model_version"] == "3.8.0"
    assert "quotes" in health["pipes"] and health["workers"] == 1 and health["batching"]["batches"] >= 1
    schema = client.get("/openapi.json").json()
    assert {"/v1/quotes", "/v1/exporters", "/healthz"} <= set(schema["paths"])
    body = schema["paths"]["/v1/quotes"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert {"text", "documents", "min_score", "cue_kind", "types", "html"} <= set(body["properties"])
    assert "$defs" not in json.dumps(body)
    # the interactive docs pages load scripts from a CDN: they are off
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404
    assert client.get("/nowhere").json() == {"detail": "Not Found"}
    assert client.get("/v1/quotes").status_code == 405


def test_page_is_self_contained(client):
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    page = response.text
    assert '<form id="quote-form"' in page and '<textarea id="text"' in page and 'id="download-csv"' in page
    assert 'id="token"' not in page  # no token configured
    assets = {name: client.get(f"/static/{name}") for name in ("page.js", "page.css", "render.css")}
    for name, asset in assets.items():
        assert asset.status_code == 200, name
    assert assets["page.js"].headers["content-type"].startswith("text/javascript")
    assert ".q-direct" in assets["render.css"].text  # spacy-quotes render's style sheet
    for text in [page] + [a.text for a in assets.values()]:
        assert "http://" not in text and "https://" not in text and "@import" not in text and "url(" not in text
    for bad in ("../app.py", "..%2Fapp.py", "app.py", ".hidden.js", "nope.js"):
        assert client.get(f"/static/{bad}").status_code == 404, bad


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize("body,status,message", [
    (b"", 422, "the request body is empty"),
    (b"{\"text\": ", 422, "not valid JSON"),
    (b"[1, 2]", 422, "expected a JSON object"),
    (b"{}", 422, "give either 'text'"),
    (b'{"documents": [{"id": "a"}]}', 422, "documents.0.text: Field required"),
    (b'{"text": 5}', 422, "text: Input should be a valid string"),
    (b'{"text": "a", "documents": []}', 422, "give either 'text'"),
    (b'{"text": "a", "min_score": NaN}', 422, "NaN is not valid JSON"),
    (b'{"text": "a", "min_score": 1.5}', 422, "min_score: Input should be less than or equal to 1"),
    (b'{"text": "a", "types": ["quoted"]}', 422, "types.0"),
    (b'{"text": "a", "min_scor": 0.5}', 422, "min_scor: Extra inputs are not permitted"),
    (b'{"documents": [{"id": "x", "text": "a"}, {"id": "x", "text": "b"}]}', 422, "same id: 'x'"),
    (b"[" * 9_000 + b"]" * 9_000, 422, "nested too deeply"),
    (b'{"text": "caf\xe9"}', 400, "not valid UTF-8: invalid continuation byte at byte 13"),
    (b"\xff\xfe{\x00}\x00", 400, "not valid UTF-8"),
    (b'{"text": "a \\ud800 b"}', 400, "text holds an unpaired UTF-16 surrogate"),
])
def test_bad_requests_get_json_errors(small, body, status, message):
    response = small.post("/v1/quotes", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert message in response.json()["detail"]


def test_limits(small, client):
    big = json.dumps({"text": "word " * 5000}).encode()  # 25 kB > 20,000
    response = small.post("/v1/quotes", content=big)
    assert response.status_code == 413 and "limit is 20,000 bytes" in response.json()["detail"]

    def chunks():  # no Content-Length: the limit holds while reading
        for _ in range(50):
            yield b" " * 1000

    response = small.post("/v1/quotes", content=chunks())
    assert response.status_code == 413 and "over the limit of 20,000 bytes" in response.json()["detail"]
    docs = {"documents": [{"text": "a"}] * 4}
    response = small.post("/v1/quotes", json=docs)
    assert response.status_code == 413 and "4 documents" in response.json()["detail"]
    assert small.post("/v1/quotes", json={"documents": [{"text": "a"}] * 3}).status_code == 200
    # the default limit: 2 MB
    assert DEFAULT_MAX_BODY == 2 * 1024 * 1024
    huge = json.dumps({"text": "x" * DEFAULT_MAX_BODY}).encode()
    response = client.post("/v1/quotes", content=huge)
    assert response.status_code == 413 and "2,097,152" in response.json()["detail"]


def test_token_on_every_api_route(nlp):
    with TestClient(create_app(nlp, token=TOKEN)) as c:
        for method, path in (("post", "/v1/quotes"), ("get", "/v1/exporters")):
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
                response = c.request(method, path, json={"text": HARBOUR}, headers=headers)
                assert response.status_code == 401, (path, headers)
                assert response.headers["www-authenticate"] == "Bearer"
                assert "bearer token" in response.json()["detail"]
        good = {"Authorization": f"Bearer {TOKEN}"}
        assert c.post("/v1/quotes", json={"text": HARBOUR}, headers=good).json()["quotes"][1]["text"] == "Nobody was hurt"
        assert c.get("/v1/exporters", headers=good).status_code == 200
        assert c.get("/healthz").status_code == 200  # for probes: no data, no token
        assert 'id="token"' in c.get("/").text  # the page asks for it


def test_no_cors_unless_configured(client, nlp):
    origin = {"Origin": "https://news.example"}
    response = client.post("/v1/quotes", json={"text": "a"}, headers=origin)
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers
    preflight = client.options("/v1/quotes", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    with TestClient(create_app(nlp, cors_origins=["https://news.example"])) as c:
        response = c.post("/v1/quotes", json={"text": "a"}, headers=origin)
        assert response.headers["access-control-allow-origin"] == "https://news.example"
        other = c.post("/v1/quotes", json={"text": "a"}, headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


# --- batching and pipeline errors --------------------------------------------------------


@Language.component("spacy_quotes_test_explode")
def _explode(doc):
    if "EXPLODE" in doc.text:
        raise ValueError("this text explodes")
    return doc


@pytest.fixture(scope="module")
def exploding_nlp(nlp) -> Language:
    """The quotes pipeline's tokenizer and a component that fails on texts with EXPLODE."""
    blank = spacy.blank("en")
    blank.add_pipe("spacy_quotes_test_explode")
    return blank


def test_requests_that_wait_together_share_one_batch(nlp):
    pool = PipelinePool(nlp=nlp)
    batcher = Batcher(pool)
    texts = [LIBRARY, HARBOUR, HOSTILE, HARBOUR + " " + LIBRARY, ""]

    async def run():
        await pool.start()
        try:
            return await asyncio.gather(*(
                batcher.submit([WorkItem(InputText(str(i), t, str(i)))]) for i, t in enumerate(texts)))
        finally:
            await batcher.close()

    results = asyncio.run(run())
    pool.close()
    assert batcher.stats.batches == 1 and batcher.stats.largest_batch == 5 and batcher.stats.documents == 5
    for i, (text, [result]) in enumerate(zip(texts, results)):
        assert result.error is None and result.records == _records_of(nlp, str(i), text)


def test_a_failing_request_does_not_fail_its_batch(exploding_nlp):
    pool = PipelinePool(nlp=exploding_nlp)
    batcher = Batcher(pool)
    texts = ["fine one", "this will EXPLODE now", "fine two"]

    async def run():
        try:
            return await asyncio.gather(*(
                batcher.submit([WorkItem(InputText(str(i), t, str(i)))]) for i, t in enumerate(texts)))
        finally:
            await batcher.close()

    results = asyncio.run(run())
    pool.close()
    # the component fails on its one document; a trainable pipe's error fails its whole nlp.pipe batch,
    # so each job with an error runs again alone before it counts as failed
    assert batcher.stats.batches == 1 and batcher.stats.largest_batch == 3 and batcher.stats.retried_jobs == 1
    assert [r[0].error is None for r in results] == [True, False, True]
    assert "this text explodes" in results[1][0].error
    with TestClient(create_app(exploding_nlp)) as c:
        response = c.post("/v1/quotes", json={"documents": [{"id": "ok", "text": "fine"},
                                                            {"id": "bad", "text": "EXPLODE"}]})
        assert response.status_code == 500
        assert "document 'bad'" in response.json()["detail"] and "this text explodes" in response.json()["detail"]
        assert c.post("/v1/quotes", json={"text": "fine again"}).json() == {"quotes": []}


def test_concurrent_requests_get_their_own_records(client, nlp):
    texts = {f"d{i}": (LIBRARY if i % 2 else HARBOUR) + f" Item {i}." for i in range(6)}
    answers: Dict[str, Any] = {}

    def post(doc_id: str) -> None:
        answers[doc_id] = client.post("/v1/quotes", json={"documents": [{"id": doc_id, "text": texts[doc_id]}]})

    threads = [threading.Thread(target=post, args=(d,)) for d in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for doc_id, response in answers.items():
        assert response.status_code == 200
        assert response.json()["quotes"] == _records_of(nlp, doc_id, texts[doc_id])
    assert len(answers) == 6


def test_healthz_answers_while_the_pipeline_thread_works(client):
    """workers=1: the pipeline runs in a thread of the server's process, off the event loop."""
    long_text = "\n\n".join([LIBRARY, HARBOUR] * 30)  # about 2,500 words
    answer: Dict[str, Any] = {}
    worker = threading.Thread(target=lambda: answer.update(r=client.post("/v1/quotes", json={"text": long_text})))
    worker.start()
    time.sleep(0.5)
    started = time.monotonic()
    health = client.get("/healthz")
    elapsed = time.monotonic() - started
    running = health.json()["batching"]["running_batches"]
    worker.join(120)
    assert health.status_code == 200 and elapsed < 1.0, elapsed
    assert running == 1, "the long text was done before /healthz was asked: make it longer"
    assert len(answer["r"].json()["quotes"]) == 30 * 6


def test_cli_rejects_bad_options_before_loading():
    from typer.testing import CliRunner

    from spacy_quotes.cli import app
    from spacy_quotes.cli.serve import parse_size

    assert parse_size("2MB") == 2_000_000 and parse_size("2MiB") == 2 * 1024 * 1024 and parse_size("512") == 512
    result = CliRunner().invoke(app, ["serve", "--max-body", "lots"])
    assert result.exit_code == 2 and "--max-body: not a size: 'lots'" in result.output
    result = CliRunner().invoke(app, ["serve", "--workers", "0"])
    assert result.exit_code == 2


# --- a real server -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """`spacy-quotes serve` on a free loopback port, two worker processes, token from the environment."""
    if not SEEDS.is_dir():
        pytest.skip(f"the shared seed articles are not at {SEEDS}")
    port = _free_port()
    log_path = tmp_path_factory.mktemp("server") / "server.log"
    log = open(log_path, "wb")
    env = dict(os.environ, SPACY_QUOTES_TOKEN=TOKEN)
    proc = subprocess.Popen([sys.executable, "-m", "spacy_quotes", "serve", "--port", str(port), "--workers", "2"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, f"the server exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"no /healthz after 240 s:\n{log_path.read_text()[-3000:]}"
            time.sleep(0.3)
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_live_server(live_server):
    url = live_server
    auth = {"Authorization": f"Bearer {TOKEN}"}
    health = httpx.get(f"{url}/healthz", timeout=10).json()
    assert health["workers"] == 2 and health["worker_processes"] is True
    assert health["model"] == base_pipeline_name()
    assert httpx.post(f"{url}/v1/quotes", json={"text": "a"}, timeout=10).status_code == 401
    seed_id = "001_6e71cad11a8e8717"
    article = _seed(f"{seed_id}.txt")
    response = httpx.post(f"{url}/v1/quotes", json={"documents": [{"id": seed_id, "text": article}]},
                          headers=auth, timeout=120)
    assert response.status_code == 200, response.text
    records = response.json()["quotes"]
    _check_offsets(records, {seed_id: article})
    assert len(records) >= 15 and {r["doc_id"] for r in records} == {seed_id}
    assert "Recep Tayyip Erdogan" in {r["speaker_name"] for r in records}
    # /healthz answers at once while a long article is being processed
    long_text = "\n\n".join(_seed(p.name) for p in sorted(SEEDS.glob("*.txt")))
    answer: Dict[str, Any] = {}
    worker = threading.Thread(target=lambda: answer.update(r=httpx.post(
        f"{url}/v1/quotes", json={"documents": [{"id": "long", "text": long_text}]}, headers=auth, timeout=300)))
    worker.start()
    time.sleep(0.5)
    started = time.monotonic()
    busy = httpx.get(f"{url}/healthz", timeout=10)
    elapsed = time.monotonic() - started
    still_running = worker.is_alive()
    worker.join(300)
    assert busy.status_code == 200 and elapsed < 1.0, elapsed
    assert still_running, "the long article was done before /healthz was asked: make it longer"
    long_records = answer["r"].json()["quotes"]
    _check_offsets(long_records, {"long": long_text})
    assert len(long_records) > 2 * len(records)
    # CSV over HTTP
    csv_text = httpx.post(f"{url}/v1/quotes?format=csv", json={"text": article}, headers=auth, timeout=120).text
    assert len(list(csv.DictReader(io.StringIO(csv_text)))) == len(records)


class DevTools:
    """Headless Chromium driven over the DevTools protocol on a pipe (--remote-debugging-pipe:
    fd 3 in, fd 4 out, NUL-separated JSON messages)."""

    def __init__(self, profile: Path) -> None:
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # the child's ends move above 9 first, so that bash's 3<&X 4>&Y cannot clobber them (dash takes one digit only)
        to_chrome_r, from_chrome_w = (self._above_9(fd) for fd in (to_chrome_r, from_chrome_w))
        args = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--hide-scrollbars", "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank",
        ]
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", f'exec "$0" "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}', str(CHROMIUM), *args],
            pass_fds=(to_chrome_r, from_chrome_w), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buffer = b""
        self._id = 0
        self.events: List[Dict[str, Any]] = []

    @staticmethod
    def _above_9(fd: int) -> int:
        high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
        os.close(fd)
        return high

    def _read(self, timeout: float) -> Dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_chrome], [], [], max(0.0, left))
            assert ready, "Chromium did not answer"
            chunk = os.read(self._from_chrome, 1 << 20)
            assert chunk, "Chromium closed the pipe"
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: Optional[Dict[str, Any]] = None, session: Optional[str] = None,
             timeout: float = 60) -> Dict[str, Any]:
        self._id += 1
        message: Dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read(timeout)
            if reply.get("id") == self._id:
                assert "error" not in reply, reply
                return reply["result"]
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 60) -> Dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read(max(0.1, deadline - time.monotonic())))

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True}, session)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def wait_for(self, session: str, expression: str, timeout: float = 120) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = self.evaluate(session, expression)
            if value:
                return value
            time.sleep(0.2)
        raise AssertionError(f"timed out waiting for {expression}")

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=10)
        except (AssertionError, OSError):
            pass
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs headless Chromium at /usr/bin/chromium "
                    "(apt-get install -y chromium) to submit the page's form in a real browser")
def test_page_in_chromium(live_server, tmp_path):
    seed_id = "001_6e71cad11a8e8717"
    article = _seed(f"{seed_id}.txt")
    browser = DevTools(tmp_path / "profile")
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.send("Page.enable", session=session)
        browser.send("Emulation.setDeviceMetricsOverride",
                     {"width": 1280, "height": 1800, "deviceScaleFactor": 1, "mobile": False}, session)
        browser.send("Page.navigate", {"url": f"{live_server}/"}, session)
        browser.wait_event("Page.loadEventFired")
        assert browser.evaluate(session, "document.getElementById('download-csv').disabled") is True

        def submit(text: str) -> None:
            browser.evaluate(session, "document.getElementById('result').removeAttribute('data-quotes');"
                             f"document.getElementById('token').value = {json.dumps(TOKEN)};"
                             f"document.getElementById('text').value = {json.dumps(text)};"
                             "document.getElementById('find').click(); true")
            browser.wait_for(session, "document.getElementById('result').getAttribute('data-quotes')"
                             " || document.getElementById('status').className.includes('error')")

        submit(article)
        seen = browser.evaluate(session, """JSON.stringify({
            status: document.getElementById('status').textContent,
            quotes: Number(document.getElementById('result').getAttribute('data-quotes')),
            marks: document.querySelectorAll('#result mark.q[data-start]').length,
            cues: document.querySelectorAll('#result .cue').length,
            mentions: document.querySelectorAll('#result .spk').length,
            labels: Array.from(document.querySelectorAll('#result .who .name'), e => e.textContent),
            table: Array.from(document.querySelectorAll('#result table.speakers td.name'), e => e.textContent),
            tableTop: document.querySelector('#result table.speakers').getBoundingClientRect().top,
            text: (() => {
                const copy = document.querySelector('#result .text').cloneNode(true);
                copy.querySelectorAll('.who').forEach(label => label.remove());
                return copy.textContent; })()})""")
        seen = json.loads(seen)
        assert "quotes found" in seen["status"], seen["status"]
        assert seen["quotes"] >= 15 and seen["marks"] == seen["quotes"] and seen["cues"] >= 10 and seen["mentions"] >= 10
        assert "Recep Tayyip Erdogan" in seen["table"] and "Recep Tayyip Erdogan" in seen["labels"]
        assert "Dmitry Peskov" in seen["table"]
        assert len(seen["labels"]) == seen["quotes"]
        assert seen["tableTop"] < 1800  # the speakers table is in the screenshot's window
        # without the speaker labels, the drawn text is the article exactly
        assert seen["text"] == article.replace("\r\n", "\n")

        data = browser.send("Page.captureScreenshot", {"format": "png"}, session)["data"]
        (tmp_path / "page.png").write_bytes(base64.b64decode(data))
        # the browser decodes its own screenshot and counts the pixels of the highlight colours
        pixels = json.loads(browser.evaluate(session, f"""(async () => {{
            const bytes = Uint8Array.from(atob({json.dumps(data)}), c => c.charCodeAt(0));
            const image = await createImageBitmap(new Blob([bytes], {{type: 'image/png'}}));
            const canvas = new OffscreenCanvas(image.width, image.height);
            const context = canvas.getContext('2d');
            context.drawImage(image, 0, 0);
            const d = context.getImageData(0, 0, image.width, image.height).data;
            const near = (i, rgb) => Math.abs(d[i] - rgb[0]) <= 6 && Math.abs(d[i + 1] - rgb[1]) <= 6
                && Math.abs(d[i + 2] - rgb[2]) <= 6;
            let direct = 0, mixed = 0, indirect = 0;
            const colours = new Set();
            for (let i = 0; i < d.length; i += 4) {{
                if (near(i, [0xD9, 0xEB, 0xF7])) direct++;
                if (near(i, [0xFD, 0xE3, 0xCF])) mixed++;
                if (near(i, [0xEF, 0xE0, 0xF3])) indirect++;
                if (i % 40 === 0) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            }}
            return JSON.stringify({{width: image.width, height: image.height, direct, mixed, indirect,
                                   colours: colours.size}});
        }})()"""))
        assert (pixels["width"], pixels["height"]) == (1280, 1800)
        assert pixels["direct"] > 300 and pixels["mixed"] > 2000 and pixels["indirect"] > 2000, pixels
        assert pixels["colours"] > 50, pixels

        # the CSV download goes through the exporter
        browser.evaluate(session, "document.getElementById('download-csv').click(); true")
        size = browser.wait_for(session, "(document.querySelector('a[download=\"quotes.csv\"]') || {})"
                                ".getAttribute && document.querySelector('a[download=\"quotes.csv\"]')"
                                ".getAttribute('data-size')")
        assert int(size) > 1000

        # hostile text is shown as text, nothing runs
        submit(HOSTILE)
        hostile = json.loads(browser.evaluate(session, """JSON.stringify({
            pwned: window.__pwned === undefined ? null : window.__pwned,
            elements: document.querySelectorAll('#result script, #result img, #result b, #result [onmouseover]').length,
            text: document.querySelector('#result .text').textContent})"""))
        assert hostile["pwned"] is None and hostile["elements"] == 0
        assert "<script>window.__pwned = 1</script>" in hostile["text"] and "<img src=x onerror=" in hostile["text"]
    finally:
        browser.close()
