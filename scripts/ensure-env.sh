#!/usr/bin/env bash
# Create or reuse one of the two virtual environments.
#   scripts/ensure-env.sh toolkit     -> .venv            (Python 3.11, coi-audit editable + dev extras)
#   scripts/ensure-env.sh assistant   -> .venv-assistant  (Python 3.10, Rasa 3.6)
# An env is rebuilt only when the hash of its requirement files changes; the hash is kept in a
# stamp file inside the env, so a second `make test` reuses both envs without touching pip.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {  # $1 = minor version, e.g. 3.10; prints an interpreter path or nothing
  local v=$1 cand
  for cand in "python$v" ; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys' >/dev/null 2>&1; then
      command -v "$cand"; return 0
    fi
  done
  local root
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  for cand in "$root"/versions/"$v".*/bin/python"$v" /usr/bin/python"$v" /usr/local/bin/python"$v"; do
    if [ -x "$cand" ]; then echo "$cand"; return 0; fi
  done
  return 0
}

kind=${1:?usage: ensure-env.sh toolkit|assistant}
case "$kind" in
  toolkit)
    env=.venv; pyver=3.11; reqs=(pyproject.toml constraints.txt)
    install() { "$env/bin/pip" install -q -c constraints.txt -e '.[dev]'; } ;;
  assistant)
    env=.venv-assistant; pyver=3.10; reqs=(assistant/requirements.txt assistant/constraints.txt)
    install() { "$env/bin/pip" install -q -r assistant/requirements.txt -c assistant/constraints.txt; } ;;
  *) echo "error: unknown env '$kind' (expected toolkit or assistant)" >&2; exit 2 ;;
esac

hash=$( { echo "$pyver"; cat "${reqs[@]}"; } | sha256sum | cut -d' ' -f1)
if [ -f "$env/.coi-stamp" ] && [ "$(cat "$env/.coi-stamp")" = "$hash" ] && [ -x "$env/bin/python" ]; then
  echo "env $env: up to date, reused"
  exit 0
fi

python=$(find_python "$pyver")
if [ -z "$python" ]; then
  echo "error: Python $pyver not found (needed for $env): install it (e.g. 'pyenv install $pyver') or put python$pyver on PATH" >&2
  exit 1
fi

echo "env $env: creating with $python ($("$python" --version 2>&1))"
start=$(date +%s)
rm -rf "$env"
"$python" -m venv "$env"
"$env/bin/pip" install -q --disable-pip-version-check --upgrade "pip==24.0" 2>&1 | grep -v "^WARNING: Location" || true
install 2>&1 | grep -v "^WARNING: Location" || true
# pip's exit status is hidden by the filter above: check the install really happened.
if [ "$kind" = toolkit ]; then
  "$env/bin/python" -c 'import audit, reports' || { echo "error: toolkit install into $env failed" >&2; exit 1; }
else
  "$env/bin/python" -c 'import rasa, rasa_sdk' || { echo "error: Rasa install into $env failed" >&2; exit 1; }
fi
echo "$hash" > "$env/.coi-stamp"
echo "env $env: created in $(( $(date +%s) - start )) s"
