/* Talking to the emulator: the snapshot the page shows (GET /_stub/dashboard, answered 304 while
 * nothing changed) and the test controls the buttons call (POST /_stub/...). */

var SNAPSHOT_URL = $("db-app").getAttribute("data-api");
var CONTROLS = SNAPSHOT_URL.slice(0, SNAPSHOT_URL.lastIndexOf("/"));
var NOW_HEADER = "x-paykka-stub-now-ms";

/** POST a control; resolves to {ok, status, data, message} (a refusal's ret_msg in message). */
function control(path, body, method) {
  return fetch(CONTROLS + path, {
    method: method || "POST", cache: "no-store",
    headers: { "content-type": "application/json" }, body: method === "DELETE" ? undefined : JSON.stringify(body || {})
  }).then(function (resp) {
    noteServerTime(Number(resp.headers.get(NOW_HEADER)));
    return resp.json().then(function (answer) {
      var ok = resp.ok && answer.ret_code === "000000";
      return { ok: ok, status: resp.status, data: answer.data, message: ok ? "" : answer.ret_msg || resp.statusText };
    });
  }, function () {
    return { ok: false, status: 0, data: null, message: "the emulator does not answer" };
  });
}

var snapshotTag = null;

/** The snapshot for the state's merchant (and request filter); resolves to null when unchanged. */
function fetchSnapshot() {
  var params = new URLSearchParams();
  if (state.merchant) params.set("merchant_id", state.merchant);
  if (state.verdict) params.set("verdict", state.verdict);
  var headers = {};
  if (snapshotTag) headers["if-none-match"] = snapshotTag;
  var query = params.toString();
  return fetch(SNAPSHOT_URL + (query ? "?" + query : ""), { headers: headers, cache: "no-store" }).then(function (resp) {
    noteServerTime(Number(resp.headers.get(NOW_HEADER)));
    if (resp.status === 304) return null;
    return resp.json().then(function (answer) {
      if (answer.ret_code !== "000000") {
        var error = new Error(answer.ret_msg);
        error.status = resp.status;
        throw error;
      }
      snapshotTag = resp.headers.get("etag");
      return answer.data;
    });
  });
}

function forgetSnapshot() { snapshotTag = null; }
