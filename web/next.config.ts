import type { NextConfig } from "next";

// A static export: the gateway serves `out/` (no Node server in production), so every
// dynamic page takes its ids from the query string (`/title/?id=`).
const config: NextConfig = {
  output: "export",
  trailingSlash: true,
  images: { unoptimized: true },
  reactStrictMode: true,
  poweredByHeader: false,
};

export default config;
