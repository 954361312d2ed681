#!/usr/bin/env bash
# Renders the app and tray icons in this folder with ImageMagick 6 (convert): a rounded
# indigo square holding a speech bubble with three typing dots. Usage: icons/render.sh [OUT_DIR]
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")" && pwd)}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
S=1024
# Tile: a rounded square with a diagonal indigo-to-blue gradient.
convert -size ${S}x${S} gradient:'#4f6bff-#2a2f9e' -distort SRT 45 "$tmp/grad.png"
convert -size ${S}x${S} xc:none -fill white -draw "roundrectangle 64,64 960,960 210,210" "$tmp/mask.png"
convert "$tmp/grad.png" "$tmp/mask.png" -alpha off -compose CopyOpacity -composite "$tmp/tile.png"
# Speech bubble with a tail, and three "typing" dots cut in the tile's colour.
convert -size ${S}x${S} xc:none -fill white \
  -draw "roundrectangle 214,250 810,690 140,140" \
  -draw "polygon 330,640 286,820 500,680" "$tmp/bubble.png"
convert "$tmp/tile.png" "$tmp/bubble.png" -compose Over -composite \
  -fill '#3a4bd0' -draw "circle 362,470 362,524" -draw "circle 512,470 512,524" -draw "circle 662,470 662,524" \
  "$tmp/icon-1024.png"
convert "$tmp/icon-1024.png" -resize 512x512 -strip -depth 8 PNG32:"$out/icon.png"
convert "$tmp/icon-1024.png" -resize 256x256 -strip -depth 8 PNG32:"$out/128x128@2x.png"
convert "$tmp/icon-1024.png" -resize 128x128 -strip -depth 8 PNG32:"$out/128x128.png"
convert "$tmp/icon-1024.png" -resize 32x32 -strip -depth 8 PNG32:"$out/32x32.png"
# Tray: the same mark at panel size (panels scale it down to 16-24 px).
convert "$tmp/icon-1024.png" -resize 64x64 -strip -depth 8 PNG32:"$out/tray.png"
# Tray while offers wait: the same mark with a red dot in its top right corner, since
# Linux panels cannot badge a tray icon.
convert "$tmp/icon-1024.png" -fill '#e5484d' -stroke white -strokewidth 40 \
  -draw "circle 800,224 800,404" -resize 64x64 -strip -depth 8 PNG32:"$out/tray-alert.png"
