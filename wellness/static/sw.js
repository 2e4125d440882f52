// The service worker (served at /sw.js). It keeps one thing for when there is no network: the
// crisis page and what it needs to draw, so the numbers open in a dead zone or a basement.
// Nothing else is cached: no private page is ever stored on the phone. It also shows the
// content-free push notices (the text is the same words every notice e-mail says).
"use strict";

var CACHE = "wellness-offline-v1";
var KEEP = [
  "/crisis",
  "/static/style.css",
  "/static/app.js",
  "/static/favicon.svg",
  "/static/icons/icon-192.png"
];
var WAITING = "Something is waiting for you. Please sign in to see it.";

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) { return cache.addAll(KEEP); })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (n) { return n !== CACHE; })
        .map(function (n) { return caches.delete(n); }));
    }).then(function () { return self.clients.claim(); })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (KEEP.indexOf(url.pathname) !== -1) {
    // The network first (the numbers may have changed); the kept copy when there is none.
    event.respondWith(
      fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
        }
        return response;
      }).catch(function () { return caches.match(url.pathname); })
    );
    return;
  }
  if (request.mode === "navigate") {
    // Any other page, offline: the crisis page instead of the browser's error.
    event.respondWith(fetch(request).catch(function () { return caches.match("/crisis"); }));
  }
});

self.addEventListener("push", function (event) {
  var text = event.data ? event.data.text() : WAITING;
  // A neutral title, like the e-mails' sender: it shows on a locked screen.
  event.waitUntil(self.registration.showNotification("Notices", {
    body: text, icon: "/static/icons/icon-192.png", tag: "waiting"
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  event.waitUntil(self.clients.openWindow("/login"));
});
