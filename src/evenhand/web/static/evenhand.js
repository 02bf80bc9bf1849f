// The web UI's one script (served from /static: the pages' Content-Security-Policy allows
// no inline script). A button with data-copy="ID" copies the value of the element ID.
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", () => {
    const source = document.getElementById(button.dataset.copy);
    if (source) navigator.clipboard.writeText(source.value);
  });
}
