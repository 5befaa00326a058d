"use client";

import { useId, useState, type FormEvent } from "react";

import { succeed, unwrap } from "@/api/client";
import { KIDS_MAX_RATING, MATURITY_RATINGS, type MaturityRating, type Profile } from "@/api/types";
import { FormError } from "@/components/error-notice";
import { Field } from "@/components/field";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Button } from "@/components/ui/button";
import { DialogFooter } from "@/components/ui/dialog";
import { Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/native-select";
import { isLanguage, useI18n, type Language } from "@/i18n";
import { fieldMessages } from "@/lib/describe-error";
import { cn } from "@/lib/utils";
import { api } from "@/session/api";
import { useSession } from "@/session/SessionProvider";

import { AVATARS } from "./profile-avatar";

const KIDS_RATINGS = MATURITY_RATINGS.slice(0, MATURITY_RATINGS.indexOf(KIDS_MAX_RATING) + 1);

/** Add a profile (no `profile`) or change one; `onDone` after a save or a delete. */
export function ProfileForm({
  profile,
  suggestedAvatar,
  onDone,
}: {
  profile?: Profile;
  suggestedAvatar: string;
  onDone: () => void;
}) {
  const { t, language } = useI18n();
  const { updateProfile, reloadProfiles, state } = useSession();
  const [avatar, setAvatar] = useState(profile?.avatar_url ?? suggestedAvatar);
  const [kids, setKids] = useState(profile?.is_kids ?? false);
  const [rating, setRating] = useState<MaturityRating>(profile?.maturity_rating ?? "PG-13");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const ratings = kids ? KIDS_RATINGS : MATURITY_RATINGS;
  const shownRating = kids && !KIDS_RATINGS.includes(rating) ? KIDS_MAX_RATING : rating;
  const onlyProfile = state.status === "signedIn" && state.profiles.length <= 1;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const chosenLanguage = form.get("language");
    const body = {
      name: String(form.get("name")).trim(),
      avatar_url: avatar,
      maturity_rating: shownRating,
      language_preference: (isLanguage(chosenLanguage) ? chosenLanguage : language) as Language,
      is_kids: kids,
    };
    setBusy(true);
    setError(null);
    try {
      if (profile) await updateProfile(profile.id, body);
      else {
        await unwrap(api.POST("/api/auth/profiles", { body }));
        await reloadProfiles();
      }
      onDone();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  async function onDelete() {
    if (!profile) return;
    setBusy(true);
    setError(null);
    try {
      await succeed(
        api.DELETE("/api/auth/profiles/{profile_id}", { params: { path: { profile_id: profile.id } } }),
      );
      await reloadProfiles();
      onDone();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <form className="grid gap-5" onSubmit={onSubmit}>
      <Field
        label={t.profiles.name}
        name="name"
        defaultValue={profile?.name ?? ""}
        required
        maxLength={100}
        autoComplete="off"
        problems={fieldMessages(error, "name")}
      />
      <fieldset className="grid gap-2">
        <legend className="mb-2 text-sm font-medium">{t.profiles.avatar}</legend>
        <div className="grid grid-cols-4 gap-3 sm:grid-cols-8">
          {AVATARS.map((url, index) => (
            <label key={url} className="cursor-pointer">
              <input
                type="radio"
                name="avatar"
                value={url}
                checked={avatar === url}
                onChange={() => setAvatar(url)}
                className="peer sr-only"
              />
              {/* eslint-disable-next-line @next/next/no-img-element -- a local SVG */}
              <img
                src={url}
                alt={t.profiles.avatarChoice(index + 1)}
                width={56}
                height={56}
                className={cn(
                  "size-14 rounded-md opacity-70 ring-offset-2 ring-offset-popover transition peer-checked:opacity-100 peer-checked:ring-3 peer-checked:ring-primary peer-focus-visible:outline-3 peer-focus-visible:outline-ring",
                )}
              />
            </label>
          ))}
        </div>
      </fieldset>
      <div className="flex items-start gap-3 rounded-lg border border-border p-3">
        <input
          id={`${ids}-kids`}
          type="checkbox"
          checked={kids}
          onChange={(event) => setKids(event.target.checked)}
          aria-describedby={`${ids}-kids-hint`}
          className="mt-0.5 size-5 accent-primary"
        />
        <div className="grid gap-1">
          <Label htmlFor={`${ids}-kids`}>{t.profiles.kids}</Label>
          <p id={`${ids}-kids-hint`} className="text-xs text-muted-foreground">
            {t.profiles.kidsHint}
          </p>
        </div>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <div className="grid gap-2">
          <Label htmlFor={`${ids}-rating`}>{t.profiles.maturity}</Label>
          <NativeSelect
            id={`${ids}-rating`}
            value={shownRating}
            onChange={(event) => setRating(event.target.value as MaturityRating)}
            aria-describedby={`${ids}-rating-hint`}
          >
            {ratings.map((value) => (
              <option key={value} value={value}>
                {t.maturity[value]}
              </option>
            ))}
          </NativeSelect>
          <p id={`${ids}-rating-hint`} className="text-xs text-muted-foreground">
            {t.profiles.maturityHint}
          </p>
        </div>
        <div className="grid gap-2">
          <Label htmlFor={`${ids}-language`}>{t.profiles.language}</Label>
          <NativeSelect
            id={`${ids}-language`}
            name="language"
            defaultValue={profile?.language_preference ?? language}
            aria-describedby={`${ids}-language-hint`}
          >
            {(["en", "hi"] as const).map((code) => (
              <option key={code} value={code} lang={code}>
                {t.languages[code]}
              </option>
            ))}
          </NativeSelect>
          <p id={`${ids}-language-hint`} className="text-xs text-muted-foreground">
            {t.profiles.languageHint}
          </p>
        </div>
      </div>
      <FormError error={error} />
      <DialogFooter className="sm:justify-between">
        {profile && !onlyProfile ? (
          <AlertDialog>
            <AlertDialogTrigger asChild>
              <Button type="button" variant="outline" disabled={busy}>
                {t.common.delete}
              </Button>
            </AlertDialogTrigger>
            <AlertDialogContent>
              <AlertDialogHeader>
                <AlertDialogTitle>{t.profiles.deleteTitle(profile.name)}</AlertDialogTitle>
                <AlertDialogDescription>{t.profiles.deleteBody}</AlertDialogDescription>
              </AlertDialogHeader>
              <AlertDialogFooter>
                <AlertDialogCancel>{t.common.cancel}</AlertDialogCancel>
                <AlertDialogAction onClick={() => void onDelete()}>{t.common.delete}</AlertDialogAction>
              </AlertDialogFooter>
            </AlertDialogContent>
          </AlertDialog>
        ) : (
          <span />
        )}
        <Button type="submit" disabled={busy}>
          {busy ? t.common.saving : t.common.save}
        </Button>
      </DialogFooter>
    </form>
  );
}
