"use client";

import { Suspense, type ReactNode } from "react";

import { BottomNav, Footer, Header, SkipLink } from "@/components/header";
import { ProfileGuard } from "@/session/gate";
import { SessionProvider } from "@/session/SessionProvider";
import { PaymentBanner } from "@/subscriptions/payment-banner";

export function Providers({ children }: { children: ReactNode }) {
  return (
    <SessionProvider>
      <Suspense fallback={null}>
        <ProfileGuard />
      </Suspense>
      <SkipLink />
      <Header />
      <PaymentBanner />
      <main id="main" tabIndex={-1} className="min-h-[70dvh] focus:outline-none">
        {children}
      </main>
      <Footer />
      <BottomNav />
    </SessionProvider>
  );
}
