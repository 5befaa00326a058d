"use client";

import { ImageOff, Upload } from "lucide-react";
import { useEffect, useId, useRef, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { Label } from "@/components/ui/label";
import { useT } from "@/i18n";

import { CmsError } from "./cms-error";
import { uploadAsset } from "./requests";
import type { CmsView } from "./types";

const ACCEPTED = ["image/jpeg", "image/png", "image/webp"];
// MAX_IMAGE_UPLOAD_BYTES' default; a platform configured lower still answers 413, shown as such.
const MAX_MB = 10;

/** The title's poster: choose an image, see it, upload it (the API crops it to 2:3). */
export function PosterUpload({
  view,
  disabled,
  onUploaded,
  onError,
}: {
  view: CmsView;
  disabled: boolean;
  onUploaded: (view: CmsView) => void;
  onError: (error: unknown) => void;
}) {
  const t = useT();
  const p = t.cms.poster;
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [local, setLocal] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (!file) {
      setLocal(null);
      return;
    }
    const url = URL.createObjectURL(file);
    setLocal(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);

  function choose(chosen: File | null) {
    setDone(false);
    setError(null);
    setProblem(null);
    if (chosen && !ACCEPTED.includes(chosen.type)) {
      setProblem(p.notImage);
      setFile(null);
      return;
    }
    if (chosen && chosen.size > MAX_MB * 1024 * 1024) {
      setProblem(p.tooLarge(MAX_MB));
      setFile(null);
      return;
    }
    setFile(chosen);
  }

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await uploadAsset(view.id, "poster", file, view.version);
      setFile(null);
      if (input.current) input.current.value = "";
      setDone(true);
      onUploaded(answer.content);
    } catch (caught) {
      setError(caught);
      onError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="grid gap-4" data-testid="cms-poster">
      <p className="text-sm text-muted-foreground">{p.intro}</p>
      <div className="flex flex-wrap gap-6">
        <figure className="grid gap-2">
          {view.poster_url ? (
            // eslint-disable-next-line @next/next/no-img-element -- the platform's own resized poster
            <img src={view.poster_url} alt={p.current} width={160} height={240} className="h-60 w-40 rounded-lg border border-border object-cover" data-testid="cms-poster-current" />
          ) : (
            <div className="flex h-60 w-40 flex-col items-center justify-center gap-2 rounded-lg border border-dashed border-border p-3 text-center text-xs text-muted-foreground">
              <ImageOff aria-hidden="true" className="size-6" />
              {p.none}
            </div>
          )}
          <figcaption className="text-xs text-muted-foreground">{p.current}</figcaption>
        </figure>
        {local ? (
          <figure className="grid gap-2">
            {/* eslint-disable-next-line @next/next/no-img-element -- a local object URL */}
            <img src={local} alt={p.preview} className="aspect-[2/3] w-40 rounded-lg border border-primary object-cover" data-testid="cms-poster-preview" />
            <figcaption className="text-xs text-muted-foreground">{p.preview}</figcaption>
          </figure>
        ) : null}
      </div>
      {disabled ? null : (
        <div className="flex flex-wrap items-end gap-3">
          <div className="grid gap-2">
            <Label htmlFor={inputId}>{p.choose}</Label>
            <input
              ref={input}
              id={inputId}
              type="file"
              accept={ACCEPTED.join(",")}
              onChange={(event) => choose(event.target.files?.[0] ?? null)}
              className="text-sm file:mr-3 file:rounded-md file:border-0 file:bg-secondary file:px-3 file:py-2 file:text-sm file:font-semibold file:text-secondary-foreground"
              data-testid="cms-poster-file"
            />
          </div>
          <Button type="submit" disabled={!file || busy} data-testid="cms-poster-upload">
            <Upload aria-hidden="true" />
            {busy ? p.uploading : p.upload}
          </Button>
        </div>
      )}
      <div aria-live="polite">
        {problem ? <p className="text-sm text-destructive">{problem}</p> : null}
        {done ? <p className="text-sm font-medium text-primary" data-testid="cms-poster-done">{p.uploaded}</p> : null}
      </div>
      <CmsError error={error} />
    </form>
  );
}
