// How the contracts count "characters": Unicode code points, so that "😀" is one character
// (two UTF-16 units in a JS string) and a limit means the same in every language's client.

/** Length of `s` in Unicode code points. */
export function characterCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
