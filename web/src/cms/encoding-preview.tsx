"use client";

import { useEffect, useRef, useState } from "react";

import { useI18n } from "@/i18n";
import { SOURCE_TYPES } from "@/player/sources";
import type { Quality } from "@/player/types";
import { VideoPlayer } from "@/player/VideoPlayer";

import type { Encoding } from "./types";

function qualitiesOf(encoding: Encoding): Quality[] {
  const renditions = encoding.result?.renditions;
  if (!Array.isArray(renditions)) return [];
  return renditions.flatMap((r: unknown) => {
    if (typeof r !== "object" || r === null) return [];
    const { quality, width, height, bandwidth } = r as Record<string, unknown>;
    return typeof quality === "string" && typeof width === "number" && typeof height === "number"
      ? [{ quality, width, height, bandwidth: typeof bandwidth === "number" ? bandwidth : 0 }]
      : [];
  });
}

// The signed part of a media URL: /s/<token>/<expires>/ (ott.core.signing).
const SIGNED = /\/s\/[A-Za-z0-9_-]{22}\/[0-9]{1,12}\//;

function signedPart(url: string): string | null {
  return SIGNED.exec(url)?.[0] ?? null;
}

/**
 * A finished encoding played from its signed preview URLs (GET /api/cms/encodings/{id} answers
 * them to whoever edits the title). Before they expire `onExpired` fetches fresh ones, whose
 * token is swapped into every later request: the player keeps playing, it is not reloaded.
 */
export function EncodingPreview({ encoding, onExpired }: { encoding: Encoding; onExpired: () => void }) {
  const { t } = useI18n();
  const preview = encoding.preview;
  const expiresAt = preview ? new Date(preview.expires_at).getTime() : 0;
  // The first URLs stay the player's source; later tokens only rewrite its requests.
  const [first] = useState(preview);
  const latest = useRef<string | null>(null);
  latest.current = preview ? signedPart(preview.master_playlist_url) : null;

  useEffect(() => {
    if (!expiresAt) return;
    // A little early, so segments fetched near the end are still under a valid token.
    const wait = Math.max(0, expiresAt - Date.now() - 15_000);
    const timer = setTimeout(onExpired, wait);
    return () => clearTimeout(timer);
  }, [expiresAt, onExpired]);

  if (!first) return null;
  return (
    <div className="grid gap-2" data-testid="cms-preview">
      <h4 className="font-semibold">{t.cms.video.previewTitle}</h4>
      <VideoPlayer
        className="aspect-video w-full max-w-3xl rounded-lg"
        source={{ url: first.master_playlist_url, type: SOURCE_TYPES.hls }}
        title={t.cms.video.previewTitle}
        rewriteUrl={(url) => (latest.current ? url.replace(SIGNED, latest.current) : url)}
        subtitles={first.subtitles.map((s) => ({ language: s.language, label: s.label ?? s.language, url: s.url }))}
        thumbnailsUrl={first.thumbnails_url}
        qualities={qualitiesOf(encoding)}
        shortcutScope="player"
      />
    </div>
  );
}
