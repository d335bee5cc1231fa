#!/usr/bin/env bash
# The HTML timeline as a browser renders it: plays a scenario that fails on purpose, writes its
# timeline, loads the page in headless Chromium and checks the rendered DOM: the failure is marked
# in the diagram (with the expectation that matched and the nearest candidate), the summary links
# to it, and the page's own script found every in-page link's target (data-links="ok").
# Usage: timeline_dom_check.sh IOCPSIM CHROMIUM SCENARIO OUT_DIR
set -euo pipefail
iocpsim="$1" chromium="$2" scenario="$3" out="$4"
mkdir -p "$out"
page="$out/timeline-dom.html"
rc=0
"$iocpsim" run "$scenario" --world sim --timeline "$page" >"$out/timeline-dom.run.txt" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || { echo "iocpsim run exited $rc, expected 1 (the scenario fails on purpose)"; cat "$out/timeline-dom.run.txt"; exit 1; }
# --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
"$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --user-data-dir="$out/chromium-profile" \
  --dump-dom "file://$page" >"$out/timeline-dom.dom.html" 2>"$out/timeline-dom.chromium.txt"
dom="$out/timeline-dom.dom.html"
check() {
  grep -q -- "$1" "$dom" || { echo "the rendered DOM has no $2 (looked for: $1); page: $page"; exit 1; }
  echo "ok: $2"
}
check 'data-links="ok"' "broken in-page link (the page's script ran and found every target)"
check '<text class="mark mark-failed" id="r0-failure"' "failure marker in the diagram"
check 'class="goto-failure" href="#r0-failure"' "link from the summary to the failure"
check '<text class="mark mark-matched"' "mark of the expectation that matched"
check 'mark-nearest[^>]*>[^<]*fields.code: expected = 9, got 7' "nearest candidate with the field that differed"
check 'GQCS TRUE\|entry [0-9]* B' "completion showing what GQCS returned"
