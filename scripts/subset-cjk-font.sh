#!/usr/bin/env bash
# Rebuilds assets/fonts/NotoSansSC-ProxyTrust-subset.otf: Noto Sans CJK SC (SIL Open Font
# License 1.1, Debian package fonts-noto-cjk) cut down to the characters the Chinese UI uses
# (src/gui/i18n.rs) plus CJK punctuation and ASCII, so the window renders Chinese on machines
# without CJK fonts while the binary grows by tens of kilobytes, not megabytes.
#
# Run after adding or changing a Chinese string (tests/i18n.rs fails until you do):
#   apt-get install -y fonts-noto-cjk && scripts/subset-cjk-font.sh
set -euo pipefail
cd "$(dirname "$0")/.."
src=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
[ -f "$src" ] || { echo "missing $src: apt-get install -y fonts-noto-cjk" >&2; exit 2; }
py="$(bash tests/e2e/venv.sh fonttools fonttools==4.60.1)"
chars="$(mktemp)"
trap 'rm -f "$chars"' EXIT
# Every non-ASCII character of the translation table, plus ASCII and common CJK punctuation.
"$py" - "$chars" <<'PY'
import sys
text = open("src/gui/i18n.rs", encoding="utf-8").read()
extra = "，。、：；？！（）《》“”‘’…—·「」【】"
chars = sorted({c for c in text + extra if ord(c) > 0x7F} | {chr(c) for c in range(0x20, 0x7F)})
open(sys.argv[1], "w", encoding="utf-8").write("".join(chars))
PY
# In the collection, face 2 is Simplified Chinese (JP, KR, SC, TC, HK).
"$py" -m fontTools.subset "$src" --font-number=2 --text-file="$chars" \
  --output-file=assets/fonts/NotoSansSC-ProxyTrust-subset.otf \
  --layout-features='*' --name-IDs='*' --name-languages='*' --no-hinting
ls -l assets/fonts/NotoSansSC-ProxyTrust-subset.otf
