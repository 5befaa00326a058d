"use client";

// Under the site header, on every page, while the account's payment is failing: the grace
// period ("update by …", the plan is kept) or the hold after it (back on Free, with ads).
import { AlertTriangle } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";

import { useI18n } from "@/i18n";

import { useEntitlement } from "./use-entitlement";

export function PaymentBanner() {
  const { t, formatDate } = useI18n();
  const entitlement = useEntitlement();
  const pathname = usePathname();
  if (entitlement === null) return null;
  const { reason, until } = entitlement;
  if (reason !== "grace_period" && reason !== "payment_hold") return null;
  const text = reason === "grace_period" && until ? t.billing.graceBanner(formatDate(until)) : t.billing.holdBanner;
  const onAccount = pathname.startsWith("/account");
  return (
    <div role="status" className="border-b border-amber-400/40 bg-amber-400/15 text-amber-100" data-testid="payment-banner" data-reason={reason}>
      <div className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2.5 text-sm sm:px-8">
        <AlertTriangle aria-hidden="true" className="size-4 shrink-0 text-amber-300" />
        <p className="font-medium">{text}</p>
        {onAccount ? null : (
          <Link href="/account/" className="font-semibold text-amber-200 underline underline-offset-4 hover:text-white">
            {t.billing.bannerAction}
          </Link>
        )}
      </div>
    </div>
  );
}
