/**
 * Client script of the task page, served as /assets/task-page.js (the Content-Security-Policy
 * allows no inline script):
 * - keys: an element with `data-key="<k>"` is clicked (a button submits its form, a link is
 *   followed) when that key is pressed outside a text field and without modifier keys: `s`, `a`,
 *   `r` on the action buttons, `j`/`k` on the next/previous task links, `n`/`p` on frame links;
 * - class toggles: a checkbox with `data-toggle-feature="<feature hash>"` shows or hides every
 *   drawn object of that ontology class (`g.label[data-feature]` in the overlay).
 */
export const taskPageScript = `"use strict";
(function () {
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) return;
    var key = event.key.length === 1 ? event.key.toLowerCase() : "";
    if (key === "") return;
    var element = document.querySelector('[data-key="' + key + '"]');
    if (!element || element.disabled) return;
    event.preventDefault();
    if (element.tagName.toLowerCase() === "button") {
      // Pressed once: a second key press while the form posts would act on the next task.
      var buttons = document.querySelectorAll("button[data-key]");
      for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("data-busy", "true");
      element.click();
      for (var j = 0; j < buttons.length; j++) buttons[j].disabled = true;
    } else {
      element.click();
    }
  });
  var toggles = document.querySelectorAll("input[data-toggle-feature]");
  for (var t = 0; t < toggles.length; t++) {
    toggles[t].addEventListener("change", function (event) {
      var box = event.target;
      var feature = box.getAttribute("data-toggle-feature");
      var shapes = document.querySelectorAll("svg.label-overlay g.label");
      for (var s = 0; s < shapes.length; s++) {
        if (shapes[s].getAttribute("data-feature") === feature) shapes[s].setAttribute("display", box.checked ? "inline" : "none");
      }
    });
  }
})();
`;
