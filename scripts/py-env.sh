#!/usr/bin/env bash
# The Python the examples use (examples/mlp-digits trains with numpy and scikit-learn): a venv
# under .venv with examples/mlp-digits/requirements.txt, made once and remade when the
# requirements change. Source it: it sets CRUCIBLE_PY.
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_venv="$_root/.venv"
_req="$_root/examples/mlp-digits/requirements.txt"
if ! "$_venv/bin/python" -c 'import numpy, sklearn' 2>/dev/null || [ "$_req" -nt "$_venv/.installed" ]; then
  echo "[py-env] making $_venv with $(tr '\n' ' ' < "$_req")" >&2
  python3 -m venv "$_venv"
  "$_venv/bin/pip" install -q --disable-pip-version-check -r "$_req"
  touch "$_venv/.installed"
fi
export CRUCIBLE_PY="$_venv/bin/python"
unset _root _venv _req
