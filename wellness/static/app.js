// Progressive only: every page works without this. It installs the service worker (the
// crisis page offline) and, on the Account page, offers push notices for this device.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator)) { return; }
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});

  var box = document.getElementById("push-settings");
  if (!box || !("PushManager" in window) || !window.fetch) { return; }
  var token = box.getAttribute("data-csrf");
  var status = box.querySelector(".push-status");
  var on = box.querySelector("button.push-on");
  var off = box.querySelector("button.push-off");
  box.hidden = false;

  function say(text) { status.textContent = text; }

  function send(path, body) {
    return fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    });
  }

  function key(b64) {
    var padded = (b64 + "===".slice((b64.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out;
  }

  on.addEventListener("click", function () {
    Notification.requestPermission().then(function (answer) {
      if (answer !== "granted") { say("Notices are blocked for this site in your browser."); return null; }
      return fetch("/push/key", { credentials: "same-origin" }).then(function (r) { return r.json(); })
        .then(function (k) {
          return navigator.serviceWorker.ready.then(function (reg) {
            return reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(k.key) });
          });
        })
        .then(function (sub) { return send("/push/subscribe", sub.toJSON()); })
        .then(function (r) { say(r.ok ? "On for this device." : "That did not work. Try again later."); });
    }).catch(function () { say("That did not work. Try again later."); });
  });

  off.addEventListener("click", function () {
    navigator.serviceWorker.ready.then(function (reg) { return reg.pushManager.getSubscription(); })
      .then(function (sub) {
        if (!sub) { say("Off for this device."); return null; }
        return send("/push/unsubscribe", { endpoint: sub.endpoint })
          .then(function () { return sub.unsubscribe(); })
          .then(function () { say("Off for this device."); });
      }).catch(function () { say("That did not work. Try again later."); });
  });
}());
