"use client";

import { Pencil, Plus } from "lucide-react";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState } from "react";

import { MAX_PROFILES, type Profile } from "@/api/types";
import { ErrorNotice } from "@/components/error-notice";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { ProfileForm } from "@/components/profile-form";
import { defaultAvatar, ProfileAvatar } from "@/components/profile-avatar";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Skeleton } from "@/components/ui/skeleton";
import { useT } from "@/i18n";
import { cn } from "@/lib/utils";
import { safeNext, useAccountGate } from "@/session/gate";
import { useSession } from "@/session/SessionProvider";

type Editing = { kind: "new" } | { kind: "edit"; profile: Profile } | null;

function PickerSkeleton() {
  return (
    <div className="mx-auto flex max-w-4xl flex-wrap justify-center gap-6 px-4 py-16" aria-hidden="true">
      {Array.from({ length: 3 }, (_, i) => (
        <div key={i} className="grid justify-items-center gap-3">
          <Skeleton className="size-28 rounded-xl sm:size-36" />
          <Skeleton className="h-4 w-20" />
        </div>
      ))}
    </div>
  );
}

function Picker() {
  const t = useT();
  const router = useRouter();
  const params = useSearchParams();
  const gate = useAccountGate();
  const { selectProfile } = useSession();
  const [managing, setManaging] = useState(params.get("manage") === "1");
  const [editing, setEditing] = useState<Editing>(null);
  const [error, setError] = useState<unknown>(null);
  const [choosing, setChoosing] = useState<string | null>(null);
  const next = safeNext(params.get("next"));

  if (gate.kind === "error") {
    return (
      <div className="mx-auto max-w-xl px-4 py-16">
        <ErrorNotice error={gate.error} onRetry={gate.retry} />
      </div>
    );
  }
  if (gate.kind === "waiting") return <PickerSkeleton />;
  const { profiles } = gate.session;

  async function choose(profile: Profile) {
    if (managing) {
      setEditing({ kind: "edit", profile });
      return;
    }
    setChoosing(profile.id);
    setError(null);
    try {
      await selectProfile(profile.id);
      router.push(next);
    } catch (caught) {
      setError(caught);
      setChoosing(null);
    }
  }

  const heading = managing ? t.profiles.manageTitle : t.profiles.whoIsWatching;
  return (
    <div className="mx-auto max-w-5xl px-4 py-12 text-center sm:py-20">
      <h1 className="text-3xl font-bold sm:text-4xl">{heading}</h1>
      {error ? <ErrorNotice error={error} className="mx-auto mt-6 max-w-md text-left" /> : null}
      <ul className="mt-10 flex flex-wrap justify-center gap-6 sm:gap-8">
        {profiles.map((profile) => (
          <li key={profile.id}>
            <button
              type="button"
              onClick={() => void choose(profile)}
              disabled={choosing !== null}
              aria-label={managing ? t.profiles.editNamed(profile.name) : t.profiles.choose(profile.name)}
              className="group grid w-28 justify-items-center gap-3 rounded-xl p-1 sm:w-36"
            >
              <span
                className={cn(
                  "relative block rounded-xl p-1 transition group-hover:scale-105 group-focus-visible:scale-105",
                  profile.is_kids
                    ? "bg-[conic-gradient(#f59e0b,#ef4444,#d946ef,#6366f1,#10b981,#f59e0b)]"
                    : "bg-transparent group-hover:bg-border",
                )}
              >
                <ProfileAvatar profile={profile} className="size-24 rounded-lg sm:size-32" />
                {managing ? (
                  <span className="absolute inset-1 flex items-center justify-center rounded-lg bg-black/55">
                    <Pencil aria-hidden="true" className="size-8 text-white" />
                  </span>
                ) : null}
                {choosing === profile.id ? (
                  <span className="absolute inset-1 animate-pulse rounded-lg bg-black/40" />
                ) : null}
              </span>
              <span className="max-w-full truncate font-medium">{profile.name}</span>
              {profile.is_kids ? (
                <span className="-mt-2 rounded-full bg-[#d9f99d] px-2 text-xs font-bold text-[#1f1535]">
                  {t.common.kids}
                </span>
              ) : null}
            </button>
          </li>
        ))}
        {profiles.length < MAX_PROFILES ? (
          <li>
            <button
              type="button"
              onClick={() => setEditing({ kind: "new" })}
              className="group grid w-28 justify-items-center gap-3 rounded-xl p-1 sm:w-36"
            >
              <span className="flex size-[6.5rem] items-center justify-center rounded-xl border-2 border-dashed border-input text-muted-foreground transition group-hover:border-foreground group-hover:text-foreground sm:size-[8.5rem]">
                <Plus aria-hidden="true" className="size-10" />
              </span>
              <span className="font-medium">{t.profiles.add}</span>
            </button>
          </li>
        ) : null}
      </ul>
      {profiles.length >= MAX_PROFILES ? (
        <p className="mt-6 text-sm text-muted-foreground">{t.profiles.limit}</p>
      ) : null}
      <Button variant="outline" size="lg" className="mt-12" onClick={() => setManaging(!managing)}>
        {managing ? t.profiles.done : t.profiles.manage}
      </Button>

      <Dialog open={editing !== null} onOpenChange={(open) => !open && setEditing(null)}>
        <DialogContent closeLabel={t.common.close} className="text-left sm:max-w-xl">
          <DialogHeader>
            <DialogTitle>
              {editing?.kind === "edit" ? t.profiles.editTitle : t.profiles.addTitle}
            </DialogTitle>
          </DialogHeader>
          {editing ? (
            <ProfileForm
              key={editing.kind === "edit" ? editing.profile.id : "new"}
              profile={editing.kind === "edit" ? editing.profile : undefined}
              suggestedAvatar={defaultAvatar(profiles.length)}
              onDone={() => setEditing(null)}
            />
          ) : null}
        </DialogContent>
      </Dialog>
    </div>
  );
}

export default function ProfilesPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.profiles.whoIsWatching} />
      <Suspense fallback={<PickerSkeleton />}>
        <Picker />
      </Suspense>
    </PageBoundary>
  );
}
