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
