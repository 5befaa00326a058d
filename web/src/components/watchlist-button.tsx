"use client";

import { Check, Plus } from "lucide-react";
import { useState } from "react";

import { succeed, unwrap } from "@/api/client";
import { ErrorNotice } from "@/components/error-notice";
import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";

/** Adds the title to the profile's list or takes it off; shows whether it is on it. */
export function WatchlistButton({ contentId, profileId }: { contentId: string; profileId: string }) {
  const t = useT();
  const list = useResource(`watchlist:${profileId}`, (signal) =>
    unwrap(api.GET("/api/activity/watchlist", { signal })),
  );
  const [override, setOverride] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const listed = override ?? (list.data?.items.some((item) => item.content_id === contentId) ?? false);

  async function toggle() {
    setBusy(true);
    setError(null);
    try {
      if (listed) {
        await succeed(
          api.DELETE("/api/activity/watchlist/{content_id}", { params: { path: { content_id: contentId } } }),
        );
      } else {
        await unwrap(api.POST("/api/activity/watchlist", { body: { content_id: contentId } }));
      }
      setOverride(!listed);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button
        size="lg"
        variant="secondary"
        onClick={() => void toggle()}
        disabled={busy || list.status === "loading"}
        title={listed ? t.title.removeFromList : undefined}
      >
        {listed ? <Check aria-hidden="true" /> : <Plus aria-hidden="true" />}
        {listed ? t.title.inList : t.title.addToList}
      </Button>
      {error || list.status === "error" ? (
        <ErrorNotice error={error ?? list.error} className="basis-full" />
      ) : null}
    </>
  );
}
