// Photos on console pages (templates/facilitator/_photos.html): upload each chosen file on its
// own with a progress bar, a photo from the phone camera as soon as it is taken; save captions and
// delete without reloading. Without this script the same forms work by plain posting.

import { countText } from "./plural.js";

const section = document.querySelector("[data-photos]");

function fill(pattern, values) {
  return pattern.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

// POST a form's data; resolves with the JSON answer, reports upload progress.
function send(url, body, onProgress) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open("POST", url);
    request.setRequestHeader("Accept", "application/json");
    request.responseType = "json";
    if (onProgress) request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => resolve(request.response || { ok: false }));
    request.addEventListener("error", () => resolve({ ok: false }));
    request.send(body);
  });
}

function showItem(item, photo) {
  item.dataset.photoId = photo.id;
  item.querySelector("[data-photo-link]").href = photo.url;
  const image = item.querySelector("[data-photo-image]");
  image.src = photo.url;
  image.width = photo.width;
  image.height = photo.height;
  image.alt = photo.caption;
  const [captionForm, deleteForm] = item.querySelectorAll("form");
  const base = section.querySelector("[data-photo-upload]").action;
  captionForm.action = `${base}/${photo.id}`;
  deleteForm.action = `${base}/${photo.id}/delete`;
  for (const control of captionForm.querySelectorAll("[id]")) {
    const label = captionForm.querySelector(`label[for="${control.id}"]`);
    control.id = control.id.replace(/-new$/, `-${photo.id}`);
    if (label) label.htmlFor = control.id;
  }
  captionForm.elements.caption.value = photo.caption;
  captionForm.elements.board_id.value = photo.board_id ?? "";
  enableItem(item);
}

function enableItem(item) {
  const [captionForm, deleteForm] = item.querySelectorAll("form");
  const saved = captionForm.querySelector("[data-photo-saved]");
  captionForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    saved.textContent = "";
    const answer = await send(captionForm.action, new FormData(captionForm));
    saved.textContent = answer.ok ? section.dataset.saved : (answer.error || section.dataset.failed);
    if (answer.ok) item.querySelector("[data-photo-image]").alt = answer.photo.caption;
  });
  deleteForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!window.confirm(section.dataset.confirmDelete)) return;
    const answer = await send(deleteForm.action, new FormData(deleteForm));
    if (answer.ok) {
      item.remove();
      section.querySelector("[data-photo-none]").hidden =
        section.querySelectorAll("[data-photo-list] [data-photo-item]").length > 0;
    } else {
      saved.textContent = answer.error || section.dataset.failed;
    }
  });
}

function enableUpload(form) {
  const status = form.querySelector("[data-photo-status]");
  const error = form.querySelector("[data-photo-error]");
  const progress = form.querySelector("[data-photo-progress]");
  const list = section.querySelector("[data-photo-list]");
  const template = section.querySelector("[data-photo-template]");

  async function upload() {
    const files = [...form.querySelectorAll("input[type=file]")].flatMap((input) => [...input.files]);
    error.textContent = "";
    if (!files.length) return;
    let added = 0;
    for (const [index, file] of files.entries()) {
      status.textContent = fill(section.dataset.uploading, { n: index + 1, total: files.length });
      progress.hidden = false;
      progress.value = 0;
      const body = new FormData();
      for (const name of ["csrf_token", "kind", "board_id", "caption"]) {
        body.append(name, form.elements[name].value);
      }
      body.append("photo", file, file.name);
      const answer = await send(form.action, body, (share) => { progress.value = share * 100; });
      if (!answer.ok) {
        error.textContent = answer.error || section.dataset.failed;
        break;
      }
      for (const photo of answer.photos) {
        const item = template.content.firstElementChild.cloneNode(true);
        list.append(item);
        showItem(item, photo);
        added += 1;
      }
    }
    progress.hidden = true;
    status.textContent = added ? countText(JSON.parse(section.dataset.uploaded), added) : "";
    section.querySelector("[data-photo-none]").hidden = list.children.length > 0;
    if (added) {
      form.elements.caption.value = "";
      for (const input of form.querySelectorAll("input[type=file]")) input.value = "";
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); upload(); });
  // A photo just taken with the phone camera goes up at once.
  form.querySelector("[data-photo-camera]").addEventListener("change", upload);
}

if (section) {
  enableUpload(section.querySelector("[data-photo-upload]"));
  for (const item of section.querySelectorAll("[data-photo-list] [data-photo-item]")) enableItem(item);
}
