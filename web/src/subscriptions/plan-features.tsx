"use client";

// What a plan includes, as a list (the plans page, the account page).
import { Check, Download, Megaphone, MonitorSmartphone, Sparkles, X } from "lucide-react";

import type { PlanFeatures } from "@/api/types";
import { useT } from "@/i18n";
import { cn } from "@/lib/utils";

/** "720p HD", "1080p Full HD", "4K". */
export function qualityName(height: number): string {
  if (height >= 2160) return "4K";
  if (height >= 1440) return `${height}p QHD`;
  if (height >= 1080) return `${height}p Full HD`;
  if (height >= 720) return `${height}p HD`;
  return `${height}p`;
}

export function PlanFeatureList({ features, className }: { features: PlanFeatures; className?: string }) {
  const t = useT();
  const f = t.plans.features;
  const items = [
    { key: "ads", good: !features.ads, icon: Megaphone, text: features.ads ? f.withAds : f.noAds },
    { key: "streams", good: true, icon: MonitorSmartphone, text: f.streams(features.max_streams) },
    {
      key: "quality",
      good: true,
      icon: Sparkles,
      text: features.max_height == null ? f.bestQuality : f.upTo(qualityName(features.max_height)),
    },
    { key: "downloads", good: features.downloads ?? false, icon: Download, text: features.downloads ? f.downloads : f.noDownloads },
  ];
  return (
    <ul className={cn("grid gap-2.5 text-sm", className)}>
      {items.map(({ key, good, icon: Icon, text }) => (
        <li key={key} className="flex items-center gap-2.5" data-feature={key}>
          {good ? (
            <Check aria-hidden="true" className="size-4 shrink-0 text-emerald-400" />
          ) : (
            <X aria-hidden="true" className="size-4 shrink-0 text-muted-foreground" />
          )}
          <Icon aria-hidden="true" className="size-4 shrink-0 text-muted-foreground" />
          <span className={good ? undefined : "text-muted-foreground"}>{text}</span>
        </li>
      ))}
    </ul>
  );
}
