// The table host's page is plain forms: instead of reloading under the host's hands (and losing
// what is being typed), it asks now and then whether the workshop changed and offers a refresh.
const notice = document.querySelector("[data-changes]");
const POLL_MS = 5000;

async function check() {
  try {
    const response = await fetch(notice.dataset.seqUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const { seq } = await response.json();
    if (String(seq) !== notice.dataset.seq) {
      notice.hidden = false;
      return;  // said once; the host refreshes when ready
    }
  } catch {
    // Offline for a moment: ask again later.
  }
  setTimeout(check, POLL_MS);
}

if (notice) setTimeout(check, POLL_MS);
