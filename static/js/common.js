// Loaded on every page: small progressive enhancements that need no page data and no socket.

// Selects in `data-autosubmit` forms switch at once; the fallback button stays for no-JS use.
function enableAutosubmit(root = document) {
  for (const select of root.querySelectorAll("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form.requestSubmit());
    const fallback = select.form.querySelector("[data-autosubmit-fallback]");
    if (fallback) fallback.hidden = true;
  }
}

enableAutosubmit();
