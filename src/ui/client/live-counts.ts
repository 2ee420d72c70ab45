/**
 * Client script of the project page: listens to the project's counts stream (server-sent events,
 * URL in the `data-live-counts` attribute) and writes each stage's count into every element with
 * `data-stage-count="<stage uuid>"`. EventSource reconnects by itself after a dropped connection.
 */
export const liveCountsScript = `"use strict";
(function () {
  var source = document.querySelector("[data-live-counts]");
  if (!source || typeof EventSource === "undefined") return;
  var events = new EventSource(source.getAttribute("data-live-counts"));
  events.addEventListener("counts", function (event) {
    var counts = JSON.parse(event.data);
    var cells = document.querySelectorAll("[data-stage-count]");
    for (var i = 0; i < cells.length; i++) {
      var uuid = cells[i].getAttribute("data-stage-count");
      var value = Object.prototype.hasOwnProperty.call(counts, uuid) ? counts[uuid] : 0;
      var text = String(value);
      if (cells[i].textContent !== text) cells[i].textContent = text;
    }
    document.documentElement.setAttribute("data-counts-updated", String(Date.now()));
  });
})();
`;
