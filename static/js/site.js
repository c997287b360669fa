/* Progressive enhancement: every form here also works as a plain POST without JavaScript. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(form, data) {
    return fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "fetch", Accept: "application/json" },
    });
  }

  // Votes: update the score and the pressed state in place.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-vote]")) return;
    var button = event.submitter;
    if (!button || button.disabled) return;
    event.preventDefault();
    var data = new FormData(form);
    data.set("value", button.value);
    post(form, data)
      .then(function (response) {
        if (response.status === 401) {  // a guest: log in (the form's data-login-url) and come back
          var next = window.location.pathname + window.location.search;
          window.location = form.dataset.loginUrl + "?next=" + encodeURIComponent(next);
          return null;
        }
        return response.json();
      })
      .then(function (result) {
        if (!result) return;
        if (result.error) { window.alert(result.error); return; }
        form.querySelector(".score").textContent = result.score;
        form.querySelectorAll("button[data-dir]").forEach(function (b) {
          var dir = parseInt(b.dataset.dir, 10);
          var pressed = result.value === dir;
          b.setAttribute("aria-pressed", pressed ? "true" : "false");
          b.value = pressed ? "0" : String(dir);
        });
      });
  });

  // Comments: append the new comment without a reload.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-comment]")) return;
    event.preventDefault();
    var error = form.querySelector(".form-error");
    post(form, new FormData(form))
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (result.error) { error.textContent = result.error; return; }
        error.textContent = "";
        var list = form.closest(".comments").querySelector(".comment-list");
        list.insertAdjacentHTML("beforeend", result.html);
        form.querySelector("textarea").value = "";
        if (window.ShortScience && window.ShortScience.typeset) window.ShortScience.typeset(list.lastElementChild);
      });
  });

  // Toggles (the abstract's and a long summary's more / less): a button with aria-controls naming its target and
  // aria-expanded saying its state, flipped here. data-toggle="collapsible" lifts the target's height cap (the class
  // "collapsible"); a bare data-toggle shows or hides it (`hidden`). The labels follow aria-expanded in site.css.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-toggle][aria-controls]");
    if (!toggle) return;
    var target = document.getElementById(toggle.getAttribute("aria-controls"));
    if (!target) return;
    var expanded = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", expanded ? "true" : "false");
    if (toggle.dataset.toggle === "collapsible") target.classList.toggle("collapsible", !expanded);
    else target.hidden = !expanded;
  });

  // Copy buttons (the paper page's "Cite" box): data-copy names the element whose text is copied; the status
  // beside the button says whether it worked. The Clipboard API where the page may use it, else a selection and
  // the older copy command.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var source = document.getElementById(button.dataset.copy);
    var status = button.parentElement.querySelector(".copy-status");
    if (!source) return;
    function say(text) { if (status) status.textContent = text; }
    function fallback() {
      var range = document.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      say(done ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent).then(function () { say("Copied."); }, fallback);
    } else {
      fallback();
    }
  });

  // Mark summaries short enough to need no more / less toggle.
  function markShort() {
    document.querySelectorAll(".summary-body.collapsible").forEach(function (body) {
      if (body.scrollHeight <= body.clientHeight + 4) {
        body.classList.remove("collapsible");
        var more = body.parentElement.querySelector(".more");
        if (more) more.hidden = true;
      }
    });
  }

  // Editor: live preview from the server renderer.
  function setUpEditor(form) {
    var textarea = form.querySelector("textarea[name=body]");
    var preview = document.getElementById("preview");
    var timer = null, last = null, pending = false;
    function refresh() {
      if (pending) { timer = setTimeout(refresh, 200); return; }
      var text = textarea.value;
      if (text === last) return;
      last = text;
      pending = true;
      var data = new FormData();
      data.set("body", text);
      fetch(form.dataset.previewUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(form), "X-Requested-With": "fetch" },
      })
        .then(function (response) {
          return response.text().then(function (text) { return { response: response, text: text }; });
        })
        .then(function (answer) {
          pending = false;
          var response = answer.response;
          if (response.ok) {
            preview.innerHTML = answer.text;  // sanitized by the server's one renderer
            if (window.ShortScience && window.ShortScience.typeset) window.ShortScience.typeset(preview);
            return;
          }
          // 429 (too many previews), 422 (too complex), 400 (too long): the server's plain-text reason, as text.
          if ([400, 422, 429].indexOf(response.status) === -1) return;
          var notice = document.createElement("p");
          notice.className = "preview-refused";
          notice.setAttribute("role", "status");
          notice.textContent = answer.text;
          preview.replaceChildren(notice);
          if (response.status === 429) {
            var wait = parseInt(response.headers.get("Retry-After"), 10) || 10;
            last = null;  // the same text is asked for again once the limit allows
            clearTimeout(timer);
            timer = setTimeout(refresh, wait * 1000);
          }
        })
        .catch(function () { pending = false; });
    }
    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    if (textarea.value) refresh();
  }

  function init() {
    markShort();
    document.querySelectorAll("form[data-editor]").forEach(setUpEditor);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
