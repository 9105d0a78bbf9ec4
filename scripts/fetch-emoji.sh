#!/usr/bin/env bash
# Fetches a small real image–text dataset from npm and writes a Scar manifest for it:
#   emoji-datasource-google (the Google emoji set: 64-px PNGs and each emoji's name, category and subcategory)
#   emojilib (English keywords per emoji).
# Output (git-ignored): data/emoji/manifest.jsonl, one line per PNG (3,786 with the skin-tone variations):
#   {"id":"1f600","image":"google/img/google/64/1f600.png","captions":["grinning face","face smile happy ..."],
#    "labels":{"category":"Smileys & Emotion","subcategory":"face-smiling"}}
# Usage: scripts/fetch-emoji.sh [DIR]   (default data/emoji; needs npm and node; idempotent)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-data/emoji}
mkdir -p "$dir"
if [ -s "$dir/manifest.jsonl" ] && [ -d "$dir/google/img/google/64" ]; then
  echo "emoji data already in $dir ($(wc -l < "$dir/manifest.jsonl") records)" >&2
  exit 0
fi
command -v npm >/dev/null && command -v node >/dev/null || { echo "error: npm and node are needed (apt-get install -y npm)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent emoji-datasource-google@16.0.0 emojilib@4.0.3 >/dev/null)
mkdir -p "$dir/google" "$dir/emojilib"
tar xzf "$tmp"/emoji-datasource-google-*.tgz -C "$dir/google" --strip-components=1 package/emoji.json package/LICENSE package/img/google/64
tar xzf "$tmp"/emojilib-*.tgz -C "$dir/emojilib" --strip-components=1 package/dist/emoji-en-US.json package/LICENSE
node - "$dir" <<'JS'
const fs = require('fs'), path = require('path');
const dir = process.argv[2];
const emoji = JSON.parse(fs.readFileSync(path.join(dir, 'google/emoji.json'), 'utf8'));
const keywords = JSON.parse(fs.readFileSync(path.join(dir, 'emojilib/dist/emoji-en-US.json'), 'utf8'));
const chars = u => String.fromCodePoint(...u.split('-').map(h => parseInt(h, 16)));
const tones = { '1F3FB': 'light skin tone', '1F3FC': 'medium-light skin tone', '1F3FD': 'medium skin tone', '1F3FE': 'medium-dark skin tone', '1F3FF': 'dark skin tone' };
const lines = [];
const add = (unified, image, name, base) => {
  const file = path.join('google/img/google/64', image);
  if (!fs.existsSync(path.join(dir, file))) return;
  const kw = keywords[chars(base.unified)] || (base.non_qualified && keywords[chars(base.non_qualified)]) || [];
  const words = kw.map(k => k.replace(/_/g, ' ')).filter(k => k.toLowerCase() !== name);
  const captions = [name];
  if (words.length > 0) captions.push(words.join(' '));
  lines.push(JSON.stringify({ id: unified.toLowerCase(), image: file, captions, labels: { category: base.category, subcategory: base.subcategory } }));
};
for (const e of emoji.sort((a, b) => a.sort_order - b.sort_order)) {
  const name = (e.name || e.short_name.replace(/_/g, ' ')).toLowerCase();
  add(e.unified, e.image, name, e);
  for (const [key, v] of Object.entries(e.skin_variations || {})) {
    const tone = key.split('-').map(t => tones[t]).filter(Boolean).join(', ');
    add(v.unified, v.image, `${name}: ${tone}`, e);
  }
}
fs.writeFileSync(path.join(dir, 'manifest.jsonl'), lines.join('\n') + '\n');
console.error(`wrote ${lines.length} records to ${path.join(dir, 'manifest.jsonl')}`);
JS
