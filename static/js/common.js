// Loaded on every page: small progressive enhancements that need no page data and no socket.

// Selects in `data-autosubmit` forms switch at once when picked with a pointer or from a phone's
// picker. Keyboard users walk the list with the arrow keys (on desktop each arrow fires
// `change`): that must not reload the page (WCAG 3.2.2), so the fallback button is shown to them
// and Enter submits too. `requestSubmit` is Safari 16+: iOS 15 phones submit the plain form.
function submit(form) {
  if (typeof form.requestSubmit === "function") form.requestSubmit();
  else form.submit();
}

function enableAutosubmit(root = document) {
  for (const select of root.querySelectorAll("select[data-autosubmit]")) {
    const fallback = select.form.querySelector("[data-autosubmit-fallback]");
    let byKeyboard = false;
    select.addEventListener("keydown", (event) => {
      byKeyboard = true;
      if (fallback) fallback.hidden = false;
      if (event.key === "Enter") {
        event.preventDefault();
        submit(select.form);
      }
    });
    select.addEventListener("pointerdown", () => { byKeyboard = false; });
    select.addEventListener("change", () => { if (!byKeyboard) submit(select.form); });
    if (fallback) fallback.hidden = true;
  }
}

enableAutosubmit();
