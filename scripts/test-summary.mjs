// Prints Jest's result file as one plain closing line: "N passed, N failed, N skipped".
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? ".build/jest-results.json";
try {
  const r = JSON.parse(readFileSync(file, "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
} catch {
  console.log(`test summary: no results in ${file} (Jest did not finish)`);
}
