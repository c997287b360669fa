/*
 * Typesets the math that shortscience/markup.py leaves in summaries, with KaTeX (static/vendor/katex/).
 *
 *   <span class="arithmatex">\( … \)</span>   inline
 *   <div class="arithmatex">\[ … \]</div>     display (also a <span> holding \[ … \] inside running text)
 *
 * Load after katex.min.js, both with `defer`. Every `.markup .arithmatex` is typeset once the document is
 * parsed; after replacing HTML (the editor's live preview), call ShortScience.typeset(container).
 */
(function () {
  "use strict";

  var TYPESET_FLAG = "data-math-typeset";
  // maxSize: no \rule, \raisebox or \hspace bigger than 5em (a summary's math stays near its line); maxExpand:
  // macros expand at most 500 times (KaTeX's default is 1000); strict "ignore": non-standard LaTeX renders as it
  // would in LaTeX with unicode-math, silently; trust false: no \href, \url, \includegraphics, \htmlClass….
  // What still overflows is clipped by the summary's own box (.markup in static/css/site.css).
  var OPTIONS = { throwOnError: false, strict: "ignore", trust: false, maxSize: 5, maxExpand: 500 };

  // "\(x\)" -> {tex: "x", display: false}; "\[x\]" -> {tex: "x", display: true}.
  function parse(element) {
    var text = element.textContent.trim();
    var open = text.slice(0, 2);
    var close = text.slice(-2);
    if (open === "\\(" && close === "\\)") {
      return { tex: text.slice(2, -2), display: false };
    }
    if (open === "\\[" && close === "\\]") {
      return { tex: text.slice(2, -2), display: true };
    }
    return { tex: text, display: element.tagName === "DIV" };
  }

  // The Content-Security-Policy allows no style attribute (style-src 'self'), and KaTeX sets a few with
  // setAttribute("style", …): an \fcolorbox's border, \pmb's MathML, the colour of a TeX error. For the time of
  // one (synchronous) render, such a call sets the same declarations through the CSSOM (element.style), which
  // the policy does not govern; every other attribute is set as before.
  var setAttribute = Element.prototype.setAttribute;
  function setAttributeStyleAsCSSOM(name, value) {
    if (String(name).toLowerCase() === "style") {
      this.style.cssText = value;
      return undefined;
    }
    return setAttribute.call(this, name, value);
  }

  function renderWithoutStyleAttributes(tex, element, options) {
    Element.prototype.setAttribute = setAttributeStyleAsCSSOM;
    try {
      window.katex.render(tex, element, options);
    } finally {
      Element.prototype.setAttribute = setAttribute;
    }
  }

  function typesetOne(element) {
    if (element.hasAttribute(TYPESET_FLAG)) {
      return;
    }
    var math = parse(element);
    try {
      renderWithoutStyleAttributes(math.tex, element, {
        displayMode: math.display,
        throwOnError: OPTIONS.throwOnError,
        strict: OPTIONS.strict,
        trust: OPTIONS.trust,
        maxSize: OPTIONS.maxSize,
        maxExpand: OPTIONS.maxExpand,
      });
      element.setAttribute(TYPESET_FLAG, "");
    } catch (error) {
      // throwOnError is off, so this is KaTeX itself failing: leave the TeX source readable.
      if (window.console) {
        window.console.warn("KaTeX could not typeset", math.tex, error);
      }
    }
  }

  // Typeset every math element inside `root` (an element or the document), and `root` itself if it is one.
  function typeset(root) {
    if (!window.katex) {
      return; // KaTeX did not load: the TeX source stays readable as it is
    }
    root = root || document;
    if (root.classList && root.classList.contains("arithmatex")) {
      typesetOne(root);
    }
    var elements = root.querySelectorAll(".arithmatex");
    for (var i = 0; i < elements.length; i++) {
      typesetOne(elements[i]);
    }
  }

  function typesetPage() {
    var containers = document.querySelectorAll(".markup");
    for (var i = 0; i < containers.length; i++) {
      typeset(containers[i]);
    }
  }

  window.ShortScience = window.ShortScience || {};
  window.ShortScience.typeset = typeset;

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", typesetPage);
  } else {
    typesetPage();
  }
})();
