// The web UI's one script (served from /static: the pages' Content-Security-Policy allows
// no inline script). Pages work without it; it adds copying and keyboard shortcuts.

// A button with data-copy="ID" copies the value of the element ID. The clipboard API needs
// a secure context (https or localhost); elsewhere the text is selected and copied the old
// way. The span with data-copy-status="ID" says what happened.
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const source = document.getElementById(button.dataset.copy);
    const status = document.querySelector(`[data-copy-status="${button.dataset.copy}"]`);
    if (!source) return;
    let copied = false;
    if (navigator.clipboard && window.isSecureContext) {
      try { await navigator.clipboard.writeText(source.value); copied = true; } catch (_) { copied = false; }
    }
    if (!copied) {
      source.focus();
      source.select();
      copied = document.execCommand && document.execCommand("copy");
    }
    if (status) status.textContent = copied ? "Copied." : "Selected: press Ctrl+C (⌘C) to copy.";
  });
}

// Keyboard shortcuts, never while typing in a field.
function typing(event) {
  const tag = event.target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || event.target.isContentEditable;
}

const queue = document.querySelector("table[data-keys=queue]");
if (queue) {
  const rows = [...queue.querySelectorAll("tbody tr")];
  let at = -1;
  const focus = (index) => {
    if (!rows.length) return;
    at = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("current", i === at));
    rows[at].querySelector("a[href^='/tickets/']").focus();
  };
  document.addEventListener("keydown", (event) => {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") focus(at + 1);
    else if (event.key === "k") focus(at - 1);
    else if (event.key === "o" && at >= 0) rows[at].querySelector("a[href^='/tickets/']").click();
    else if (event.key === "x" && at >= 0) { const box = rows[at].querySelector("input[type=checkbox]"); box.checked = !box.checked; }
    else if (event.key === "A") document.getElementById("bulk").requestSubmit();
    else return;
    event.preventDefault();
  });
}

const review = document.querySelector("form[action$='/review']");
if (review) {
  document.addEventListener("keydown", (event) => {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "a") review.requestSubmit();
    else if (event.key === "n") review.requestSubmit(document.getElementById("approve-next"));
    else if (event.key === "o") document.getElementById("remedy-choice").focus();
    else if (event.key === "c" && !document.getElementById("choice-row").hidden) document.getElementById("choice").focus();
    else if (event.key === "e") document.getElementById("reply").focus();
    else if (event.key === "q") window.location.assign("/queue");
    else return;
    event.preventDefault();
  });
}

// Another remedy (or, for a replace or refund, another choice of what is done) picked: a
// reply that is still the guide's draft is swapped for the guide's draft for it; a reply
// the agent edited is kept, and the page says so.
const reply = document.getElementById("reply");
const remedyChoice = document.getElementById("remedy-choice");
const choiceRow = document.getElementById("choice-row");
const choice = document.getElementById("choice");
if (reply && remedyChoice && reply.dataset.draftUrl) {
  let drafted = reply.dataset.drafted === "yes" ? reply.value : null;
  const status = document.getElementById("redraft-status");
  const redraft = async (label) => {
    if (drafted === null || reply.value.trim() !== drafted.trim()) {
      status.textContent = `Your edited reply is kept for ${label}: check that it fits.`;
      return;
    }
    const asked = choiceRow && !choiceRow.hidden ? `&choice=${encodeURIComponent(choice.value)}` : "";
    const url = `${reply.dataset.draftUrl}?remedy=${encodeURIComponent(remedyChoice.value)}${asked}`;
    try {
      const answer = await fetch(url, { headers: { Accept: "application/json" } });
      const draft = answer.ok ? await answer.json() : null;
      if (draft && draft.text) {
        reply.value = draft.text;
        drafted = draft.text;
        status.textContent = `Reply redrafted for ${draft.label}.`;
      } else {
        status.textContent = draft ? `No draft: ${draft.reason}.` : "The draft could not be fetched; the reply is as it was.";
      }
    } catch (_) {
      status.textContent = "The draft could not be fetched; the reply is as it was.";
    }
  };
  remedyChoice.addEventListener("change", () => {
    if (choiceRow) choiceRow.hidden = (remedyChoice.value || choiceRow.dataset.remedy) !== "replace_or_refund";
    redraft(remedyChoice.selectedOptions[0].textContent);
  });
  if (choice) choice.addEventListener("change", () => redraft(choice.selectedOptions[0].textContent));
}

// A shop step Evenhand cannot carry out (no Shopify order, a cancelled one, or a change to
// the order): its warning and the 'done by hand' tick follow the remedy and choice picked.
// The server refuses the approval without the tick whatever the page shows (keys included).
const byHand = document.getElementById("by-hand");
if (byHand && remedyChoice && choiceRow) {
  const showByHand = () => {
    const remedy = remedyChoice.value || choiceRow.dataset.remedy;
    const code = remedy === "replace_or_refund" && choice ? `${remedy}:${choice.value}` : remedy;
    let any = false;
    for (const note of byHand.querySelectorAll("[data-by-hand-for]")) {
      note.hidden = note.dataset.byHandFor !== code;
      any = any || !note.hidden;
    }
    byHand.hidden = !any;
  };
  remedyChoice.addEventListener("change", showByHand);
  if (choice) choice.addEventListener("change", showByHand);
}

// A link to a guide's reply template (#reply-NAME) opens it.
function openTarget() {
  const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  if (target && target.tagName === "DETAILS") target.open = true;
}
window.addEventListener("hashchange", openTarget);
openTarget();
