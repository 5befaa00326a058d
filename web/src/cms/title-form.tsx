"use client";

import { Plus, Save, Trash2 } from "lucide-react";
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from "react";

import { unwrap } from "@/api/client";
import { CONTENT_TYPES, MATURITY_RATINGS, TIERS } from "@/api/types";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { useT } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { cn } from "@/lib/utils";
import { api } from "@/session/api";

import { CmsError } from "./cms-error";
import { CheckField, SelectField, TextArea, TextField } from "./fields";
import { bodyFromForm, isDirty, newKey, type FormState, type RuleState } from "./form-state";
import { SeasonsEditor } from "./seasons-editor";
import { LANGUAGES, type TitleIn } from "./types";

export function Section({
  id,
  title,
  children,
  testId,
}: {
  id: string;
  title: string;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section aria-labelledby={`${id}-heading`} className="grid gap-4" id={id} data-testid={testId}>
      <h2 id={`${id}-heading`} className="text-xl font-semibold">
        {title}
      </h2>
      {children}
    </section>
  );
}

function GenrePicker({ value, onChange }: { value: string[]; onChange: (genres: string[]) => void }) {
  const t = useT();
  const genres = useResource("genres", (signal) => unwrap(api.GET("/api/catalog/genres", { signal })));
  // Genres the title has that the catalogue does not list (any more) stay visible and removable.
  const options = useMemo(() => {
    const known = genres.data ?? [];
    const extra = value.filter((slug) => !known.some((g) => g.slug === slug)).map((slug) => ({ slug, name: slug }));
    return [...known, ...extra];
  }, [genres.data, value]);
  return (
    <fieldset className="grid gap-2">
      <legend className="mb-2 text-sm font-medium">{t.cms.fields.genres}</legend>
      <p className="text-xs text-muted-foreground">{t.cms.fields.genresHint}</p>
      {genres.status === "loading" ? <Skeleton className="h-16 w-full" /> : null}
      {genres.status === "error" ? <CmsError error={genres.error} onRetry={genres.reload} /> : null}
      {genres.status === "ready" ? (
        <div className="grid grid-cols-2 gap-2 sm:grid-cols-3 lg:grid-cols-4" data-testid="cms-genres">
          {options.map((genre) => (
            <CheckField
              key={genre.slug}
              label={genre.name}
              value={genre.slug}
              checked={value.includes(genre.slug)}
              onChange={(event) =>
                onChange(event.target.checked ? [...value, genre.slug] : value.filter((slug) => slug !== genre.slug))
              }
            />
          ))}
        </div>
      ) : null}
    </fieldset>
  );
}

function RulesEditor({ rules, onChange }: { rules: RuleState[]; onChange: (rules: RuleState[]) => void }) {
  const t = useT();
  const f = t.cms.fields;
  const set = (index: number, patch: Partial<RuleState>) =>
    onChange(rules.map((rule, i) => (i === index ? { ...rule, ...patch } : rule)));
  return (
    <fieldset className="grid gap-3">
      <legend className="mb-1 text-sm font-medium">{f.rules}</legend>
      <p className="text-xs text-muted-foreground">{f.rulesIntro}</p>
      {rules.map((rule, index) => (
        <div key={rule.key} className="grid gap-3 rounded-lg border border-border p-4" data-testid="cms-rule">
          <div className="flex items-center justify-between">
            <h3 className="text-sm font-semibold">{f.rule(index + 1)}</h3>
            <Button
              type="button"
              variant="ghost"
              size="icon-sm"
              aria-label={f.removeRule(index + 1)}
              onClick={() => onChange(rules.filter((_, i) => i !== index))}
            >
              <Trash2 aria-hidden="true" />
            </Button>
          </div>
          <div className="grid gap-3 sm:grid-cols-2">
            <TextField label={f.allowedCountries} hint={f.countriesHint} value={rule.allowed} onChange={(e) => set(index, { allowed: e.target.value })} />
            <TextField label={f.blockedCountries} hint={f.countriesHint} value={rule.blocked} onChange={(e) => set(index, { blocked: e.target.value })} />
            <TextField label={f.ruleStarts} type="datetime-local" value={rule.startsAt} onChange={(e) => set(index, { startsAt: e.target.value })} />
            <TextField label={f.ruleEnds} type="datetime-local" value={rule.endsAt} onChange={(e) => set(index, { endsAt: e.target.value })} />
            <SelectField label={f.ruleTier} value={rule.tier} onChange={(e) => set(index, { tier: e.target.value as RuleState["tier"] })}>
              <option value="">{f.anyTier}</option>
              {TIERS.map((tier) => (
                <option key={tier} value={tier}>
                  {f.tiers[tier]}
                </option>
              ))}
            </SelectField>
          </div>
        </div>
      ))}
      <Button
        type="button"
        variant="secondary"
        size="sm"
        className="justify-self-start"
        onClick={() => onChange([...rules, { key: newKey(), allowed: "", blocked: "", startsAt: "", endsAt: "", tier: "" }])}
      >
        <Plus aria-hidden="true" />
        {f.addRule}
      </Button>
    </fieldset>
  );
}

/**
 * The title's metadata, bilingual (English and Hindi side by side), and for a series its seasons
 * and episodes. `onSubmit` gets the body of POST /api/cms/content (PUT adds the version).
 */
export function TitleForm({
  initial,
  mode,
  disabled,
  locked = false,
  onSubmit,
  error,
  notice,
}: {
  initial: FormState;
  mode: "create" | "edit";
  disabled: boolean;
  /** Editable (to copy from) but not savable: the title changed meanwhile. */
  locked?: boolean;
  onSubmit: (body: TitleIn) => Promise<void>;
  error: unknown;
  notice?: ReactNode;
}) {
  const t = useT();
  const f = t.cms.fields;
  const [form, setForm] = useState(initial);
  const [busy, setBusy] = useState(false);
  // A new version from the server (a save, a restore, a poster) replaces the form.
  useEffect(() => setForm(initial), [initial]);
  const dirty = isDirty(form, initial);
  const set = (patch: Partial<FormState>) => setForm((current) => ({ ...current, ...patch }));

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    try {
      await onSubmit(bodyFromForm(form));
    } finally {
      setBusy(false);
    }
  }

  const saveLabel = mode === "create" ? (busy ? t.cms.edit.creating : t.cms.edit.create) : busy ? t.cms.edit.saving : t.cms.edit.save;

  return (
    <form onSubmit={submit} className="grid gap-8" data-testid="cms-title-form" aria-busy={busy}>
      <fieldset disabled={disabled || busy} className="grid gap-8">
        <Section id="details" title={t.cms.edit.sections.details}>
          <div className="grid gap-4 md:grid-cols-2">
            <TextField label={f.title} required maxLength={500} value={form.title} onChange={(e) => set({ title: e.target.value })} data-testid="cms-field-title" />
            <TextField label={f.titleHi} lang="hi" maxLength={500} value={form.titleHi} onChange={(e) => set({ titleHi: e.target.value })} data-testid="cms-field-title-hi" />
            <TextArea label={f.description} rows={5} value={form.description} onChange={(e) => set({ description: e.target.value })} data-testid="cms-field-description" />
            <TextArea label={f.descriptionHi} lang="hi" rows={5} value={form.descriptionHi} onChange={(e) => set({ descriptionHi: e.target.value })} data-testid="cms-field-description-hi" />
          </div>
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            <SelectField label={f.type} value={form.type} onChange={(e) => set({ type: e.target.value as FormState["type"] })} data-testid="cms-field-type">
              {CONTENT_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t.common.types[type]}
                </option>
              ))}
            </SelectField>
            <SelectField label={f.originalLanguage} value={form.originalLanguage} onChange={(e) => set({ originalLanguage: e.target.value as FormState["originalLanguage"] })}>
              {LANGUAGES.map((language) => (
                <option key={language} value={language}>
                  {f.languageNames[language]}
                </option>
              ))}
            </SelectField>
            <SelectField label={f.maturity} value={form.maturity} onChange={(e) => set({ maturity: e.target.value as FormState["maturity"] })} data-testid="cms-field-maturity">
              {MATURITY_RATINGS.map((rating) => (
                <option key={rating} value={rating}>
                  {t.maturity[rating]}
                </option>
              ))}
            </SelectField>
            <SelectField label={f.tier} value={form.tier} onChange={(e) => set({ tier: e.target.value as FormState["tier"] })} data-testid="cms-field-tier">
              {TIERS.map((tier) => (
                <option key={tier} value={tier}>
                  {f.tiers[tier]}
                </option>
              ))}
            </SelectField>
            <TextField label={f.releaseDate} type="date" value={form.releaseDate} onChange={(e) => set({ releaseDate: e.target.value })} />
            <TextField label={f.duration} type="number" min={1} value={form.duration} onChange={(e) => set({ duration: e.target.value })} />
            <TextField label={f.externalId} hint={f.externalIdHint} maxLength={200} value={form.externalId} onChange={(e) => set({ externalId: e.target.value })} className="sm:col-span-2" data-testid="cms-field-external-id" />
          </div>
          <GenrePicker value={form.genres} onChange={(genres) => set({ genres })} />
          <TextArea label={f.people} hint={f.peopleHint} rows={4} value={form.people} onChange={(e) => set({ people: e.target.value })} data-testid="cms-field-people" />
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField label={f.availableFrom} hint={f.availabilityHint} type="datetime-local" value={form.availableFrom} onChange={(e) => set({ availableFrom: e.target.value })} data-testid="cms-field-available-from" />
            <TextField label={f.availableUntil} hint={f.availabilityHint} type="datetime-local" value={form.availableUntil} onChange={(e) => set({ availableUntil: e.target.value })} />
          </div>
          <RulesEditor rules={form.rules} onChange={(rules) => set({ rules })} />
          <div className="grid gap-4 sm:grid-cols-[1fr_10rem]">
            <TextField label={f.trailerUrl} type="url" value={form.trailerUrl} onChange={(e) => set({ trailerUrl: e.target.value })} />
            <TextField label={f.popularity} type="number" min={0} step="any" value={form.popularity} onChange={(e) => set({ popularity: e.target.value })} />
          </div>
        </Section>

        {form.type === "tv_show" ? (
          <Section id="seasons" title={t.cms.edit.sections.seasons} testId="cms-seasons">
            <SeasonsEditor seasons={form.seasons} onChange={(seasons) => set({ seasons })} />
          </Section>
        ) : null}
      </fieldset>

      {(disabled || locked) && !notice ? null : (
      <div
        className={cn(
          "z-10 flex flex-wrap items-center gap-3 rounded-xl border border-border bg-popover/95 p-3 backdrop-blur",
          // Kept in reach while there is something to save.
          (dirty || mode === "create") && "sticky bottom-16 md:bottom-4",
        )}
      >
        {!disabled && !locked ? (
          <Button type="submit" disabled={busy || (mode === "edit" && !dirty)} data-testid="cms-save">
            <Save aria-hidden="true" />
            {saveLabel}
          </Button>
        ) : null}
        {mode === "edit" && dirty && !disabled && !locked ? (
          <p className="text-sm text-muted-foreground" role="status" data-testid="cms-unsaved">
            {t.cms.edit.unsaved}
          </p>
        ) : null}
        {notice}
      </div>
      )}
      <CmsError error={error} testId="cms-save-error" />
    </form>
  );
}
