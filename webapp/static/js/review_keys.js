// Keyboard shortcuts of the knowledge-refresh pages, declared in the markup:
//   <tr data-key-item data-href="…">           rows that j / k move through, Enter / o opens
//   <button data-key="a" data-key-confirm="…">  a key that clicks (after a confirmation)
//   <textarea data-key="e">                     a key that focuses a field
//   <section id="shortcut-help" hidden>          what ? shows and hides
// Keys do nothing while someone types in a field, or with Ctrl, Alt or Meta held, so they never
// steal a letter from the editor or a browser shortcut.
(function () {
  "use strict";

  function typing(target) {
    var tag = target && target.tagName;
    return (
      tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable)
    );
  }

  var items = Array.prototype.slice.call(document.querySelectorAll("[data-key-item]"));
  var current = -1;

  function select(index) {
    if (!items.length) {
      return;
    }
    current = Math.max(0, Math.min(items.length - 1, index));
    items.forEach(function (item, i) {
      item.classList.toggle("selected", i === current);
      item.setAttribute("aria-current", i === current ? "true" : "false");
    });
    var link = items[current].querySelector("a");
    (link || items[current]).focus();
  }

  function open() {
    var item = items[current];
    if (item && item.dataset.href) {
      window.location.assign(item.dataset.href);
    }
  }

  function act(element) {
    if (element.tagName === "TEXTAREA" || element.tagName === "INPUT") {
      element.focus();
      return;
    }
    var question = element.dataset.keyConfirm;
    if (!question || window.confirm(question)) {
      element.click();
    }
  }

  function toggleHelp() {
    var help = document.getElementById("shortcut-help");
    if (help) {
      help.hidden = !help.hidden;
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var key = event.key;
    var handled = true;
    if (key === "j") {
      select(current + 1);
    } else if (key === "k") {
      select(current < 0 ? 0 : current - 1);
    } else if (key === "o" && current >= 0) {
      open();
    } else if (key === "Enter" && current >= 0 && items[current].contains(document.activeElement)) {
      open(); // only from the selected row: Enter on any other button keeps its own meaning
    } else if (key === "?") {
      toggleHelp();
    } else {
      var target = document.querySelector('[data-key="' + CSS.escape(key) + '"]');
      if (target && !target.disabled) {
        act(target);
      } else {
        handled = false;
      }
    }
    if (handled) {
      event.preventDefault();
    }
  });
})();
