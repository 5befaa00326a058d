"use client";

import { useSearchParams } from "next/navigation";
import { Suspense } from "react";

import { Studio, StudioSkeleton } from "@/cms/studio";
import { NewTitle, TitleEditor } from "@/cms/title-editor";
import { hasRole } from "@/cms/workflow";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { useT } from "@/i18n";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function EditPage() {
  const t = useT();
  const id = useSearchParams().get("id");
  const editing = id !== null && UUID.test(id);
  return (
    <Studio>
      {(session) => {
        if (editing) return <TitleEditor key={id} id={id} caller={session.user} />;
        if (id !== null) return <p data-testid="cms-bad-id">{t.errors.notFound}</p>;
        if (!hasRole(session.user, "editor")) return <p data-testid="cms-editors-only">{t.cms.edit.editorsOnly}</p>;
        return <NewTitle />;
      }}
    </Studio>
  );
}

export default function CmsEditPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.cms.nav} />
      <Suspense fallback={<StudioSkeleton />}>
        <EditPage />
      </Suspense>
    </PageBoundary>
  );
}
