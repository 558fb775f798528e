// Run by the memory benchmark as a fresh Node process, with the V8 flags of the process it stands
// for and --expose-gc: imports the modules named on its command line one after another, as that
// process's start does, and prints what it holds after each, once V8 has collected what the import
// left behind.
// Each argument is "label=specifier" (a package name or a file URL).
import { memoryOf } from "./process-memory.js";

export interface ImportStep {
  readonly label: string;
  readonly rssMiB: number;
  readonly heapMiB: number;
}

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --expose-gc");

const settled = async (label: string): Promise<ImportStep> => {
  // What an import started (timers, first compilations) settles, then a full GC.
  await new Promise((r) => setTimeout(r, 200));
  gc();
  return { label, rssMiB: memoryOf(process.pid).rssMiB, heapMiB: process.memoryUsage().heapUsed / 2 ** 20 };
};

const steps: ImportStep[] = [await settled("Node itself")];
for (const argument of process.argv.slice(2)) {
  const at = argument.indexOf("=");
  await import(argument.slice(at + 1));
  steps.push(await settled(argument.slice(0, at)));
}
process.stdout.write(`${JSON.stringify(steps)}\n`);
