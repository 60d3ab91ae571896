/* Poste console: the few things plain HTML cannot do. Every page works without this file.
   Loaded in <head> (not deferred) so that the "js" class is set before the page is drawn:
   the navigation then folds behind its button at phone width without a flash. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  // The folding navigation (below 900 px wide): one button shows and hides it.
  function setUpMenu() {
    var button = document.querySelector("button.menu-toggle");
    if (!button) return;
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    function show(open) {
      menu.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    }
    button.addEventListener("click", function () { show(!menu.classList.contains("open")); });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("open")) { show(false); button.focus(); }
    });
  }

  // Copy buttons: <button data-copy="#id" data-done="Copié">; the field's value goes to the clipboard.
  function copyText(text, field) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    field.focus();
    field.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function setUpCopy(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var field = document.querySelector(button.dataset.copy);
        var status = document.getElementById(button.getAttribute("aria-describedby"));
        copyText(field.value || field.textContent, field).then(function () {
          if (status) status.textContent = button.dataset.done;
        }, function () {
          if (status) status.textContent = button.dataset.failed;
        });
      });
    });
    root.querySelectorAll("button[data-print]").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // A message swapped in by htmx (the live check of an extension's number) marks its field invalid
  // or valid again, as the server does on a full page.
  function markInvalidFields() {
    document.querySelectorAll("[aria-describedby]").forEach(function (field) {
      if (!/^(INPUT|SELECT|TEXTAREA)$/.test(field.tagName)) return;
      var invalid = field.getAttribute("aria-describedby").split(/\s+/).some(function (id) {
        var box = document.getElementById(id);
        return box && box.querySelector(".error");
      });
      if (invalid) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    });
  }

  // A list whose options are addresses (the portal's mailbox switch, A7): choosing one opens it.
  function setUpNavigateSelects() {
    document.querySelectorAll("select[data-navigate]").forEach(function (select) {
      select.addEventListener("change", function () { if (select.value) window.location.assign(select.value); });
    });
  }

  ready(function () {
    setUpMenu();
    setUpNavigateSelects();
    setUpCopy(document);
    document.body.addEventListener("htmx:afterSettle", function (event) {
      setUpCopy(event.target);
      markInvalidFields();
      // a form swapped back with its errors: its summary takes the focus, as a full page's is seen first
      var summary = event.target.querySelector && event.target.querySelector(".form-errors");
      if (event.target.matches && event.target.matches(".form-errors")) summary = event.target;
      if (summary && summary.isConnected) summary.focus();
    });
  });
})();
