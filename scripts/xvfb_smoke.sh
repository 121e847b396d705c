#!/usr/bin/env bash
# Start the installed app in a real X window on Xvfb, as a user would: press Ctrl+T to
# train, wait, take a screenshot of the whole screen, draw a stroke on the Draw tab, quit
# with Ctrl+Q. Needs: apt-get install xvfb xauth xdotool imagemagick (+ the xcb libraries
# listed in the README). Usage: scripts/xvfb_smoke.sh [outdir]
set -euo pipefail
out="${1:-/tmp/mnist-gui-smoke}"
mkdir -p "$out"
export XDG_CONFIG_HOME="$out/config"   # a new user's settings
xvfb-run -a -s "-screen 0 1600x1000x24" bash -c '
  set -euo pipefail
  out="$1"
  start=$(date +%s.%N)
  mnist-gui > "$out/app.log" 2>&1 &
  app=$!
  for i in $(seq 1 100); do
    win=$(xdotool search --onlyvisible --name "mnist-gui" 2>/dev/null | head -1 || true)
    [ -n "$win" ] && break
    sleep 0.1
  done
  [ -n "$win" ] || { echo "no window"; kill $app; exit 1; }
  echo "window after $(echo "$(date +%s.%N) - $start" | bc) s"
  sleep 1
  import -window root "$out/1-launched.png"
  xdotool windowfocus --sync "$win" key ctrl+t
  sleep 12
  import -window root "$out/2-trained.png"
  xdotool windowfocus --sync "$win" key ctrl+4   # View > Draw
  sleep 1
  eval "$(xdotool getwindowgeometry --shell "$win")"
  xdotool mousemove $((X + 700)) $((Y + 250)) mousedown 1
  for d in $(seq 0 10 300); do xdotool mousemove $((X + 700)) $((Y + 250 + d)); done
  xdotool mouseup 1
  sleep 1
  import -window root "$out/3-drawn.png"
  xdotool windowfocus --sync "$win" key ctrl+q
  wait $app && echo "app exited cleanly: $?"
' _ "$out"
ls -la "$out"
