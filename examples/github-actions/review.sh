#!/usr/bin/env bash
# The commands of the reconcile workflow (reconcile.yml), runnable on any machine:
#
#   review.sh pr OUT CATALOG...     validate, fmt --check, then per catalog: OUT/<name>.json (the
#                                   plan to apply after the merge), OUT/<name>.html (the menu as a
#                                   diner will see it), and OUT/comment.md (one pull-request comment)
#   review.sh apply OUT             apply every reviewed plan OUT/*.json exactly as reviewed; a plan
#                                   the live menu moved away from since the review is refused (exit 4)
#
# The target comes from RECONCILE_TARGET (default sandbox), credentials from the environment
# (WIX_API_KEY and WIX_SITE_ID, or WIX_ACCESS_TOKEN); the id mapping and the journal live in
# RECONCILE_STATE_DIR, or in RECONCILE_DATABASE_URL's PostgreSQL database.
set -euo pipefail

target="${RECONCILE_TARGET:-sandbox}"
marker="<!-- reconcile-plan -->"  # the workflow finds and updates its one comment by this

usage() {
  echo "usage: review.sh pr OUT CATALOG... | review.sh apply OUT" >&2
  exit 64
}

review() {
  local out="$1"
  shift
  [ "$#" -gt 0 ] || usage
  mkdir -p "$out"
  reconcile validate "$@"
  reconcile fmt --check "$@"
  {
    echo "$marker"
    echo "## reconcile: what this pull request changes on the live menu"
  } >"$out/comment.md"
  local catalog name
  for catalog in "$@"; do
    name="$(basename "$catalog" .yaml)"
    reconcile plan "$catalog" --target "$target" --format markdown --out "$out/$name.json" >"$out/$name.md"
    reconcile plan "$catalog" --target "$target" --format html --out "$out/$name.html" >/dev/null
    {
      echo
      echo "#### \`$catalog\`"
      echo
      cat "$out/$name.md"
    } >>"$out/comment.md"
  done
  {
    echo
    echo "The menu as a diner will see it, every change marked: the \`reconcile-plan\` artifact (\`*.html\`)."
    echo "After the merge, exactly these plans are applied; a plan the live menu moved away from is refused."
  } >>"$out/comment.md"
}

apply_reviewed() {
  local out="$1" plan found=0
  for plan in "$out"/*.json; do
    [ -e "$plan" ] || continue
    found=1
    echo "Applying the reviewed plan $(basename "$plan")"
    reconcile apply --plan "$plan" --auto-approve
  done
  if [ "$found" = 0 ]; then
    echo "no reviewed plan in $out: nothing is applied (run the pull-request job first)" >&2
    exit 1
  fi
}

case "${1:-}" in
  pr) [ "$#" -ge 3 ] || usage; shift; review "$@" ;;
  apply) [ "$#" -eq 2 ] || usage; apply_reviewed "$2" ;;
  *) usage ;;
esac
