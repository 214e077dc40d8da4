#!/usr/bin/env bash
# Fetch the scripts that render ipywidgets and MathJax in the static book, from the npm
# registry, into .widgets/_static/_widgets/ (git-ignored). _config.yml copies .widgets/ into _build/html/ with
# html_extra_path (so they land in _build/html/_static/_widgets/, where Sphinx resolves the
# relative script paths of nb_ipywidgets_js) and pages load nothing from a CDN. They are not
# in a source _static/ folder, whose every .js Jupyter Book would add to every page.
# Pinned versions and tarball checksums: the pages embed widget state for these exact versions.
set -euo pipefail
cd "$(dirname "$0")/../.."

DEST=.widgets/_static/_widgets
HTML_MANAGER=@jupyter-widgets/html-manager@1.0.6
HTML_MANAGER_SHA256=6c198ceb99ba7e7526990a1de16e8147ad7d3a714e3fb06741183623c04b5f6e
REQUIREJS=requirejs@2.3.7
REQUIREJS_SHA256=31f3330c978fb28684622fe71165dc946432cf0210b2ea8a1ca0233e70f2737d
MATHJAX=mathjax@3.2.2
MATHJAX_SHA256=1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09

# the widget manager's stylesheet asks for its icon fonts relative to the page
# (@jupyter-widgets/html-manager/dist/NAME beside the page); only book/_generated/ has widgets
FONTS=.widgets/book/_generated/@jupyter-widgets/html-manager/dist

if [ -f "$DEST/.complete" ] && [ -f "$DEST/mathjax/tex-chtml.js" ] && [ -d "$FONTS" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "fetch-widget-scripts: npm is needed (apt-get install npm)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$HTML_MANAGER" "$REQUIREJS" "$MATHJAX" >/dev/null)
echo "$HTML_MANAGER_SHA256  $work/jupyter-widgets-html-manager-1.0.6.tgz" | sha256sum -c --quiet
echo "$REQUIREJS_SHA256  $work/requirejs-2.3.7.tgz" | sha256sum -c --quiet
echo "$MATHJAX_SHA256  $work/mathjax-3.2.2.tgz" | sha256sum -c --quiet

mkdir -p "$work/html-manager" "$work/requirejs" "$work/mathjax" "$work/out/html-manager"
tar xzf "$work/jupyter-widgets-html-manager-1.0.6.tgz" -C "$work/html-manager"
tar xzf "$work/requirejs-2.3.7.tgz" -C "$work/requirejs"
tar xzf "$work/mathjax-3.2.2.tgz" -C "$work/mathjax"
# the AMD bundle, its lazily loaded chunks and the icon fonts; no source maps
cp -r "$work/html-manager/package/dist" "$work/out/html-manager/dist"
rm -f "$work/out/html-manager/dist/"*.map "$work/out/html-manager/dist/embed.js"
cp "$work/html-manager/package/LICENSE" "$work/out/html-manager/"
cp "$work/requirejs/package/require.js" "$work/out/require.js"
# MathJax 3: the tex-chtml component and what it loads lazily (menu, accessibility, fonts);
# not the other combined components (tex-svg, mml-*, *-full), which the book does not use
cp -r "$work/mathjax/package/es5" "$work/out/mathjax"
rm -f "$work/out/mathjax/"*-full*.js "$work/out/mathjax/"mml-*.js "$work/out/mathjax/"tex-svg*.js \
      "$work/out/mathjax/"tex-mml-*.js "$work/out/mathjax/node-main.js"
cp "$work/mathjax/package/LICENSE" "$work/out/mathjax/"
touch "$work/out/.complete"

rm -rf "$DEST" "$FONTS"
mkdir -p "$(dirname "$DEST")" "$FONTS"
mv "$work/out" "$DEST"
cp "$DEST/html-manager/dist/"*.woff2 "$DEST/html-manager/dist/"*.woff "$DEST/html-manager/dist/"*.ttf \
   "$DEST/html-manager/dist/"*.eot "$FONTS/"
echo "fetch-widget-scripts: $HTML_MANAGER, $REQUIREJS and $MATHJAX in $DEST"
