"""The web page of ``spacy-quotes serve`` (``GET /``): paste an article, see its quotes.

The page is a form; its script (``static/page.js``, served by the app) posts the text to
``POST /v1/quotes`` with ``html: true`` and shows the answer's ``html``: the article as
``spacy-quotes render`` draws it (:func:`spacy_quotes.render.render_doc`, with that page's
CSS, :data:`spacy_quotes.render.CSS`, served as ``/static/render.css``): quotes highlighted by
type, cues and speaker mentions marked, the speaker on each quote and the speakers table. The
download buttons post the same text with ``?format=jsonl`` / ``?format=csv``.

Everything comes from the server itself (the Content-Security-Policy allows scripts, styles
and requests from the page's own origin only, and no inline script). Text from the user is
only ever escaped by the renderer or set as ``textContent``, so ``<script>`` shows as text.
"""
import html
from pathlib import Path
from typing import Any, Dict, Optional

from ..about import __version__
from ..render import CSS

STATIC_DIR = Path(__file__).parent / "static"


def render_css() -> str:
    """RETURNS (str): the stylesheet of ``spacy-quotes render``'s page."""
    return CSS + "\n"


def page_html(*, token_required: bool = False, info: Optional[Dict[str, Any]] = None) -> str:
    """The page.

    token_required (bool): show a token field (the server was started with a token).
    info (Optional[Dict[str, Any]]): the pipeline's name and version, for the footer.
    RETURNS (str): the HTML.
    """
    info = info or {}
    model = info.get("model")
    about = f"model {model} {info.get('model_version', '')}".strip() if model else "model loading"
    token_row = (
        '<p class="row"><label for="token">Token</label> '
        '<input id="token" name="token" type="password" autocomplete="off" spellcheck="false" '
        'placeholder="the server\'s bearer token"></p>'
        if token_required else ""
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="spacy-quotes {html.escape(__version__)}">
<title>spacy-quotes: find the quotes in an article</title>
<link rel="stylesheet" href="static/render.css">
<link rel="stylesheet" href="static/page.css">
<script src="static/page.js" defer></script>
</head>
<body id="top">
<main>
<header class="card page">
<h1>Find the quotes in an article</h1>
<p class="meta">Paste a news article and press <b>Find quotes</b>. Quotes are highlighted by type
(direct, mixed, indirect), <span class="cue">cues</span> in bold and
<span class="spk">speaker mentions</span> boxed; each quote ends with its speaker. Nothing leaves this server.</p>
<form id="quote-form" autocomplete="off" data-token-required="{'1' if token_required else '0'}">
<p class="row"><label for="text">Article</label></p>
<textarea id="text" name="text" rows="12" spellcheck="false"
 placeholder="&#8220;We will not wait,&#8221; the minister told reporters on Monday."></textarea>
{token_row}
<p class="row buttons">
<button type="submit" id="find">Find quotes</button>
<button type="button" id="download-jsonl" disabled>Download JSONL</button>
<button type="button" id="download-csv" disabled>Download CSV</button>
</p>
<p id="status" class="meta" role="status" aria-live="polite"></p>
</form>
</header>
<div id="result" aria-live="polite"></div>
</main>
<footer>spacy-quotes {html.escape(__version__)} &middot; {html.escape(about)} &middot;
<a href="openapi.json">OpenAPI schema</a></footer>
</body>
</html>
"""


__all__ = ["page_html", "render_css", "STATIC_DIR"]
