#!/usr/bin/env bash
# Compares `asyncmm scan git` with `git log --name-only` on a synthetic
# repository (default 200,000 commits, 5,000 files) in one hyperfine run,
# then reports asyncmm's peak memory at a quarter, half and all of that
# history to show it stays flat as history grows.
#
#   bench/scan-git.sh                 # 200k commits
#   COMMITS=50000 bench/scan-git.sh   # smaller
#
# Needs git, python3, hyperfine and GNU time (Debian: hyperfine, time).
set -euo pipefail
cd "$(dirname "$0")/.."
COMMITS=${COMMITS:-200000}
FILES=${FILES:-5000}
WORK=${WORK:-target/bench-git}
RUNS=${RUNS:-5}
mkdir -p "$WORK"

cargo build --release -p asyncmm >&2
BIN=$PWD/target/release/asyncmm

make_repo() { # commits → path
  local n=$1 dir="$WORK/repo-$1-$FILES"
  if [ ! -d "$dir" ]; then
    git init -q -b main "$dir"
    python3 bench/gen-git-history.py "$n" "$FILES" | git -C "$dir" fast-import --quiet
    git -C "$dir" reset -q --hard main
    git -C "$dir" repack -adq
    git -C "$dir" commit-graph write --reachable
  fi
  echo "$dir"
}

REPO=$(make_repo "$COMMITS")
echo "repository: $REPO ($(git -C "$REPO" rev-list --count HEAD) commits, $(git -C "$REPO" ls-files | wc -l) files)"

# The whole history in the window, and a 180-day window at its end.
END=$(git -C "$REPO" log -1 --format=%cs)
hyperfine --warmup 1 --runs "$RUNS" --export-markdown "$WORK/scan-git.md" \
  -n 'git log --name-only' "git -C $REPO log --name-only --format=%H%n%an%n%s" \
  -n 'asyncmm scan git (all history)' "$BIN scan git $REPO --since 1970-01-01 --until 2100-01-01 --format json" \
  -n 'asyncmm scan git (180 days)' "$BIN scan git $REPO --since 180d --until $END --format json"

echo
echo "peak RSS of asyncmm scan git (all history):"
for n in $((COMMITS / 4)) $((COMMITS / 2)) "$COMMITS"; do
  r=$(make_repo "$n")
  /usr/bin/time -f "  $n commits: %M KB, %e s" "$BIN" scan git "$r" --since 1970-01-01 --until 2100-01-01 --format json > /dev/null
done
echo "peak RSS of git log --name-only:"
/usr/bin/time -f "  $COMMITS commits: %M KB, %e s" git -C "$REPO" log --name-only --format=%H%n%an%n%s > /dev/null
