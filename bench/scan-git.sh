#!/usr/bin/env bash
# Compares `asyncmm scan git` with `git log --name-only` on a synthetic
# repository (default 200,000 commits, 5,000 files) in one hyperfine run,
# then reports asyncmm's peak memory at a quarter, half and all of that
# history to show it stays flat as history grows.
#
#   bench/scan-git.sh                 # 200k commits
#   COMMITS=50000 bench/scan-git.sh   # smaller
#
# Needs git, python3 and hyperfine (Debian: hyperfine); Linux for /proc.
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

# Peak memory, split: anonymous (heap: what asyncmm allocates) and
# file-backed (the pack files mapped into memory, which grow with the
# repository whatever reads them).
peak() {
  "$@" > /dev/null & local pid=$! anon=0 file=0 a f
  while kill -0 "$pid" 2>/dev/null; do
    read -r a f < <(awk '/RssAnon/{a=$2} /RssFile/{f=$2} END{print a+0, f+0}' "/proc/$pid/status" 2>/dev/null || echo "0 0")
    [ "${a:-0}" -gt "$anon" ] && anon=$a
    [ "${f:-0}" -gt "$file" ] && file=$f
    sleep 0.05
  done
  wait "$pid"
  echo "anonymous ${anon} KB, file-backed ${file} KB"
}
echo
echo "peak memory (all history in the window):"
for n in $((COMMITS / 4)) $((COMMITS / 2)) "$COMMITS"; do
  r=$(make_repo "$n")
  echo "  asyncmm, $n commits: $(peak "$BIN" scan git "$r" --since 1970-01-01 --until 2100-01-01 --format json)"
done
echo "  git log, $COMMITS commits: $(peak git -C "$REPO" log --name-only --format=%H%n%an%n%s)"
