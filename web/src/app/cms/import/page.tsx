"use client";

import { Suspense } from "react";

import { BulkImport } from "@/cms/bulk-import";
import { Studio, StudioSkeleton } from "@/cms/studio";
import { hasRole } from "@/cms/workflow";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { useT } from "@/i18n";

function ImportPage() {
  const t = useT();
  return (
    <Studio>
      {(session) =>
        hasRole(session.user, "editor") ? (
          <BulkImport caller={session.user} />
        ) : (
          <p data-testid="cms-editors-only">{t.cms.edit.editorsOnly}</p>
        )
      }
    </Studio>
  );
}

export default function CmsImportPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => `${t.cms.import} · ${t.cms.nav}`} />
      <Suspense fallback={<StudioSkeleton />}>
        <ImportPage />
      </Suspense>
    </PageBoundary>
  );
}
