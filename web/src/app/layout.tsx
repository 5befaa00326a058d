import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import { en } from "@/i18n/en";

import "./globals.css";
import { Providers } from "./providers";

export const metadata: Metadata = {
  description: en.meta.description,
  icons: { icon: "/favicon.svg" },
};

export const viewport: Viewport = {
  themeColor: "#0b0d12",
  colorScheme: "dark",
  width: "device-width",
  initialScale: 1,
};

// The page is static: the language follows the profile once the app has read the session in
// the browser, and `<html lang>` with it (see I18nProvider).
export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
