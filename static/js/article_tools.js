/*
 * The article page's tools (templates/articles/article_detail.html): copy the link or a
 * citation, print.  Progressive enhancement: the buttons are hidden until this script shows
 * them; without it the link and the citations are there to select, and the browser prints.
 * A live region says what was copied.
 */
(function () {
  "use strict";

  var status = document.querySelector(".copy-status");

  function say(message) {
    if (status) {
      status.textContent = "";
      window.setTimeout(function () { status.textContent = message; }, 50);
    }
  }

  function copy(text, what) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).then(
        function () { say(what + " copied."); },
        function () { say("Could not copy; select the text instead."); }
      );
    }
    // Plain http (not a secure context): copy through a selection.
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "visually-hidden";
    document.body.appendChild(area);
    area.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(area);
    say(done ? what + " copied." : "Could not copy; select the text instead.");
    return Promise.resolve();
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = source.value !== undefined ? source.value : source.textContent;
      var what = button.textContent.replace(/^Copy /, "");
      copy(text.trim(), what.charAt(0).toUpperCase() + what.slice(1)).then(function () {
        button.classList.add("copied");
      });
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
