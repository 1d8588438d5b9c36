// "Copy link" beside a share link: copies the read-only field's value and says so in a status
// region. The button stays hidden where the Clipboard API is missing (the field can still be
// selected and copied by hand).
document.addEventListener("DOMContentLoaded", () => {
  if (!navigator.clipboard) return;
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const field = document.getElementById(button.dataset.copy);
    const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
    if (!field) continue;
    button.hidden = false;
    button.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(field.value);
        if (status) status.textContent = status.dataset.copied;
      } catch {
        field.select();
        if (status) status.textContent = status.dataset.copyFailed;
      }
    });
  }
});
