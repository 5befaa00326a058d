"use client";

import { FilePlus2, ListVideo, Upload } from "lucide-react";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";

import { ErrorNotice } from "@/components/error-notice";
import { Card, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useT } from "@/i18n";
import { cn } from "@/lib/utils";
import { useAccountGate } from "@/session/gate";
import type { SignedIn } from "@/session/SessionProvider";

import { hasRole, isStaff } from "./workflow";

function StudioNav({ canCreate }: { canCreate: boolean }) {
  const t = useT();
  const pathname = usePathname();
  const editing = useSearchParams().has("id");
  const path = pathname.endsWith("/") ? pathname : `${pathname}/`;
  const items = [
    { href: "/cms/", label: t.cms.titles, icon: ListVideo, current: path === "/cms/" },
    { href: "/cms/edit/", label: t.cms.newTitle, icon: FilePlus2, current: path === "/cms/edit/" && !editing },
    { href: "/cms/import/", label: t.cms.import, icon: Upload, current: path === "/cms/import/" },
  ].filter((item) => canCreate || item.href === "/cms/");
  return (
    <nav aria-label={t.cms.navLabel} className="border-b border-border">
      <ul className="mx-auto flex max-w-6xl gap-1 overflow-x-auto px-4 sm:px-8">
        {items.map(({ href, label, icon: Icon, current }) => (
          <li key={href}>
            <Link
              href={href}
              aria-current={current ? "page" : undefined}
              data-testid={`cms-nav-${href.split("/").filter(Boolean).at(-1)}`}
              className={cn(
                "flex items-center gap-2 whitespace-nowrap border-b-2 border-transparent px-3 py-3 text-sm font-medium text-muted-foreground hover:text-foreground",
                "aria-[current=page]:border-primary aria-[current=page]:text-foreground",
              )}
            >
              <Icon aria-hidden="true" className="size-4" />
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * Every studio page: the signed-in account if it holds an editorial role (else a notice, or on
 * the way to sign-in) and the studio's navigation. Use inside <Suspense>; the page's <PageTitle>
 * goes outside it.
 */
export function Studio({ children }: { children: (session: SignedIn) => ReactNode }) {
  const t = useT();
  const gate = useAccountGate();
  let body: ReactNode;
  if (gate.kind === "waiting") {
    body = (
      <div className="grid gap-4" aria-busy="true">
        <span className="sr-only" role="status">
          {t.common.loading}
        </span>
        <Skeleton className="h-10 w-64" />
        <Skeleton className="h-64 w-full" />
      </div>
    );
  } else if (gate.kind === "error") {
    body = <ErrorNotice error={gate.error} onRetry={gate.retry} />;
  } else if (!isStaff(gate.session.user)) {
    body = (
      <Card data-testid="cms-no-access">
        <CardHeader>
          <CardTitle>{t.cms.noAccess}</CardTitle>
          <CardDescription>{t.cms.noAccessBody}</CardDescription>
        </CardHeader>
      </Card>
    );
  } else {
    body = children(gate.session);
  }
  return (
    <div data-testid="cms-studio">
      {/* Creating and importing titles is for editors (reviewers review). */}
      <StudioNav canCreate={gate.kind !== "ready" || hasRole(gate.session.user, "editor")} />
      <div className="mx-auto max-w-6xl px-4 py-6 sm:px-8">{body}</div>
    </div>
  );
}

export function StudioSkeleton() {
  return (
    <div className="mx-auto max-w-6xl px-4 py-6 sm:px-8" aria-busy="true">
      <Skeleton className="h-10 w-64" />
    </div>
  );
}
