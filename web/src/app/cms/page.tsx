"use client";

import { Suspense } from "react";

import { StudioSkeleton, Studio } from "@/cms/studio";
import { TitleList } from "@/cms/title-list";
import { PageBoundary } from "@/components/page-boundary";
import { useT } from "@/i18n";

function StudioHome() {
  const t = useT();
  return <Studio title={t.cms.titles}>{() => <TitleList />}</Studio>;
}

export default function CmsPage() {
  return (
    <PageBoundary>
      <Suspense fallback={<StudioSkeleton />}>
        <StudioHome />
      </Suspense>
    </PageBoundary>
  );
}
