/**
 * "Did you mean": the known word closest to a mistyped one (case-insensitive edit distance), when it is close
 * enough to be the likely intent — at most 2 edits, or a third of the word for longer ones.
 */
import { distance } from 'fastest-levenshtein';

export function closestWord(input: string, known: readonly string[]): string | undefined {
  const typed = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const word of known) {
    const d = distance(typed, word.toLowerCase());
    if (d < bestDistance) {
      best = word;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(typed.length / 3)) ? best : undefined;
}

/** `; did you mean "x"?` or nothing. */
export function didYouMean(input: string, known: readonly string[]): string {
  const word = closestWord(input, known);
  return word === undefined ? '' : `; did you mean "${word}"?`;
}
