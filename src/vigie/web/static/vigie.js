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
  // Flagged attachments: blurred until the reviewer chooses to look (docs/images.md).
  document.querySelectorAll("figure.media-blurred button.reveal").forEach((button) => {
    button.addEventListener("click", () => button.closest("figure").classList.add("revealed"));
  });
  // Keyboard triage on an item page: a = approve, r = remove, b = block, e = escalate.
  const form = document.getElementById("action-form");
  if (form) {
    const keys = { a: "approve", r: "remove", b: "block", e: "escalate" };
    document.addEventListener("keydown", (event) => {
      const tag = (event.target.tagName || "").toLowerCase();
      if (tag === "textarea" || tag === "input" || event.ctrlKey || event.metaKey) return;
      const verb = keys[event.key];
      const radio = verb && document.getElementById("verb-" + verb);
      if (radio) { radio.checked = true; document.getElementById("reason").focus(); event.preventDefault(); }
    });
  }
});
