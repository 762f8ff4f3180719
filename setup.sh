#!/usr/bin/env bash
# One-time set-up on a fresh Debian machine with Python 3.11 and pip (run as root, or with sudo):
# the system libraries WeasyPrint needs, the fonts the examples use, the tools the tests use to
# read outputs back, and drafter itself with its test dependencies.
set -euo pipefail
cd "$(dirname "$0")"

packages=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0   # WeasyPrint (subsetting: 2x faster)
  fontconfig fonts-noto-core fonts-noto-cjk fonts-dejavu-core   # Latin, Greek, Cyrillic, Arabic,
                               # Hebrew, Tibetan (noto-core); Chinese, Japanese, Korean (noto-cjk)
  poppler-utils                # pdftoppm/pdftotext: page images and checks
  qpdf                         # tests: `qpdf --check` on the tagged PDFs
  libreoffice-writer-nogui     # DOCX -> PDF in tests and benchmarks (the office route)
  python3-uno                  # tests read Word list numbers through one LibreOffice process
  default-jre-headless chromium   # tests: the Nu HTML checker (Java) and a headless browser
)
command -v npm >/dev/null || packages+=(npm)   # Debian's, unless a Node.js install brings its own
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
if ((${#missing[@]})); then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The Nu HTML checker, vnu.jar, from the npm registry (its install script would fetch a Java of
# its own; the one above runs it).
[[ -f "$(npm root -g)/vnu-jar/build/dist/vnu.jar" ]] ||
  $SUDO npm install -g -s --ignore-scripts vnu-jar

python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -e '.[test]'
# An editable install leaves drafter's own modules uncompiled, and where PYTHONDONTWRITEBYTECODE
# is set (as on this kind of machine) every command would compile them again: about 0.05 s of
# each cold run. Python checks each file's time stamp, so an edited module is never run stale.
python3 -m compileall -q drafter
