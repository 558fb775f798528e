#!/usr/bin/env bash
# buf breaking (FILE rules) of the working tree's contracts against a git ref (default: main).
# buf's own `.git#branch=` input cannot see the google protos staged from npm (.build/ is not in
# git), so the ref's buf.yaml and proto/ are exported to a temporary tree that links them in.
set -euo pipefail
ref="${1:-main}"
root="$(git rev-parse --show-toplevel)"
cd "$root"

if ! git rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
  echo "buf breaking: no '$ref' to compare with; skipped"
  exit 0
fi
if ! git cat-file -e "$ref:buf.yaml" 2>/dev/null || ! git cat-file -e "$ref:proto" 2>/dev/null; then
  echo "buf breaking: '$ref' has no contracts yet; nothing to break"
  exit 0
fi

against="$(mktemp -d)"
trap 'rm -rf "$against"' EXIT
git archive "$ref" buf.yaml proto | tar -x -C "$against"
mkdir -p "$against/.build"
cp -r .build/proto-deps "$against/.build/proto-deps"
buf breaking --against "$against"
echo "buf breaking: no breaking change against '$ref'"
