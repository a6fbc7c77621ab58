#!/usr/bin/env bash
# Copies the built app (public/) into a folder any static host can serve, e.g. GitHub Pages,
# which sends no custom headers: the page is marked data-isolation="sw", so its service
# worker adds COOP/COEP and the page reloads itself once, cross-origin isolated.
#   bash tools/make_dist.sh [public] [dist]
set -euo pipefail
src=${1:-public}
out=${2:-dist}
for f in index.html style.css sw.js app/app.js app/catalog.json app/saematch_engine_st.wasm demo/manifest.json demo-othello/manifest.json; do
  [ -f "$src/$f" ] || { echo "make_dist: $src/$f is missing (run ./run.sh build first)"; exit 1; }
done
rm -rf "$out"
mkdir -p "$out"
cp -r "$src/index.html" "$src/style.css" "$src/sw.js" "$src/app" "$src/demo" "$src/demo-othello" "$out/"
sed -i 's/<html lang="en">/<html lang="en" data-isolation="sw">/' "$out/index.html"
grep -q 'data-isolation="sw"' "$out/index.html" || { echo "make_dist: could not mark $out/index.html"; exit 1; }
touch "$out/.nojekyll"   # GitHub Pages: serve every file as it is
echo "$out/ ready ($(du -sh "$out" | cut -f1)); try it: node web/serve.mjs --no-isolation --root $out"
