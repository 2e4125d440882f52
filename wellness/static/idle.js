// The idle sign-out, said ahead of time (the page works without this; it says the limit in
// words). Typing on the page counts as activity (at most one ping a minute tells the server
// the person is still here). Shortly before the limit, a warning with a "Stay signed in"
// button. No data leaves the page: the ping carries nothing; what was typed stays in the form.
(function () {
  "use strict";
  var note = document.querySelector(".session-limit");
  if (!note || !window.fetch) { return; }
  var limit = parseFloat(note.getAttribute("data-idle-seconds")) * 1000;
  var alive = note.getAttribute("data-alive");
  var warnAfter = Math.max(limit - 120000, limit * 0.8);
  var timer = null;
  var box = null;
  var lastPing = Date.now();

  function arm() {
    window.clearTimeout(timer);
    timer = window.setTimeout(warn, warnAfter);
  }

  function stay() {
    lastPing = Date.now();
    var asked = { credentials: "same-origin", cache: "no-store", redirect: "manual" };
    window.fetch(alive, asked).then(function (r) {
      if (!r.ok) {  // signed out already (sent to sign in): say so, nothing is lost
        if (box) {
          box.firstChild.textContent = "You have been signed out. Send the form anyway: what " +
            "you typed is kept and put back after you sign in again.";
          box.lastChild.remove();
        }
        return;
      }
      if (box) { box.remove(); box = null; }
      arm();
    });
  }

  document.addEventListener("input", function () {
    if (Date.now() - lastPing > 60000) { stay(); }
  });

  function warn() {
    if (box) { return; }
    box = document.createElement("div");
    box.className = "notice idle-warning";
    box.setAttribute("role", "alert");
    var text = document.createElement("p");
    text.textContent = "You will be signed out soon because nothing has happened on this page " +
      "for a while. What you typed is kept either way.";
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = "Stay signed in";
    button.addEventListener("click", stay);
    box.appendChild(text);
    box.appendChild(button);
    note.parentNode.insertBefore(box, note);  // (focus stays where the person is typing)
  }

  arm();
}());
