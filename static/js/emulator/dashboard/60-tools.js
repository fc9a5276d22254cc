/* Faults (the same kinds as POST /_stub/faults: add, list, clear), the reset, and the webhook
 * buttons (resend now, deliver the next retry now). */

var FAULT_WORDS = {
  status: "answer with an HTTP error status, state untouched",
  delay: "wait some seconds before answering",
  drop: "close the connection without an answer",
  duplicate: "send the next notification twice",
  reorder: "hold the next notification back until the one after it is sent",
  fail: "fail the next attempts without reaching the receiver (the retry schedule runs)"
};

function faultKinds() {
  var path = $("db-fault-path");
  var option = path.options[path.selectedIndex];
  var kinds = (option.getAttribute("data-kinds") || "").split(" ");
  var select = $("db-fault-kind");
  var before = select.value;
  replaceChildren(select, kinds.map(function (kind) { return el("option", { value: kind }, kind + ": " + FAULT_WORDS[kind]); }));
  if (kinds.indexOf(before) >= 0) select.value = before;
  faultFields();
}

function faultFields() {
  var kind = $("db-fault-kind").value;
  $("db-fault-status-group").hidden = kind !== "status";
  $("db-fault-seconds-group").hidden = kind !== "delay";
}

function describeFault(f) {
  var where = f.path === "webhook" ? "webhook deliveries" : f.path;
  var what = f.kind === "status" ? "answered HTTP " + f.status : f.kind === "delay" ? "delayed " + f.seconds + " s" : f.kind;
  return [code(where), ": " + what + " — " + (f.count == null ? "until cleared" : f.count + " more")];
}

function renderFaults(faults) {
  $("db-faults-empty").hidden = faults.length > 0;
  $("db-faults-clear").disabled = !faults.length;
  replaceChildren($("db-faults"), faults.map(function (f) { return el("li", null, describeFault(f)); }));
}

function faultError(message) { $("db-fault-error").textContent = message || ""; }

function addFault() {
  var body = { path: $("db-fault-path").value, kind: $("db-fault-kind").value };
  var count = $("db-fault-count").value.trim();
  if (count) {
    if (!/^[0-9]+$/.test(count) || Number(count) < 1 || Number(count) > 1000) {
      faultError("How many times: a whole number from 1 to 1000, or empty for every one until cleared.");
      $("db-fault-count").focus();
      return;
    }
    body.count = Number(count);
  }
  if (body.kind === "status") {
    var status = Number($("db-fault-status").value);
    if (!(status >= 400 && status <= 599) || Math.round(status) !== status) {
      faultError("HTTP status: a whole number from 400 to 599.");
      $("db-fault-status").focus();
      return;
    }
    body.status = status;
  }
  if (body.kind === "delay") {
    var seconds = Number($("db-fault-seconds").value);
    if (!(seconds > 0 && seconds <= 60)) {
      faultError("Seconds: a number above 0, at most 60.");
      $("db-fault-seconds").focus();
      return;
    }
    body.seconds = seconds;
  }
  faultError("");
  control("/faults", body).then(function (answer) {
    if (!answer.ok) { faultError(answer.message); return; }
    announce("Fault added: " + body.kind + " on " + (body.path === "webhook" ? "webhook deliveries" : body.path) + ".");
    refreshNow();
  });
}

function bindTools() {
  $("db-fault-path").addEventListener("change", faultKinds);
  $("db-fault-kind").addEventListener("change", faultFields);
  $("db-fault-add").addEventListener("click", addFault);
  $("db-faults-clear").addEventListener("click", function () {
    control("/faults", null, "DELETE").then(function (answer) {
      if (!answer.ok) { faultError(answer.message); return; }
      announce("Every fault is cleared.");
      $("db-fault-add").focus();
      refreshNow();
    });
  });
  var reset = $("db-reset"), confirmBox = $("db-reset-confirm");
  function closeConfirm() { confirmBox.hidden = true; reset.setAttribute("aria-expanded", "false"); }
  reset.addEventListener("click", function () {
    confirmBox.hidden = false;
    reset.setAttribute("aria-expanded", "true");
    $("db-reset-no").focus();
  });
  $("db-reset-no").addEventListener("click", function () { closeConfirm(); reset.focus(); });
  $("db-reset-yes").addEventListener("click", function () {
    control("/reset", {}).then(function (answer) {
      closeConfirm();
      reset.focus();
      announce(answer.ok ? "The emulator is reset: only the merchants are left." : "Reset refused: " + answer.message);
      setState({ related: null });
      refreshNow();
    });
  });
  faultKinds();

  // The webhook buttons, for every delivery the list shows now or later.
  $("db-webhooks").addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    var id = button.getAttribute("data-id");
    var action = button.getAttribute("data-action");
    control("/webhooks/" + id + "/" + action, {}).then(function (answer) {
      if (!answer.ok) {
        announce("Webhook " + id + ": " + answer.message);
        return;
      }
      announce(action === "resend" ? "Webhook " + id + " is being resent." : "Webhook " + id + ": its next retry is due now.");
      refreshNow();
    });
  });
}
