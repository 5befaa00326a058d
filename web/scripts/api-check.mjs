// Fails when src/api/schema.d.ts is not what `npm run api:generate` makes of openapi.json.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const scratch = mkdtempSync(join(tmpdir(), "ott-api-check-"));
const fresh = join(scratch, "schema.d.ts");
try {
  execFileSync(
    join(root, "node_modules", ".bin", "openapi-typescript"),
    ["openapi.json", "--output", fresh],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
  const committed = readFileSync(join(root, "src", "api", "schema.d.ts"), "utf8");
  if (readFileSync(fresh, "utf8") !== committed) {
    console.error(
      "src/api/schema.d.ts is stale against openapi.json: run `npm run api:generate` and commit it.",
    );
    process.exit(1);
  }
  console.log("src/api/schema.d.ts matches openapi.json");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
