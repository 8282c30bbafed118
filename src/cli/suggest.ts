/** Optimal string alignment distance (Levenshtein plus swapped neighbours: "sesions", "sessoins"). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The command `word` most likely meant: a close spelling or an unambiguous prefix; null if none is close. */
export function closestCommand(word: string, names: string[]): string | null {
  const w = word.toLowerCase();
  const prefixed = names.filter((n) => w.length >= 2 && n.startsWith(w));
  if (prefixed.length === 1) return prefixed[0]!;
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const n of names) {
    const dist = editDistance(w, n);
    if (dist < bestDistance) {
      best = n;
      bestDistance = dist;
    }
  }
  // Within a third of the word (at least 1, at most 3 edits), as git and commander do roughly.
  const allowed = Math.min(3, Math.max(1, Math.floor(Math.max(w.length, 3) / 3)));
  return best !== null && bestDistance <= allowed ? best : null;
}
