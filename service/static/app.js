// The upload page: drag and drop, progress, jump-to-clause and downloads. Plain JavaScript, no network.
"use strict";

function setUpDropzone() {
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("file");
  const chosen = document.getElementById("file-chosen");
  if (!zone || !input) return;
  const show = () => {
    const file = input.files && input.files[0];
    chosen.textContent = file ? "Selected: " + file.name + " (" + Math.ceil(file.size / 1024) + " KB)" : "";
  };
  input.addEventListener("change", show);
  ["dragenter", "dragover"].forEach((type) => zone.addEventListener(type, (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  }));
  ["dragleave", "dragend"].forEach((type) => zone.addEventListener(type, () => zone.classList.remove("dragging")));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      show();
      input.focus();
    }
  });
}

function setUpProgress() {
  const form = document.getElementById("upload-form");
  if (!form) return;
  const button = document.getElementById("analyze");
  const progress = document.getElementById("progress");
  const key = document.getElementById("api-key");
  // The key stays in this tab only (sessionStorage), so a second upload does not ask for it again.
  if (key && !key.value) key.value = sessionStorage.getItem("clauses-api-key") || "";
  form.addEventListener("submit", (event) => {
    const file = document.getElementById("file").files[0];
    const limit = Number(form.dataset.maxBytes);
    if (file && limit && file.size > limit) {
      event.preventDefault();
      progress.textContent = file.name + " is larger than the " + Math.round(limit / 1048576) + " MB limit.";
      return;
    }
    if (key) sessionStorage.setItem("clauses-api-key", key.value);
    progress.textContent = "Analysing… this takes a few seconds.";
    // Disabled after the submission has started, so the form still sends.
    setTimeout(() => { button.disabled = true; }, 0);
  });
  // Coming back to the page from the browser's history: the form is usable again.
  window.addEventListener("pageshow", () => { button.disabled = false; progress.textContent = ""; });
}

function jumpTo(id) {
  const target = document.getElementById(id);
  if (!target) return false;
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
  target.classList.remove("flash");
  void target.offsetWidth; // restart the highlight animation
  target.classList.add("flash");
  history.replaceState(null, "", "#" + id);
  return true;
}

function setUpJumps() {
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a.jump");
    if (link && jumpTo(link.dataset.target)) event.preventDefault();
  });
}

function setUpDownloads() {
  document.querySelectorAll("button.download[data-download]").forEach((button) => {
    button.addEventListener("click", () => {
      const source = document.getElementById(button.dataset.download);
      const binary = atob(source.textContent.trim());
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      const url = URL.createObjectURL(new Blob([bytes], { type: button.dataset.type }));
      const link = document.createElement("a");
      link.href = url;
      link.download = button.dataset.filename;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    });
  });
}

function focusResult() {
  const heading = document.getElementById("result-title") || document.getElementById("error-title");
  if (heading && !location.hash) heading.focus();
}

document.addEventListener("DOMContentLoaded", () => {
  setUpDropzone();
  setUpProgress();
  setUpJumps();
  setUpDownloads();
  focusResult();
});
