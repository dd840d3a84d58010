// Harbour: start GOV.UK Frontend and MOJ Frontend. Hand-written; not touched by build.sh.
//
// Loaded by base.html as <script type="module">, so it never runs in browsers without ES
// module support: exactly GOV.UK Frontend's own test for adding `govuk-frontend-supported`.
// Doing it here, not in the usual inline <script>, keeps pages free of inline script for the
// Content Security Policy. Every page works without JavaScript; this only enhances it.
import { initAll as initGovukFrontend } from "./govuk-frontend.min.js";
import { initAll as initMojFrontend } from "./moj-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");

initGovukFrontend();
initMojFrontend();

// A link to a folded section (a closed GOV.UK details, or something inside one) opens it:
// browsers scroll to a closed <details> but do not all open it. Without JavaScript the link
// still reaches the section's summary, which opens it.
function openDetailsFor(fragment) {
  let id;
  try {
    id = decodeURIComponent(fragment.replace(/^#/, ""));
  } catch {
    return;
  }
  const details = id && document.getElementById(id)?.closest("details");
  if (details) details.open = true;
}

openDetailsFor(window.location.hash);
window.addEventListener("hashchange", () => openDetailsFor(window.location.hash));
// A link to the fragment already in the address changes no hash, so follow clicks too.
document.addEventListener("click", (event) => {
  const link = event.target.closest?.('a[href^="#"]');
  if (link) openDetailsFor(link.getAttribute("href"));
});
