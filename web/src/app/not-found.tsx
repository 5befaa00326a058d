"use client";

import Link from "next/link";

import { PageTitle } from "@/components/page-title";
import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";

export default function NotFound() {
  const t = useT();
  return (
    <div className="mx-auto max-w-xl px-4 py-24 text-center">
      <PageTitle select={(t) => t.notFound.title} />
      <h1 className="text-3xl font-bold">{t.notFound.title}</h1>
      <p className="mt-3 text-muted-foreground">{t.notFound.body}</p>
      <Button asChild className="mt-8">
        <Link href="/">{t.notFound.home}</Link>
      </Button>
    </div>
  );
}
