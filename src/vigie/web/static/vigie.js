// Vigie dashboard: a little progressive enhancement; every page works without it.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", () => {
      document.querySelectorAll("input.pick").forEach((box) => { box.checked = all.checked; });
    });
  }
  // Filters apply as soon as a menu changes.
  document.querySelectorAll("#filters select").forEach((menu) => {
    menu.addEventListener("change", () => menu.form.submit());
  });
  // Reply form: picking a template or a language fills the text (still editable before sending).
  const template = document.getElementById("reply-template");
  const replyLang = document.getElementById("reply-lang");
  const replyText = document.getElementById("reply-text");
  if (template && replyLang && replyText) {
    const fill = () => {
      const option = template.selectedOptions[0];
      if (!option) return;
      replyText.value = option.dataset[replyLang.value] || "";
      document.getElementById("reply-template-slug").value = option.value;
      document.getElementById("reply-language").value = replyLang.value;
    };
    template.addEventListener("change", fill);
    replyLang.addEventListener("change", fill);
  }
  // Flagged attachments: blurred until the reviewer chooses to look (docs/images.md).
  document.querySelectorAll("figure.media-blurred button.reveal").forEach((button) => {
    button.addEventListener("click", () => button.closest("figure").classList.add("revealed"));
  });
  // Keyboard triage on an item page (the keys are listed on the page, #shortcuts):
  // 1-9 = quick decision (saves and opens the next item), a/r/b/e = choose the action,
  // Ctrl+Enter = submit the form, n = next item without deciding.
  const form = document.getElementById("action-form");
  if (form) {
    const keys = { a: "approve", r: "remove", b: "block", e: "escalate" };
    document.addEventListener("keydown", (event) => {
      const tag = (event.target.tagName || "").toLowerCase();
      if ((event.ctrlKey || event.metaKey) && event.key === "Enter" && form.contains(event.target)) {
        form.requestSubmit(); event.preventDefault(); return;
      }
      if (tag === "textarea" || tag === "input" || tag === "select" || event.ctrlKey || event.metaKey || event.altKey) return;
      const preset = document.querySelector(`form.preset[data-key="${event.key}"]`);
      if (preset) { preset.requestSubmit(); event.preventDefault(); return; }
      if (event.key === "n") {
        const next = document.getElementById("next-item");
        if (next) { window.location.href = next.href; event.preventDefault(); }
        return;
      }
      const verb = keys[event.key];
      const radio = verb && document.getElementById("verb-" + verb);
      if (radio) { radio.checked = true; document.getElementById("reason").focus(); event.preventDefault(); }
    });
  }
});
