"use client";

// "Too many streams": the account's streams that hold its leases, each with a way to stop it
// so this device can start.
import { MonitorPlay } from "lucide-react";
import { useState } from "react";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { FormError } from "@/components/error-notice";
import { useI18n } from "@/i18n";

import type { ActiveStream, ActiveStreams } from "./types";

/** The streams listed in a 409 stream_limit_reached answer's details, if they are there. */
export function activeStreamsOf(details: unknown): ActiveStreams | null {
  if (typeof details !== "object" || details === null) return null;
  const { limit, streams } = details as Partial<ActiveStreams>;
  if (typeof limit !== "number" || !Array.isArray(streams)) return null;
  return { limit, streams };
}

export function StreamLimitDialog({
  streams,
  onStop,
  onCancel,
}: {
  streams: ActiveStreams;
  /** Stops one stream; resolves once it is stopped (the caller then starts again). */
  onStop: (stream: ActiveStream) => Promise<void>;
  onCancel: () => void;
}) {
  const { t, formatDateTime } = useI18n();
  const [stopping, setStopping] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const deviceOf = (stream: ActiveStream) =>
    stream.device.name || (t.player.deviceTypes as Record<string, string>)[stream.device.type] || t.player.deviceTypes.other;

  return (
    <Dialog open onOpenChange={(open) => (open ? undefined : onCancel())}>
      <DialogContent closeLabel={t.common.close} data-testid="stream-limit-dialog">
        <DialogHeader>
          <DialogTitle>{t.player.tooManyStreams}</DialogTitle>
          <DialogDescription>{t.player.tooManyStreamsBody(streams.limit)}</DialogDescription>
        </DialogHeader>
        <ul className="grid gap-3">
          {streams.streams.map((stream) => {
            const device = deviceOf(stream);
            const type = (t.player.deviceTypes as Record<string, string>)[stream.device.type] ?? stream.device.type;
            const watching = stream.episode_title ? `${stream.title}: ${stream.episode_title}` : stream.title;
            return (
              <li
                key={stream.session_id}
                className="flex flex-wrap items-center gap-3 rounded-lg border border-border bg-card p-3"
                data-testid="stream-limit-device"
              >
                <MonitorPlay aria-hidden="true" className="size-6 shrink-0 text-muted-foreground" />
                <div className="min-w-0 flex-1">
                  <p className="font-semibold">{device}</p>
                  <p className="text-sm text-muted-foreground">
                    {type} · {t.player.streamSince(formatDateTime(stream.started_at))}
                  </p>
                  <p className="truncate text-sm text-muted-foreground">{t.player.streamWatching(watching)}</p>
                </div>
                <Button
                  variant="secondary"
                  size="sm"
                  disabled={stopping !== null}
                  aria-label={t.player.stopStreamOn(device)}
                  data-testid="stream-limit-stop"
                  onClick={() => {
                    setStopping(stream.session_id);
                    setError(null);
                    onStop(stream)
                      .catch((cause: unknown) => setError(cause))
                      .finally(() => setStopping(null));
                  }}
                >
                  {stopping === stream.session_id ? t.player.stopping : t.player.stopThisOne}
                </Button>
              </li>
            );
          })}
        </ul>
        <FormError error={error} />
      </DialogContent>
    </Dialog>
  );
}
