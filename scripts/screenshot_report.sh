#!/usr/bin/env bash
# Renders the main job's HTML report in headless Chromium and saves a screenshot, to check that
# it opens and shows its charts with nothing fetched from elsewhere.
#
#   scripts/screenshot_report.sh [REPORT_HTML] [PNG]
#   defaults: cinscope-output/report.html -> cinscope-output/report.png
#
# Needs chromium (Debian: apt-get install chromium). Run the main job first (quick start).
set -euo pipefail
REPORT="$(realpath "${1:-cinscope-output/report.html}")"
PNG="${2:-$(dirname "$REPORT")/report.png}"
BROWSER="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [ -z "$BROWSER" ]; then
  echo "no Chromium found: install it (Debian: apt-get install chromium)" >&2
  exit 1
fi
# --no-sandbox: containers often run as root, where Chromium's sandbox refuses to start.
"$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,2600 \
  --screenshot="$PNG" "file://$REPORT" 2>/dev/null
echo "screenshot: $PNG"
