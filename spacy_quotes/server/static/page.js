// The page of `spacy-quotes serve`: post the article to v1/quotes, show the server's drawing
// of it (spacy-quotes render's article: escaped by the server), offer JSONL and CSV downloads.
// User text is only ever sent as JSON or set as textContent, never as HTML.
(function () {
  "use strict";
  var form = document.getElementById("quote-form");
  var text = document.getElementById("text");
  var token = document.getElementById("token");
  var find = document.getElementById("find");
  var status = document.getElementById("status");
  var result = document.getElementById("result");
  var downloads = {jsonl: document.getElementById("download-jsonl"), csv: document.getElementById("download-csv")};
  var lastText = null;

  function headers() {
    var h = {"Content-Type": "application/json"};
    if (token && token.value) { h.Authorization = "Bearer " + token.value; }
    return h;
  }

  function say(message, isError) {
    status.textContent = message;
    status.className = isError ? "meta error" : "meta";
  }

  function post(query, body) {
    return fetch("v1/quotes" + query, {method: "POST", headers: headers(), body: JSON.stringify(body)})
      .then(function (response) {
        if (response.ok) { return response; }
        return response.json().catch(function () { return {}; }).then(function (data) {
          var detail = data && data.detail ? data.detail : response.statusText;
          throw new Error(response.status + ": " + (typeof detail === "string" ? detail : JSON.stringify(detail)));
        });
      });
  }

  function setDownloads(enabled) {
    Object.keys(downloads).forEach(function (k) { downloads[k].disabled = !enabled; });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var value = text.value;
    if (!value.trim()) { say("Paste an article first.", true); return; }
    find.disabled = true;
    setDownloads(false);
    say("Finding quotes\u2026", false);
    var started = Date.now();
    post("", {documents: [{id: "article", text: value}], html: true})
      .then(function (response) { return response.json(); })
      .then(function (data) {
        result.innerHTML = data.html || "";  // drawn and escaped by the server (render_doc)
        result.setAttribute("data-quotes", String(data.quotes.length));
        lastText = value;
        setDownloads(true);
        var n = data.quotes.length;
        say(n + " quote" + (n === 1 ? "" : "s") + " found in " + ((Date.now() - started) / 1000).toFixed(1) + " s."
            + (data.warnings ? " " + data.warnings.join(" ") : ""), false);
      })
      .catch(function (error) {
        result.textContent = "";
        result.removeAttribute("data-quotes");
        say("Error " + error.message, true);
      })
      .then(function () { find.disabled = false; });
  });

  function download(format, extension) {
    if (lastText === null) { return; }
    say("Preparing " + format.toUpperCase() + "\u2026", false);
    post("?format=" + encodeURIComponent(format), {documents: [{id: "article", text: lastText}]})
      .then(function (response) { return response.blob(); })
      .then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = "quotes" + extension;
        link.setAttribute("data-size", String(blob.size));
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 60000);
        say(format.toUpperCase() + " ready: " + blob.size + " bytes.", false);
      })
      .catch(function (error) { say("Error " + error.message, true); });
  }

  downloads.jsonl.addEventListener("click", function () { download("jsonl", ".jsonl"); });
  downloads.csv.addEventListener("click", function () { download("csv", ".csv"); });
}());
