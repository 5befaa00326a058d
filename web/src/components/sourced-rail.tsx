"use client";

import type { ContentSummary } from "@/api/types";
import { ErrorNotice } from "@/components/error-notice";
import { useResource } from "@/lib/use-resource";

import { RailSkeleton, TitleRail } from "./rail";

/**
 * A shelf fed by any loader of titles. The home page lists its shelves as sources; the
 * recommendation shelves (a later issue) are more sources of the same shape.
 */
export interface RailSource {
  /** Stable and unique on the page; a change of key loads again. */
  key: string;
  title: string;
  load: (signal: AbortSignal) => Promise<ContentSummary[]>;
}

export function SourcedRail({ source }: { source: RailSource }) {
  const titles = useResource(source.key, source.load);
  if (titles.status === "loading") return <RailSkeleton />;
  if (titles.status === "error") {
    return (
      <div className="px-4 sm:px-8">
        <h2 className="mb-3 text-lg font-bold sm:text-xl">{source.title}</h2>
        <ErrorNotice compact error={titles.error} onRetry={titles.reload} />
      </div>
    );
  }
  return <TitleRail title={source.title} titles={titles.data} />;
}
