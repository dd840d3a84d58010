#!/usr/bin/env bash
# Rebuild Harbour's front-end assets from GOV.UK Frontend and MOJ Frontend.
#
# The outputs in harbour/static/harbour/ are committed, so running, testing and deploying
# Harbour needs only Python. Run this (it needs Node 20.19+ and npm) after changing
# frontend/src/ or upgrading a package, then commit the changed outputs with the change.
#
# Writes:
#   harbour/static/harbour/application.css       (compiled from src/application.scss)
#   harbour/static/harbour/govuk-frontend.min.js  (GOV.UK Frontend, ES module)
#   harbour/static/harbour/moj-frontend.min.js    (MOJ Frontend, ES module)
#   harbour/static/harbour/images/                (MOJ Frontend's component icons)
#   harbour/tests_frontend/govuk_fixtures.json    (GOV.UK's examples, to test our macros)
# Leaves alone: harbour/static/harbour/init.js (hand-written).
set -euo pipefail

frontend_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$frontend_dir/.." && pwd)"
out_dir="$repo_dir/harbour/static/harbour"
fixtures_file="$repo_dir/harbour/tests_frontend/govuk_fixtures.json"
cd "$frontend_dir"

# Exactly what package-lock.json says. No install scripts: the only one is for the optional
# file watcher of sass (`sass --watch`), which this build does not use.
npm ci --ignore-scripts --no-audit --no-fund

govuk="node_modules/govuk-frontend/dist/govuk"
moj="node_modules/@ministryofjustice/frontend/moj"

mkdir -p "$out_dir"

# --load-path=. lets both our Sass and MOJ Frontend's load "node_modules/govuk-frontend/...".
# --quiet-deps hides the packages' own deprecation warnings; --silence-deprecation=import is
# for src/_govuk.scss, which must @import GOV.UK Frontend (see the comment there).
npx --no-install sass \
  --no-source-map \
  --style=compressed \
  --load-path=. \
  --quiet-deps \
  --silence-deprecation=import \
  src/application.scss "$out_dir/application.css"

# The minified bundles are self-contained ES modules (init.js imports them). We do not ship
# the source maps, so drop the comment pointing at them: browsers would ask for a missing
# file, and Django's ManifestStaticFilesStorage would refuse to collect the file.
strip_source_map() {
  sed -e 's|//# sourceMappingURL=[^[:space:]]*$||' "$1" >"$2"
}
strip_source_map "$govuk/govuk-frontend.min.js" "$out_dir/govuk-frontend.min.js"
strip_source_map "$moj/moj-frontend.min.js" "$out_dir/moj-frontend.min.js"

# Images. GOV.UK Frontend's images (favicon, app icons, mask icon, Open Graph image, footer
# crest) are all the crown or the Royal Arms, which a council service must not use, so none
# is copied (the stylesheet references none of them). From MOJ Frontend, copy only the
# component icons its CSS and JavaScript use, not its crest, crown logotype, touch icons or
# Open Graph image. Fonts are never copied: Harbour uses Arial.
rm -rf "$out_dir/images"
mkdir -p "$out_dir/images"
cp "$moj"/assets/images/icon-*.svg "$moj"/assets/images/icon-*.png "$out_dir/images/"

# Every url() in the stylesheet must point at a file we ship.
missing=0
while IFS= read -r ref; do
  if [[ ! -f "$out_dir/$ref" ]]; then
    echo "build.sh: application.css refers to $ref, which was not copied" >&2
    missing=1
  fi
done < <(grep -o 'url([^)]*)' "$out_dir/application.css" | sed -e 's/^url(//' -e 's/)$//' -e 's/^["'\'']//' -e 's/["'\'']$//' | sort -u)
if ((missing)); then
  exit 1
fi

# Harbour is not GOV.UK: the typeface must not be referenced at all.
if grep -q "GDS Transport" "$out_dir/application.css"; then
  echo "build.sh: application.css mentions GDS Transport" >&2
  exit 1
fi

# GOV.UK Frontend's own examples (options and the HTML its Nunjucks macros render) for the
# components Harbour has Jinja2 macros for. harbour/tests_frontend/test_macros.py renders
# each through our macro and compares, so an upgrade that changes the markup shows up there.
node - "$govuk" "$fixtures_file" <<'EOF'
const fs = require("node:fs");
const [govuk, out] = process.argv.slice(2);
const components = [
  "back-link", "button", "error-summary", "inset-text", "phase-banner",
  "service-navigation", "skip-link", "summary-list", "table", "tag",
];
const result = {
  source: `govuk-frontend ${require(`./${govuk}/../../package.json`).version}`,
  components: {},
};
for (const name of components) {
  const { fixtures } = JSON.parse(fs.readFileSync(`${govuk}/components/${name}/fixtures.json`, "utf8"));
  result.components[name] = fixtures.map(({ name, options, html }) => ({ name, options, html }));
}
fs.writeFileSync(out, JSON.stringify(result, null, 1) + "\n");
EOF

echo "Built with govuk-frontend $(node -p "require('./$govuk/../../package.json').version")," \
  "@ministryofjustice/frontend $(node -p "require('./$moj/../package.json').version")," \
  "sass $(npx --no-install sass --version)."
