"use client";

import { Sparkles } from "lucide-react";
import Link from "next/link";

import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";

// Subscriptions come with their own issue; until then this page says so plainly.
function Plans() {
  const t = useT();
  return (
    <div className="mx-auto max-w-2xl px-4 py-16 text-center">
      <span className="mx-auto flex size-14 items-center justify-center rounded-full bg-premium text-premium-foreground">
        <Sparkles aria-hidden="true" className="size-7" />
      </span>
      <h1 className="mt-6 text-3xl font-bold">{t.plans.title}</h1>
      <p className="mt-4 text-lg leading-relaxed text-muted-foreground">{t.plans.body}</p>
      <Button asChild className="mt-8">
        <Link href="/browse/">{t.plans.back}</Link>
      </Button>
    </div>
  );
}

export default function PlansPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.plans.title} />
      <Plans />
    </PageBoundary>
  );
}
