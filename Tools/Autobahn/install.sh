#!/usr/bin/env bash
# Install Autobahn|Testsuite 0.8.2 (`wstest`, Python 2.7 software) for this repo.
#
#   bash Tools/Autobahn/install.sh
#
# Everything lands under $REPO/.autobahn/ (git-ignored), where $REPO is the
# repository this script lives in, wherever it was cloned:
#
#   .autobahn/py2/          PYTHONUSERBASE holding pip + the pinned packages
#   .autobahn/bin/wstest    wrapper: sets PYTHONUSERBASE, runs wstest on python2.7
#   .autobahn/wheels/       the pip 20.3.4 wheel used to bootstrap pip
#
# Idempotent: when the wrapper exists, was installed from the current
# requirements-py2.txt and install.sh, and passes its self-check
# (`.autobahn/bin/wstest --self-check`), this exits within a second.
#
# Python 2.7 itself comes from, in this order:
#   1. $AUTOBAHN_PYTHON2, if set (path to a python2.7 with its C headers);
#   2. an existing python2.7 with C headers (/usr/bin/python2.7, one on PATH,
#      or a pyenv 2.7.x build), unless AUTOBAHN_PY2_FROM_APT=1;
#   3. Debian bullseye's python2.7 + libpython2.7-dev, installed with apt-get
#      through a temporary source list that is removed again afterwards
#      (bookworm has no Python 2.7). Needs root.
#
# Works non-interactively (CI=true, no stdin). Needs network access to Debian's
# mirror (step 3 only) and PyPI.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
AB_DIR="$REPO/.autobahn"
USERBASE="$AB_DIR/py2"
WRAPPER="$AB_DIR/bin/wstest"
WHEELS="$AB_DIR/wheels"
REQS="$HERE/requirements-py2.txt"
STAMP="$USERBASE/.installed.sha256"

# Last releases that still support Python 2.7.
PIP_VERSION=20.3.4
SETUPTOOLS_VERSION=44.1.1
WHEEL_VERSION=0.37.1

export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
START=$SECONDS

log() { printf '[autobahn-install +%3ds] %s\n' "$((SECONDS - START))" "$*"; }
die() { printf '[autobahn-install] ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$AB_DIR"
# Serialise concurrent installs (two runners started at once).
exec 9>"$AB_DIR/.install.lock"
flock 9

# The install is redone whenever the pins or this script change.
want_hash=$(cat "$REQS" "${BASH_SOURCE[0]}" | sha256sum | cut -d' ' -f1)

# --- fast path -----------------------------------------------------------------
if [[ -x "$WRAPPER" && -f "$STAMP" && "$(cat "$STAMP")" == "$want_hash" ]] \
    && "$WRAPPER" --self-check >/dev/null 2>&1; then
  log "wstest already installed: $WRAPPER"
  exit 0
fi

# --- Python 2.7 ------------------------------------------------------------------

# usable PY: PY is a CPython 2.7 that has Python.h (needed to build wsaccel).
usable() {
  [[ -n "$1" && -x "$1" ]] || return 1
  "$1" - <<'PY' >/dev/null 2>&1 </dev/null
import os, sys, sysconfig
assert sys.version_info[:2] == (2, 7)
assert os.path.isfile(os.path.join(sysconfig.get_paths()["include"], "Python.h"))
PY
}

# The Debian mirror this machine already uses (deb822 or one-line format).
debian_mirror() {
  local uri
  uri=$( { grep -hsE '^\s*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}';
           grep -hsE '^\s*deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
             | sed -E 's/\[[^]]*\]//' | awk '{print $2}'; } \
         | grep -E '/debian/?$' | head -n1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# Root runs apt-get itself; anyone else through sudo (as `make deps` does).
SUDO=""
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || die "python2.7 is missing and installing it with apt-get needs root or sudo"
  SUDO=sudo
fi

install_python2_from_bullseye() {
  local list=/etc/apt/sources.list.d/autobahn-temporary-bullseye.list
  local mirror keyring=/usr/share/keyrings/debian-archive-keyring.gpg opts=""
  mirror=$(debian_mirror)
  [[ -f "$keyring" ]] && opts="[signed-by=$keyring] "
  log "installing python2.7 + libpython2.7-dev from Debian bullseye ($mirror)"
  (
    # Whatever happens, leave apt as we found it: drop the temporary source
    # and refresh the package lists without it.
    trap '$SUDO rm -f "$list"; $SUDO apt-get update -qq </dev/null >/dev/null 2>&1 || true' EXIT
    echo "deb ${opts}${mirror} bullseye main" | $SUDO tee "$list" >/dev/null
    if ! $SUDO apt-get update -qq </dev/null; then
      # Bullseye's LTS ended in August 2026: once the mirrors drop it, it lives on
      # archive.debian.org (same archive keys).
      log "bullseye is not on $mirror; trying archive.debian.org"
      echo "deb ${opts}http://archive.debian.org/debian bullseye main" | $SUDO tee "$list" >/dev/null
      $SUDO apt-get update -qq </dev/null
    fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      python2.7 libpython2.7-dev </dev/null >/dev/null
  )
  log "apt source list restored"
}

find_python2() {
  local c
  if [[ -n "${AUTOBAHN_PYTHON2:-}" ]]; then
    usable "$AUTOBAHN_PYTHON2" || die "AUTOBAHN_PYTHON2=$AUTOBAHN_PYTHON2 is not a python2.7 with C headers"
    echo "$AUTOBAHN_PYTHON2"; return
  fi
  if [[ "${AUTOBAHN_PY2_FROM_APT:-0}" != 1 ]]; then
    for c in /usr/bin/python2.7 "$(command -v python2.7 || true)" \
             "${PYENV_ROOT:-$HOME/.pyenv}"/versions/2.7*/bin/python2.7; do
      # pyenv's shim exists on PATH but fails unless 2.7 is selected: usable()
      # runs it, so such a shim is skipped.
      if usable "$c"; then echo "$c"; return; fi
    done
  elif usable /usr/bin/python2.7; then
    echo /usr/bin/python2.7; return
  fi
  install_python2_from_bullseye >&2
  usable /usr/bin/python2.7 || die "python2.7 from bullseye is not usable"
  echo /usr/bin/python2.7
}

PY2=$(find_python2)
log "python 2.7: $PY2"

# --- pip + pinned packages --------------------------------------------------------
# Start from scratch so that the user base holds exactly the pinned set.
rm -rf "${USERBASE:?}" "${AB_DIR:?}/bin"
mkdir -p "$USERBASE" "$WHEELS" "$AB_DIR/bin"
export PYTHONUSERBASE="$USERBASE"
unset PYTHONNOUSERSITE PYTHONHOME PYTHONPATH

# Run python2.7 without stdin and without pip's Python 2 end-of-life banner.
# (Always called as `quiet_py2 ... || die ...`.)
quiet_py2() {
  "$PY2" "$@" </dev/null 2>&1 | { grep -v '^DEPRECATION: Python 2.7' || true; }
  return "${PIPESTATUS[0]}"
}

pip_wheel="$WHEELS/pip-$PIP_VERSION-py2.py3-none-any.whl"
if [[ ! -f "$pip_wheel" ]]; then
  if python3 -m pip --version >/dev/null 2>&1; then
    log "downloading pip $PIP_VERSION wheel (with python3's pip)"
    python3 -m pip download -q "pip==$PIP_VERSION" --no-deps --python-version 2.7 \
      --only-binary=:all: -d "$WHEELS" </dev/null
  else
    # A python3 without pip (Debian's without python3-pip): fetch the wheel through PyPI's
    # simple index (PEP 503, what pip reads) and check the SHA-256 the index gives with it.
    log "downloading pip $PIP_VERSION wheel (PyPI simple index; python3 has no pip)"
    python3 - "$pip_wheel" <<'PY' || die "could not download the pip wheel"
import hashlib, os, re, sys, urllib.request
path = sys.argv[1]
name = os.path.basename(path)
index = urllib.request.urlopen("https://pypi.org/simple/pip/", timeout=60).read().decode()
link = re.search(r'href="([^"#]*/' + re.escape(name) + r')#sha256=([0-9a-f]{64})"', index)
if not link:
    sys.exit("pip wheel: %s is not in PyPI's simple index" % name)
data = urllib.request.urlopen(link.group(1), timeout=120).read()
if hashlib.sha256(data).hexdigest() != link.group(2):
    sys.exit("pip wheel: SHA-256 mismatch")
with open(path + ".part", "wb") as f:
    f.write(data)
os.rename(path + ".part", path)
PY
  fi
fi

log "bootstrapping pip $PIP_VERSION, setuptools $SETUPTOOLS_VERSION, wheel $WHEEL_VERSION"
quiet_py2 "$pip_wheel/pip" install -q --user --no-warn-script-location \
  "pip==$PIP_VERSION" "setuptools==$SETUPTOOLS_VERSION" "wheel==$WHEEL_VERSION" \
  || die "could not bootstrap pip"

log "installing pinned packages from ${REQS#"$REPO"/}"
# --no-deps: the file pins the whole closure; --no-build-isolation: build the
# few sdists (wsaccel, autobahn, txaio, PyHamcrest) with the pinned setuptools.
quiet_py2 -m pip install -q --user --no-warn-script-location --no-deps \
  --no-build-isolation --prefer-binary -r "$REQS" || die "pip install failed"
quiet_py2 -m pip check || die "pip check found missing or conflicting packages"

# --- wrapper -----------------------------------------------------------------------
cat >"$WRAPPER" <<EOF
#!/usr/bin/env bash
# Generated by Tools/Autobahn/install.sh: runs Autobahn|Testsuite's wstest with
# Python 2.7 and the packages under .autobahn/py2. Arguments go to wstest;
# \`wstest --self-check\` only checks that the install is importable.
set -euo pipefail
AB_DIR=\$(cd "\$(dirname "\${BASH_SOURCE[0]}")/.." && pwd)
export PYTHONUSERBASE="\$AB_DIR/py2"
unset PYTHONNOUSERSITE PYTHONHOME PYTHONPATH
# cryptography 3.3 warns on every start that Python 2 is deprecated.
export PYTHONWARNINGS=ignore::UserWarning
PY2='$PY2'
if [[ "\${1:-}" == --self-check ]]; then
  exec "\$PY2" -c '
import autobahntestsuite, autobahn, wsaccel
import autobahntestsuite.wstest
from autobahn.websocket import utf8validator, xormasker
# autobahn must have picked up the C accelerated validator and masker.
assert utf8validator.Utf8Validator.__module__.startswith("wsaccel"), utf8validator.Utf8Validator
assert xormasker.createXorMasker.__module__.startswith("wsaccel"), xormasker.createXorMasker.__module__
assert autobahntestsuite.version == "0.8.2", autobahntestsuite.version
assert autobahn.version == "0.10.9", autobahn.version
print("wstest ok: autobahntestsuite %s, autobahn %s, wsaccel %s" % (autobahntestsuite.version, autobahn.version, wsaccel.__version__))
'
fi
exec "\$PY2" "\$PYTHONUSERBASE/bin/wstest" "\$@"
EOF
chmod +x "$WRAPPER"

"$WRAPPER" --self-check || die "self-check failed after install"
echo "$want_hash" >"$STAMP"
log "done: $WRAPPER"
