/// The page `markconv serve` answers `GET /` with: paste a post, pick the forum, take the
/// output. Plain HTML, CSS and script, served from the binary; it loads nothing else.
enum WebPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>markconv</title>
        <style>
        :root { color-scheme: light dark; --gap: 0.75rem; font-family: system-ui, sans-serif; }
        body { margin: 0 auto; max-width: 90rem; padding: var(--gap); }
        h1 { font-size: 1.25rem; margin: 0 0 var(--gap); }
        .bar { display: flex; flex-wrap: wrap; gap: var(--gap); align-items: center; margin-bottom: var(--gap); }
        .panes { display: grid; grid-template-columns: 1fr 1fr; gap: var(--gap); }
        @media (max-width: 50rem) { .panes { grid-template-columns: 1fr; } }
        textarea { width: 100%; box-sizing: border-box; min-height: 22rem; font: 0.9rem/1.4 ui-monospace, monospace; }
        iframe { width: 100%; min-height: 16rem; border: 1px solid #8888; background: white; }
        #warnings li button { font: inherit; cursor: pointer; }
        .kind-loss { color: #b00; } .kind-limit { color: #a60; } .kind-input { color: #666; }
        #status { min-height: 1.2em; }
        </style>
        </head>
        <body>
        <h1>markconv — convert a post for your forum</h1>
        <div class="bar">
          <label>From <select id="from"></select></label>
          <label>To <select id="to"></select></label>
          <button id="copy" type="button">Copy output</button>
          <button id="roundtrip" type="button">Check the round trip</button>
          <span id="status" role="status"></span>
        </div>
        <div class="panes">
          <div>
            <label for="source">Your post</label>
            <textarea id="source" spellcheck="false" placeholder="Paste Markdown, BBCode or HTML here"></textarea>
            <h2>Warnings</h2>
            <ul id="warnings"></ul>
          </div>
          <div>
            <label for="output">For the forum</label>
            <textarea id="output" readonly spellcheck="false"></textarea>
            <h2>How it will look</h2>
            <iframe id="preview" sandbox="" title="Preview of the output, read back and shown as HTML"></iframe>
            <div id="report"></div>
          </div>
        </div>
        <script src="/app.js"></script>
        </body>
        </html>

        """

    static let script = """
        "use strict";
        const $ = (id) => document.getElementById(id);
        const source = $("source"), output = $("output"), from = $("from"), to = $("to");
        let pending = null, generation = 0;

        async function post(path, body) {
          const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
          const reply = await response.json();
          if (!response.ok) { throw new Error(reply.message || response.statusText); }
          return reply;
        }

        function option(select, name, summary) {
          const element = document.createElement("option");
          element.value = name;
          element.textContent = name + " — " + summary;
          select.append(element);
        }

        async function loadFormats() {
          const reply = await (await fetch("/v1/formats")).json();
          for (const format of reply.formats) {
            if (format.readable) { option(from, format.name, format.summary); }
            if (format.writable) { option(to, format.name, format.summary); }
          }
          from.value = "gfm";
          to.value = "bbcode_phpbb";
        }

        // Line and column (1-based, columns in UTF-8 bytes as markconv counts them) to an
        // offset in the text area's string.
        function offsetOf(text, line, column) {
          const lines = text.split("\\n");
          let offset = 0;
          for (let index = 0; index < line - 1 && index < lines.length; index++) { offset += lines[index].length + 1; }
          const current = lines[Math.min(line - 1, lines.length - 1)] || "";
          let bytes = 0, characters = 0;
          const encoder = new TextEncoder();
          for (const character of current) {
            if (bytes >= column - 1) { break; }
            bytes += encoder.encode(character).length;
            characters += character.length;
          }
          return offset + characters;
        }

        function showWarnings(warnings) {
          const list = $("warnings");
          list.replaceChildren();
          for (const warning of warnings) {
            const item = document.createElement("li");
            item.className = "kind-" + warning.kind;
            const jump = document.createElement("button");
            jump.type = "button";
            jump.textContent = warning.line + ":" + warning.column;
            jump.addEventListener("click", () => {
              const start = offsetOf(source.value, warning.line, warning.column);
              source.focus();
              source.setSelectionRange(start, start + 1);
            });
            item.append(jump, " " + warning.message);
            list.append(item);
          }
        }

        function showPreview(html) {
          $("preview").srcdoc = "<!doctype html><meta charset=\\"utf-8\\"><style>body{font-family:sans-serif}blockquote{border-left:3px solid #ccc;margin-left:0;padding-left:1em}</style>" + html;
        }

        async function convert() {
          const mine = ++generation;
          try {
            const reply = await post("/v1/convert", { text: source.value, from: from.value, to: to.value });
            if (mine !== generation) { return; }
            // The text, not only the value: what a saved page or a DOM dump shows.
            output.textContent = reply.output;
            output.value = reply.output;
            showWarnings(reply.warnings);
            $("status").textContent = reply.lossy ? "Something could not be carried over: see the warnings." : "";
            // The preview is the output as the forum reads it, written as safe HTML.
            let html = reply.output;
            if (to.value === "json") { html = ""; }
            else if (to.value !== "html") { html = (await post("/v1/convert", { text: reply.output, from: to.value, to: "html" })).output; }
            if (mine === generation) {
              showPreview(html);
              document.body.dataset.state = "converted";
            }
          } catch (error) {
            if (mine === generation) {
              $("status").textContent = error.message;
              document.body.dataset.state = "failed";
            }
          }
        }

        function schedule() {
          clearTimeout(pending);
          pending = setTimeout(convert, 200);
        }

        async function checkRoundTrip() {
          const report = $("report");
          try {
            const reply = await post("/v1/roundtrip", { text: source.value, from: from.value, via: to.value });
            report.replaceChildren();
            const heading = document.createElement("p");
            heading.textContent = reply.survived ? "The post survives " + to.value + " and back." : reply.differences.length + " difference(s) after " + to.value + " and back:";
            report.append(heading);
            const list = document.createElement("ul");
            for (const difference of reply.differences) {
              const item = document.createElement("li");
              item.textContent = difference.path.join(" › ") + " (" + difference.line + ":" + difference.column + "): " + difference.message;
              list.append(item);
            }
            report.append(list);
          } catch (error) {
            report.textContent = error.message;
          }
        }

        async function copyOutput() {
          try { await navigator.clipboard.writeText(output.value); }
          catch { output.select(); document.execCommand("copy"); }
          $("status").textContent = "Copied.";
        }

        source.addEventListener("input", schedule);
        from.addEventListener("change", schedule);
        to.addEventListener("change", schedule);
        $("copy").addEventListener("click", copyOutput);
        $("roundtrip").addEventListener("click", checkRoundTrip);
        // `#from=gfm&to=bbcode_phpbb&text=…` fills the page, as if typed: a link to a
        // conversion, and how the browser test drives the page.
        function fromFragment() {
          const parameters = new URLSearchParams(location.hash.slice(1));
          if (parameters.has("from")) { from.value = parameters.get("from"); }
          if (parameters.has("to")) { to.value = parameters.get("to"); }
          if (parameters.has("text")) {
            source.value = parameters.get("text");
            source.dispatchEvent(new Event("input"));
          } else {
            convert();
          }
        }

        loadFormats().then(fromFragment);

        """
}
