/* Webhook deliveries: each notification with every attempt (when, scheduled or resent by hand,
 * the answer), the exact body it signed and the headers of its last attempt, and two buttons:
 * resend now (one more attempt, outside the schedule) and deliver the next retry now. */

function attemptResult(a) {
  if (a.status != null) return badge("HTTP " + a.status, a.status >= 200 && a.status < 300 ? "good" : "bad");
  return lines([badge("not delivered", "bad"), small(bdi(a.error || ""))]);
}

function attemptsTable(d) {
  if (!d.attempts.length) return el("p", { className: "db-small" }, d.resend_requested ? "Sending now…" : "Not attempted yet.");
  return el("table", { className: "db-table db-attempts" }, [
    el("caption", { className: "db-visually-hidden" }, "Attempts of webhook " + d.id),
    el("thead", null, el("tr", null, ["Attempt", "When", "How", "Answer"].map(function (name) {
      return el("th", { scope: "col" }, name);
    }))),
    el("tbody", null, d.attempts.map(function (a, i) {
      return el("tr", null, [
        cell("Attempt", String(i + 1)),
        cell("When", timeEl(a.at_ms)),
        cell("How", a.manual ? "resent by hand" : "on schedule"),
        cell("Answer", attemptResult(a))
      ]);
    }))
  ]);
}

function signedDetails(d) {
  var last = d.attempts.length ? d.attempts[d.attempts.length - 1] : null;
  var path;
  try { path = new URL(d.url).pathname || "/"; } catch (e) { path = "/"; }
  var headers = [["x-paykka-appid", d.app_id], ["x-paykka-sign-alg", "SHA256_WITH_RSA"]];
  if (last && last.timestamp) {
    headers.push(["x-paykka-timestamp", last.timestamp], ["x-paykka-nonce", last.nonce], ["x-paykka-sign", last.signature]);
  }
  var key = "webhook-" + d.id + "-body";
  return el("details", { className: "db-details", "data-key": key }, [
    el("summary", { "data-focus": key + "|summary" }, ["Signed body and headers", hiddenText(" of webhook " + d.id)]),
    el("p", { className: "db-small" }, ["Signed with the platform key over POST, the path ", code(path),
      ", the timestamp, the nonce and this body, exactly as sent" + (last && last.timestamp ? " (headers of the last attempt):" : ":")]),
    el("dl", { className: "db-pairs db-headers" }, headers.map(function (h) {
      return [el("dt", null, h[0]), el("dd", null, code(h[1]))];
    }).reduce(function (all, pair) { return all.concat(pair); }, [])),
    el("pre", { className: "db-pre", dir: "ltr" }, d.body)
  ]);
}

function renderDelivery(d) {
  var key = "webhook-" + d.id;
  var event = d.event || {};
  var links = ["order_id", "session_id", "refund_order_id", "dispute_id"].filter(function (name) {
    return event[name];
  }).map(function (name) { return [name.replace(/_/g, " ") + " ", idLink(event[name], key), " "]; });
  var actions = [el("button", { type: "button", className: "db-button", "data-action": "resend", "data-id": d.id,
    "data-focus": key + "|resend" }, ["Resend now", hiddenText(" (webhook " + d.id + ")")])];
  if (d.state === "pending") {
    actions.push(el("button", { type: "button", className: "db-button", "data-action": "retry-now", "data-id": d.id,
      "data-focus": key + "|retry-now" }, ["Deliver the next retry now", hiddenText(" (webhook " + d.id + ")")]));
  }
  var next = d.state === "pending" && d.next_attempt_ms != null
    ? el("p", { className: "db-small" }, ["Next attempt ", timeEl(d.next_attempt_ms), "; " + d.attempts_left + " left."])
    : null;
  return el("article", { className: "db-delivery", "data-key": key, tabindex: "-1", "aria-labelledby": key + "-h" }, [
    el("header", { className: "db-item-head" }, [
      el("h3", { id: key + "-h" }, ["#" + d.id + " ", code(d.notify_type)]),
      badge(d.state)
    ]),
    el("p", { className: "db-url" }, ["to ", bdi(d.url)]),
    links.length ? el("p", { className: "db-links-line" }, links) : null,
    next,
    attemptsTable(d),
    el("div", { className: "db-row db-actions" }, [actions, d.resend_requested ? small("Resending…") : null]),
    signedDetails(d)
  ]);
}

function renderWebhooks(rows) {
  if (!rows.length) {
    return el("p", { className: "db-empty" }, state.related ? "No webhook belongs with " + state.related + "."
      : "No webhook yet. A payment, refund or dispute sends one to its notify_url.");
  }
  return rows.map(renderDelivery);
}
