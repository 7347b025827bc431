// Make the documentation PDF in the background and follow its progress (views/reports.py).
// Each [data-record-job] widget has a form, a status line and a download link; texts come from
// its data-text-* attributes (translated by the server). Without JavaScript the form still works.
const POLL_MS = 1500;

function textFor(widget, status) {
  const data = widget.dataset;
  if (status.state === "done") {
    const done = (data.textDone || "").replace("{pages}", status.pages ?? "");
    return status.outdated ? `${done} ${data.textOutdated || ""}` : done;
  }
  if (status.state === "running") {
    const key = `text${(status.stage || "running").replace(/^./, (c) => c.toUpperCase())}`;
    return data[key] || data.textRunning || "";
  }
  if (status.state === "failed") return status.message || data.textFailed || "";
  if (status.state === "busy") return status.message || data.textBusy || "";
  return data.textIdle || "";
}

function show(widget, status) {
  widget.querySelector("[data-record-status]").textContent = textFor(widget, status);
  const link = widget.querySelector("[data-record-download]");
  if (status.url) link.href = status.url;
  link.hidden = status.state !== "done";
  widget.querySelector("[data-record-button]").disabled = status.state === "running";
}

async function poll(widget) {
  try {
    const response = await fetch(widget.dataset.statusUrl, {
      headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    const status = await response.json();
    show(widget, status);
    if (status.state === "running") setTimeout(() => poll(widget), POLL_MS);
  } catch {
    setTimeout(() => poll(widget), POLL_MS * 4);  // offline for a moment: try again later
  }
}

for (const widget of document.querySelectorAll("[data-record-job]")) {
  if (widget.dataset.recordReady) continue;
  widget.dataset.recordReady = "1";
  const form = widget.querySelector("[data-record-form]");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    widget.querySelector("[data-record-button]").disabled = true;
    try {
      const response = await fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { Accept: "application/json" } });
      show(widget, await response.json());
    } finally {
      poll(widget);
    }
  });
  poll(widget);
}
