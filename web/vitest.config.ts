import { fileURLToPath } from "node:url";

import { defineConfig } from "vitest/config";

// Unit tests of framework-free code (the player's controller and its helpers), in Node.
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
