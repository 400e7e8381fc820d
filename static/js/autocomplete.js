/*
 * Autocomplete for the search boxes (the header's on every page, the search page's): people
 * and tags with their numbers of articles, and article titles, as you type.
 *
 * Progressive enhancement: without this script the boxes are plain search forms and work the
 * same.  With it, each box (an <input> with data-autocomplete="<endpoint URL>") becomes an
 * ARIA 1.2 combobox: Down/Up move through the suggestions, Enter opens
 * the one chosen (or searches for what was typed when none is), Escape closes the list, and a
 * live region says how many suggestions there are.
 */
(function () {
  "use strict";

  var DELAY_MS = 150;
  var MIN_CHARS = 2;
  var KIND_LABELS = { person: "Person", tag: "Tag", article: "Article" };
  var counter = 0;

  function Combobox(input) {
    counter += 1;
    this.input = input;
    this.endpoint = input.dataset.autocomplete;
    this.items = [];
    this.active = -1;
    this.timer = null;
    this.request = null;

    var id = "autocomplete-" + counter;
    this.list = document.createElement("ul");
    this.list.id = id + "-list";
    this.list.className = "autocomplete-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "Suggestions");
    this.list.hidden = true;

    this.status = document.createElement("div");
    this.status.className = "visually-hidden";
    this.status.setAttribute("role", "status");
    this.status.setAttribute("aria-live", "polite");

    var wrapper = document.createElement("div");
    wrapper.className = "autocomplete";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);
    wrapper.appendChild(this.list);
    wrapper.appendChild(this.status);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", this.list.id);
    input.setAttribute("autocomplete", "off");

    input.addEventListener("input", this.onInput.bind(this));
    input.addEventListener("keydown", this.onKeyDown.bind(this));
    input.addEventListener("blur", this.onBlur.bind(this));
    // mousedown, not click: it comes before the input's blur closes the list.
    this.list.addEventListener("mousedown", this.onPick.bind(this));
  }

  Combobox.prototype.onInput = function () {
    var self = this;
    window.clearTimeout(this.timer);
    var text = this.input.value.trim();
    if (text.length < MIN_CHARS) {
      this.close();
      return;
    }
    this.timer = window.setTimeout(function () { self.fetch(text); }, DELAY_MS);
  };

  Combobox.prototype.fetch = function (text) {
    var self = this;
    if (this.request) {
      this.request.abort();
    }
    this.request = new AbortController();
    var url = this.endpoint + (this.endpoint.indexOf("?") === -1 ? "?" : "&") +
      "q=" + encodeURIComponent(text);
    window.fetch(url, { signal: this.request.signal, headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
      .then(function (data) {
        if (self.input.value.trim() === text) {
          self.show(data.suggestions || []);
        }
      })
      .catch(function () { /* aborted or offline: the form still works */ });
  };

  Combobox.prototype.show = function (items) {
    var self = this;
    this.items = items;
    this.active = -1;
    this.input.removeAttribute("aria-activedescendant");
    this.list.textContent = "";
    items.forEach(function (item, index) {
      var option = document.createElement("li");
      option.id = self.list.id + "-" + index;
      option.className = "autocomplete-option autocomplete-" + item.kind;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.index = String(index);
      var kind = document.createElement("span");
      kind.className = "autocomplete-kind";
      kind.textContent = (KIND_LABELS[item.kind] || item.kind) + ": ";
      option.appendChild(kind);
      option.appendChild(document.createTextNode(item.label));
      if (item.count) {
        var count = document.createElement("span");
        count.className = "autocomplete-count";
        count.textContent = " " + item.count.toLocaleString("en") + " article" +
          (item.count === 1 ? "" : "s");
        option.appendChild(count);
      }
      self.list.appendChild(option);
    });
    if (items.length) {
      this.list.hidden = false;
      this.input.setAttribute("aria-expanded", "true");
    } else {
      this.close();
    }
    this.status.textContent = items.length ?
      items.length + " suggestion" + (items.length === 1 ? "" : "s") +
        ", use the up and down arrow keys to choose" :
      "No suggestions";
  };

  Combobox.prototype.close = function () {
    this.list.hidden = true;
    this.active = -1;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  };

  Combobox.prototype.isOpen = function () {
    return !this.list.hidden && this.items.length > 0;
  };

  Combobox.prototype.move = function (step) {
    if (!this.isOpen()) {
      return;
    }
    var count = this.items.length;
    var next = this.active + step;
    if (next < -1) {
      next = count - 1;
    } else if (next >= count) {
      next = -1;
    }
    var options = this.list.children;
    if (this.active >= 0) {
      options[this.active].setAttribute("aria-selected", "false");
    }
    this.active = next;
    if (next >= 0) {
      options[next].setAttribute("aria-selected", "true");
      this.input.setAttribute("aria-activedescendant", options[next].id);
      options[next].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  };

  Combobox.prototype.go = function (index) {
    var item = this.items[index];
    if (item) {
      this.close();
      window.location.assign(item.url);
    }
  };

  Combobox.prototype.onKeyDown = function (event) {
    if (event.key === "ArrowDown" || event.key === "Down") {
      if (!this.isOpen() && this.items.length) {
        this.show(this.items);
      }
      this.move(1);
      event.preventDefault();
    } else if (event.key === "ArrowUp" || event.key === "Up") {
      this.move(-1);
      event.preventDefault();
    } else if (event.key === "Enter" && this.isOpen() && this.active >= 0) {
      event.preventDefault();
      this.go(this.active);
    } else if (event.key === "Escape" || event.key === "Esc") {
      if (this.isOpen()) {
        this.close();
        event.preventDefault();
      }
    } else if (event.key === "Tab") {
      this.close();
    }
  };

  Combobox.prototype.onPick = function (event) {
    var option = event.target.closest("[role=option]");
    if (option) {
      event.preventDefault();
      this.go(Number(option.dataset.index));
    }
  };

  Combobox.prototype.onBlur = function () {
    this.close();
  };

  if (!("fetch" in window) || !("AbortController" in window)) {
    return;
  }
  var inputs = document.querySelectorAll("input[data-autocomplete]");
  Array.prototype.forEach.call(inputs, function (input) { new Combobox(input); });
})();
