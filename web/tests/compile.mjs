// Compiles the framework-free API client (src/api/*.ts) to plain ES modules in tests/.build/,
// so node's test runner can import it without a bundler.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import ts from "typescript";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const source = join(root, "src", "api");

export function compileApi() {
  // Inside web/ (so the client's imports, openapi-fetch, resolve from node_modules) and under
  // tests/, which the run command's check for changed sources leaves out.
  const out = join(root, "tests", ".build", "api");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const name of readdirSync(source)) {
    if (!name.endsWith(".ts") || name.endsWith(".d.ts")) continue;
    const { outputText } = ts.transpileModule(readFileSync(join(source, name), "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    // Relative imports name files without an extension (bundler style); Node needs one.
    const text = outputText.replace(/from "(\.\/[^"]+)"/g, 'from "$1.js"');
    writeFileSync(join(out, name.replace(/\.ts$/, ".js")), text);
  }
  return (name) => import(pathToFileURL(join(out, `${name}.js`)).href);
}
