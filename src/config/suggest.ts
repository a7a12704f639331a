/** "did you mean" for unknown names: the closest known names within a small edit distance. */
export function suggest(name: string, known: Iterable<string>): string {
  const limit = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  let best: string[] = [];
  let bestD = limit + 1;
  for (const k of known) {
    const d = distance(name.toLowerCase(), k.toLowerCase(), bestD);
    if (d < bestD) {
      best = [k];
      bestD = d;
    } else if (d === bestD) {
      best.push(k);
    }
  }
  return bestD <= limit ? ` (did you mean ${best.map((b) => `"${b}"`).join(' or ')}?)` : '';
}

/** Levenshtein distance, giving up early once every path exceeds `cap`. */
function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > cap) return cap + 1;
    prev = cur;
  }
  return prev[b.length]!;
}
