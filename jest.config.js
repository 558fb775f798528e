// One Jest run for the whole repository: ESM TypeScript transpiled by swc (type checking is
// `tsc -b`'s job). Workspace packages are imported from their built dist/, as at run time.
import { existsSync } from "node:fs";

/** @type {import('jest').Config} */
export default {
  testEnvironment: "node",
  roots: ["packages", "services", "tests", "web"].filter((dir) => existsSync(dir)).map((dir) => `<rootDir>/${dir}`),
  testMatch: ["**/test/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  extensionsToTreatAsEsm: [".ts"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2023", keepClassNames: true }, module: { type: "es6" } },
    ],
  },
  // Sources import siblings as "./x.js" (NodeNext); map those to the .ts files Jest transforms.
  moduleNameMapper: { "^(\\.{1,2}/.*)\\.js$": "$1" },
  testTimeout: 30_000,
};
