"use client";

import { Suspense } from "react";

import { StudioSkeleton, Studio } from "@/cms/studio";
import { TitleList } from "@/cms/title-list";
import { hasRole } from "@/cms/workflow";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";

function StudioHome() {
  return <Studio>{(session) => <TitleList canCreate={hasRole(session.user, "editor")} />}</Studio>;
}

export default function CmsPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => `${t.cms.titles} · ${t.cms.nav}`} />
      <Suspense fallback={<StudioSkeleton />}>
        <StudioHome />
      </Suspense>
    </PageBoundary>
  );
}
