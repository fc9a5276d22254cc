/* The request log: each v3 call with its verdict (accepted, or refused with the code and why),
 * the names the emulator ignored, its body, and for a refused signature the five lines the
 * emulator verified beside the five the caller signed, the lines that differ marked. */

var LINE_NAMES = ["method", "path", "timestamp", "nonce", "body"];

function signatureComparison(entry, key) {
  var sig = entry.signature;
  var cmp = sig.comparison;
  var parts = sig.problem === entry.ret_msg ? [] : [el("p", { className: "db-sig-problem" }, ["Refused: ", code(sig.problem)])];
  if (!cmp) {
    parts.push(el("pre", { className: "db-pre", dir: "ltr" }, sig.string_to_sign));
    return el("section", { className: "db-sig", "aria-label": "Signature check of call " + entry.id }, parts);
  }
  parts.push(el("p", { className: "db-sig-why" }, cmp.explanation));
  if (cmp.registered_key) parts.push(el("p", { className: "db-small" }, ["Key registered for this merchant: ", code(cmp.registered_key)]));
  var signedKnown = cmp.signed != null;
  var rows = LINE_NAMES.map(function (name) {
    var verified = cmp.verified[name];
    var signed = signedKnown ? cmp.signed[name] : null;
    var differs = cmp.differs.indexOf(name) >= 0;
    var suspect = cmp.suspect === name;
    var mark = differs ? el("span", { className: "db-diff-mark" }, "differs")
      : (suspect ? el("span", { className: "db-diff-mark db-diff-suspect" }, "probably differs") : null);
    var signedCell;
    if (signedKnown) signedCell = signed == null ? el("span", { className: "db-muted" }, "(not signed)") : el("code", { className: "db-line" }, signed);
    else signedCell = el("span", { className: "db-muted" }, cmp.key === "registered" ? "not found" : "—");
    return el("tr", { className: differs || suspect ? "db-differs" : null }, [
      el("th", { scope: "row" }, [name, mark ? " " : null, mark]),
      cell("Verified by the emulator", el("code", { className: "db-line" }, verified == null ? "" : verified)),
      cell("Signed by the caller", signedCell)
    ]);
  });
  parts.push(el("table", { className: "db-table db-sig-table" }, [
    el("caption", null, signedKnown ? "What the emulator verified, and what the caller signed"
      : "What the emulator verified (what a correct signer signs)"),
    el("thead", null, el("tr", null, [el("th", { scope: "col" }, "Line"),
      el("th", { scope: "col" }, "Verified by the emulator (what a correct signer signs)"),
      el("th", { scope: "col" }, "Signed by the caller")])),
    el("tbody", null, rows)
  ]));
  return el("section", { className: "db-sig", "aria-label": "Signature check of call " + entry.id, "data-key": key + "-sig" }, parts);
}

function mentions(entry, id) {
  return (entry.body || "").indexOf(id) >= 0 || (entry.path || "").indexOf(id) >= 0;
}

function renderRequest(entry) {
  var key = "request-" + entry.id;
  var verdict = entry.verdict === "accepted" ? badge("accepted " + entry.ret_code, "good")
    : badge("refused " + entry.ret_code, "bad");
  var bodyKey = key + "-body";
  return el("article", { className: "db-request", "data-key": key, tabindex: "-1", "aria-labelledby": key + "-h" }, [
    el("header", { className: "db-item-head" }, [
      el("h3", { id: key + "-h" }, [entry.operation || "No such operation", " ", code(entry.method + " " + entry.path)]),
      verdict
    ]),
    el("p", { className: "db-small" }, [timeEl(entry.at_ms), " · app id ", entry.app_id ? code(entry.app_id) : "missing",
      entry.merchant_id ? "" : " (no merchant)", " · HTTP " + entry.http_status]),
    el("p", { className: entry.verdict === "accepted" ? "db-msg" : "db-msg db-msg-bad" }, bdi(entry.ret_msg)),
    entry.ignored_fields.length ? el("p", { className: "db-warn" }, ["Ignored (not in PayKKa's model): "].concat(
      entry.ignored_fields.map(function (name, i) { return [i ? ", " : "", code(name)]; }))) : null,
    entry.signature ? signatureComparison(entry, key) : null,
    el("details", { className: "db-details", "data-key": bodyKey }, [
      el("summary", { "data-focus": bodyKey + "|summary" }, ["Body (" + entry.body_bytes + " bytes, card data masked)",
        hiddenText(" of call " + entry.id)]),
      el("pre", { className: "db-pre", dir: "ltr" }, entry.body || "(empty)")
    ])
  ]);
}

function renderRequests(rows) {
  if (state.related) rows = rows.filter(function (entry) { return mentions(entry, state.related); });
  if (!rows.length) {
    return el("p", { className: "db-empty" }, state.related ? "No call mentions " + state.related + "."
      : "No v3 call yet" + (state.verdict ? " of this kind." : "."));
  }
  return rows.map(renderRequest);
}
