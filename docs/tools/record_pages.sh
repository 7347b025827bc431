#!/bin/sh
# Page images of the demo documentation for docs/record.md: a fresh demo workshop with results
# (`run.py demo --with-results`) in a throw-away database, its PDF (`run.py report`), and the
# pages named below as PNG (pdftoppm, 60 dpi). Run from the repository root:
#   sh docs/tools/record_pages.sh
set -eu
PYTHON=${PYTHON:-.venv/bin/python}
OUT=docs/record
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export DATABASE_URL="sqlite:///$WORK/demo.db" INSTANCE_PATH="$WORK/instance" SECRET_KEY=docs \
       PUBLIC_URL=http://192.0.2.10:5000
code=$("$PYTHON" run.py demo --with-results --json | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["join_code"])')
"$PYTHON" run.py report "$code" --format pdf -o "$WORK/record.pdf"
mkdir -p "$OUT"
rm -f "$OUT"/page-*.png
pdftoppm -png -r 60 "$WORK/record.pdf" "$OUT/page"
pages=$(ls "$OUT"/page-*.png | wc -l)
echo "$pages pages in $OUT"
