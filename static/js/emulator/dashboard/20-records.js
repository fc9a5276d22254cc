/* The merchant's records as tables: sessions, transactions, refunds, disputes, stored cards and
 * recurring agreements, newest first. Every id is a link that filters all of them down to what
 * belongs with it. On narrow screens each row reads as a block, its cells labelled. */

/** A table cell; its content in one block, so a narrow screen can put the column's name beside it. */
function cell(label, content) { return el("td", { "data-label": label }, el("div", { className: "db-cell" }, content)); }

function table(caption, columns, rows, keyOf, cellsOf, empty) {
  if (!rows.length) return el("p", { className: "db-empty" }, state.related ? "None belongs with " + state.related + "." : empty);
  var head = el("thead", null, el("tr", null, columns.map(function (name) { return el("th", { scope: "col" }, name); })));
  var body = el("tbody", null, rows.map(function (row) {
    var key = keyOf(row);
    return el("tr", { "data-key": key }, cellsOf(row, key).map(function (content, i) { return cell(columns[i], content); }));
  }));
  return el("table", { className: "db-table" }, [el("caption", { className: "db-visually-hidden" }, caption), head, body]);
}

function more(total, shown) {
  return total > shown ? el("p", { className: "db-small" }, "Showing the newest " + shown + " of " + total + ".") : null;
}

function amountCell(row) {
  return [el("span", { className: "db-amount" }, row.amount_text), el("br"), small(row.amount + " minor units")];
}

function linksTo(label, ids, key) {
  if (!ids || !ids.length) return null;
  var out = [label + " "];
  ids.forEach(function (id, i) {
    if (i) out.push(", ");
    out.push(idLink(id, key));
  });
  return el("span", { className: "db-links-line" }, out);
}

/** Links, or a dash when there are none. */
function linked(parts) { return parts.length ? parts : el("span", { className: "db-muted" }, "—"); }

function renderSessions(rows) {
  return table("Sessions, newest first", ["Session", "Mode", "Status", "Amount", "Expires", "Shopper and goods", "Attempts"],
    rows, function (s) { return "session-" + s.session_id; }, function (s, key) {
      var goods = s.goods.length ? el("ul", { className: "db-goods" }, s.goods.map(function (g) {
        return el("li", null, [g.quantity + " × ", bdi(g.name)]);
      })) : null;
      return [
        lines([idLink(s.session_id, key), small(["trans_id ", idLink(s.trans_id, key)])]),
        lines([s.session_mode, small(s.payment_type + (s.capture_method === "MANUAL" ? ", manual capture" : ""))]),
        badge(s.status),
        amountCell(s),
        s.status === "PROCESSING" ? timeEl(s.expire_ms) : small(clockText(s.expire_ms)),
        !s.shopper_reference && !s.display_merchant_name && !s.goods.length && !s.display_locale
          ? el("span", { className: "db-muted" }, "—") :
        [s.shopper_reference ? small(["shopper ", idLink(s.shopper_reference, key, bdi(s.shopper_reference))]) : null,
         s.display_merchant_name ? el("div", null, small(["shown as ", bdi(s.display_merchant_name)])) : null,
         goods, s.display_locale ? small("locale " + s.display_locale) : null],
        s.order_ids.length ? linksTo("", s.order_ids.slice().reverse(), key) : el("span", { className: "db-muted" }, "none yet")
      ];
    }, "No session yet: Create Session (POST /v3/payment/acq/session) makes one.");
}

function balancesCell(tx) {
  var b = tx.balances, t = tx.balances_text, parts = [];
  if (b.authed_amount && tx.capture_method === "MANUAL") parts.push("authorised " + t.authed_amount);
  if (b.captured_amount) parts.push("captured " + t.captured_amount);
  if (b.able_to_capture_amount) parts.push("can capture " + t.able_to_capture_amount);
  if (b.voided_amount) parts.push("voided " + t.voided_amount);
  if (b.refunded_amount) parts.push("refunded " + t.refunded_amount);
  if (tx.reviewing_amount) parts.push("in review " + tx.reviewing_amount_text);
  if (b.able_to_refund_amount) parts.push("can refund " + t.able_to_refund_amount);
  return parts.length ? el("ul", { className: "db-balances" }, parts.map(function (p) { return el("li", null, p); }))
    : el("span", { className: "db-muted" }, "nothing moved");
}

function renderTransactions(rows) {
  return table("Transactions, newest first", ["Order", "Session", "Status", "Amount", "Paid with", "Balances", "Linked", "Created"],
    rows, function (t) { return "order-" + t.order_id; }, function (t, key) {
      var card = t.card ? [t.card.brand || "", " •••• ", t.card.last4 || ""].join("") : null;
      return [
        lines([idLink(t.order_id, key), small(["trans_id ", idLink(t.trans_id, key)])]),
        t.session_id ? idLink(t.session_id, key) : small("Initiate Transaction (no session)"),
        lines([badge(t.status), t.error_code && t.error_code !== "0000" ? small(t.error_code + " " + t.error_description) : null]),
        amountCell(t),
        lines([t.payment_method, card ? small(card) : null, t.mit ? small("merchant-initiated") : null]),
        balancesCell(t),
        linked(lines([linksTo("refunds", t.refund_ids, key), linksTo("disputes", t.dispute_ids, key),
               t.token ? linksTo("token", [t.token], key) : null,
               t.recurring_agreement_id ? linksTo("agreement", [t.recurring_agreement_id], key) : null,
               t.shopper_reference ? small(["shopper ", idLink(t.shopper_reference, key, bdi(t.shopper_reference))]) : null])),
        timeEl(t.created_ms)
      ];
    }, "No transaction yet: a shopper paying a session, or Initiate Transaction, makes one.");
}

function renderRefunds(rows) {
  return table("Refunds, newest first", ["Refund", "Of order", "Status", "Amount", "Reason", "Settles"],
    rows, function (r) { return "refund-" + r.refund_order_id; }, function (r, key) {
      return [
        lines([idLink(r.refund_order_id, key), small(["refund_trans_id ", idLink(r.refund_trans_id, key)])]),
        idLink(r.ori_order_id, key),
        lines([badge(r.status), r.error_code && r.error_code !== "0000" ? small(r.error_code + " " + r.error_description) : null]),
        amountCell(r),
        r.reason ? bdi(r.reason) : el("span", { className: "db-muted" }, "—"),
        r.status === "REVIEWING" ? lines([small("review ends"), timeEl(r.review_until_ms)])
          : (r.finish_ms ? small(clockText(r.finish_ms)) : el("span", { className: "db-muted" }, "—"))
      ];
    }, "No refund yet.");
}

function renderDisputes(rows) {
  return table("Disputes, newest first", ["Dispute", "Of order", "Stage", "Amount", "Reason", "Evidence due"],
    rows, function (d) { return "dispute-" + d.dispute_id; }, function (d, key) {
      return [
        lines([idLink(d.dispute_id, key), small("ARN " + d.arn)]),
        idLink(d.order_id, key),
        badge(d.stage),
        amountCell(d),
        lines([code(d.reason_code), small(bdi(d.reason_code_description))]),
        timeEl(d.due_ms)
      ];
    }, "No dispute yet: POST /_stub/disputes opens one on a paid order.");
}

function renderTokens(rows) {
  return table("Stored cards, newest first", ["Token", "Shopper", "Card", "Usage", "Status", "Used by", "Stored"],
    rows, function (t) { return "token-" + t.token; }, function (t, key) {
      return [
        idLink(t.token, key),
        idLink(t.shopper_reference, key, bdi(t.shopper_reference)),
        lines([t.brand + " •••• " + t.last4, small("expires " + pad(t.exp_month) + "/" + t.exp_year)]),
        t.usage,
        t.active ? badge("active") : lines([badge("removed"), small(clockText(t.removed_ms))]),
        linked(lines([linksTo("orders", t.order_ids, key), linksTo("agreements", t.agreement_ids, key)])),
        timeEl(t.created_ms)
      ];
    }, "No stored card yet: a payment with store_payment_method stores one.");
}

function renderAgreements(rows) {
  return table("Recurring agreements, newest first", ["Agreement", "Shopper", "Token", "First order", "Status", "Charged", "Made"],
    rows, function (a) { return "agreement-" + a.recurring_agreement_id; }, function (a, key) {
      return [
        idLink(a.recurring_agreement_id, key),
        idLink(a.shopper_reference, key, bdi(a.shopper_reference)),
        idLink(a.token, key),
        idLink(a.first_order_id, key),
        a.active ? badge("active") : lines([badge("canceled"), small(clockText(a.canceled_ms))]),
        linked(lines([linksTo("", a.order_ids, key)])),
        timeEl(a.created_ms)
      ];
    }, "No recurring agreement yet: a RECURRING session's first payment makes one.");
}
