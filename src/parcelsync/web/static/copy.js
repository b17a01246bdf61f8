// Copy buttons: <button data-copy="ID"> copies the value (or text) of the element with that id.
(function () {
  "use strict";

  function say(id, text) {
    var status = document.querySelector('[data-copy-status="' + id + '"]');
    if (status) status.textContent = text;
  }

  function copy(button) {
    var id = button.getAttribute("data-copy");
    var source = document.getElementById(id);
    if (!source) return;
    var text = "value" in source ? source.value : source.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { say(id, "Copied."); }, function () { fallback(source, id); });
    } else {
      fallback(source, id);
    }
  }

  function fallback(source, id) {
    if (typeof source.select === "function") {
      source.select();
      say(id, document.execCommand("copy") ? "Copied." : "Selected: press Ctrl+C to copy.");
    }
  }

  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest("button[data-copy]");
    if (button) copy(button);
  });
})();
