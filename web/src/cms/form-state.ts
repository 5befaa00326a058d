// The edit form's state (strings, as inputs hold them) and its conversion from the editorial
// view and into the body of POST/PUT /api/cms/content. PUT replaces the whole description, so
// what the form does not show (poster and thumbnail URLs, episodes' thumbnails) is carried over.
import type { ContentType, MaturityRating, Tier } from "@/api/types";

import type { AvailabilityRuleIn, CmsView, Language, SeasonIn, TitleIn } from "./types";

export interface RuleState {
  key: string;
  allowed: string;
  blocked: string;
  startsAt: string;
  endsAt: string;
  tier: Tier | "";
}

export interface EpisodeState {
  key: string;
  number: string;
  title: string;
  titleHi: string;
  description: string;
  descriptionHi: string;
  duration: string;
  thumbnailUrl: string | null;
}

export interface SeasonState {
  key: string;
  number: string;
  title: string;
  titleHi: string;
  releaseDate: string;
  episodes: EpisodeState[];
}

export interface FormState {
  type: ContentType;
  title: string;
  titleHi: string;
  description: string;
  descriptionHi: string;
  externalId: string;
  originalLanguage: Language;
  releaseDate: string;
  duration: string;
  maturity: MaturityRating;
  tier: Tier;
  genres: string[];
  people: string;
  availableFrom: string;
  availableUntil: string;
  trailerUrl: string;
  popularity: string;
  rules: RuleState[];
  seasons: SeasonState[];
  posterUrl: string | null;
  thumbnailUrl: string | null;
}

let counter = 0;
/** A key for a list item the form adds (React needs stable keys; ids come only after saving). */
export function newKey(): string {
  counter += 1;
  return `new-${counter}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** An ISO moment as a datetime-local input's value, in the browser's time zone. */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A datetime-local value (the browser's time zone) as an ISO moment; null when empty. */
export function fromLocalInput(value: string): string | null {
  if (!value.trim()) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

const text = (value: string | null | undefined) => value ?? "";
const optional = (value: string) => (value.trim() ? value.trim() : null);
const optionalMultiline = (value: string) => (value.trim() ? value : null);

function optionalInt(value: string): number | null {
  if (!value.trim()) return null;
  const n = Number(value);
  return Number.isFinite(n) ? Math.trunc(n) : null;
}

function countries(value: string): string[] {
  return value
    .split(/[\s,;]+/)
    .map((code) => code.trim().toUpperCase())
    .filter(Boolean);
}

export function emptyForm(): FormState {
  return {
    type: "movie",
    title: "",
    titleHi: "",
    description: "",
    descriptionHi: "",
    externalId: "",
    originalLanguage: "en",
    releaseDate: "",
    duration: "",
    maturity: "PG-13",
    tier: "free",
    genres: [],
    people: "",
    availableFrom: "",
    availableUntil: "",
    trailerUrl: "",
    popularity: "0",
    rules: [],
    seasons: [],
    posterUrl: null,
    thumbnailUrl: null,
  };
}

export function formFromView(view: CmsView): FormState {
  return {
    type: view.type,
    title: view.title,
    titleHi: text(view.title_hi),
    description: text(view.description),
    descriptionHi: text(view.description_hi),
    externalId: text(view.external_id),
    originalLanguage: view.original_language,
    releaseDate: text(view.release_date),
    duration: view.duration_minutes ? String(view.duration_minutes) : "",
    maturity: view.maturity_rating,
    tier: view.tier_requirement,
    genres: [...view.genres],
    people: view.people.join("\n"),
    availableFrom: toLocalInput(view.available_from),
    availableUntil: toLocalInput(view.available_until),
    trailerUrl: text(view.trailer_url),
    popularity: String(view.popularity),
    rules: view.availability_rules.map((rule) => ({
      key: rule.id,
      allowed: rule.allowed_countries ? rule.allowed_countries.join(", ") : "",
      blocked: rule.blocked_countries.join(", "),
      startsAt: toLocalInput(rule.starts_at),
      endsAt: toLocalInput(rule.ends_at),
      tier: rule.tier ?? "",
    })),
    seasons: view.seasons.map((season) => ({
      key: season.id,
      number: String(season.season_number),
      title: text(season.title),
      titleHi: text(season.title_hi),
      releaseDate: text(season.release_date),
      episodes: season.episodes.map((episode) => ({
        key: episode.id,
        number: String(episode.episode_number),
        title: episode.title,
        titleHi: text(episode.title_hi),
        description: text(episode.description),
        descriptionHi: text(episode.description_hi),
        duration: episode.duration_minutes ? String(episode.duration_minutes) : "",
        thumbnailUrl: episode.thumbnail_url,
      })),
    })),
    posterUrl: view.poster_url,
    thumbnailUrl: view.thumbnail_url,
  };
}

function ruleBody(rule: RuleState): AvailabilityRuleIn {
  const allowed = countries(rule.allowed);
  return {
    allowed_countries: allowed.length ? allowed : null,
    blocked_countries: countries(rule.blocked),
    starts_at: fromLocalInput(rule.startsAt),
    ends_at: fromLocalInput(rule.endsAt),
    tier: rule.tier || null,
  };
}

function seasonBody(season: SeasonState): SeasonIn {
  return {
    season_number: optionalInt(season.number) ?? 0,
    title: optional(season.title),
    title_hi: optional(season.titleHi),
    release_date: optional(season.releaseDate),
    episodes: season.episodes.map((episode) => ({
      episode_number: optionalInt(episode.number) ?? 0,
      title: episode.title.trim(),
      title_hi: optional(episode.titleHi),
      description: optionalMultiline(episode.description),
      description_hi: optionalMultiline(episode.descriptionHi),
      duration_minutes: optionalInt(episode.duration),
      thumbnail_url: episode.thumbnailUrl,
    })),
  };
}

/** The title as POST /api/cms/content (and, with its version, PUT) takes it. */
export function bodyFromForm(form: FormState): TitleIn {
  const popularity = Number(form.popularity);
  return {
    type: form.type,
    title: form.title.trim(),
    title_hi: optional(form.titleHi),
    description: optionalMultiline(form.description),
    description_hi: optionalMultiline(form.descriptionHi),
    external_id: optional(form.externalId),
    original_language: form.originalLanguage,
    release_date: optional(form.releaseDate),
    duration_minutes: optionalInt(form.duration),
    maturity_rating: form.maturity,
    tier_requirement: form.tier,
    genres: form.genres,
    people: form.people
      .split("\n")
      .map((name) => name.trim())
      .filter(Boolean),
    available_from: fromLocalInput(form.availableFrom),
    available_until: fromLocalInput(form.availableUntil),
    availability_rules: form.rules.map(ruleBody),
    trailer_url: optional(form.trailerUrl),
    popularity: Number.isFinite(popularity) && popularity >= 0 ? popularity : 0,
    poster_url: form.posterUrl,
    thumbnail_url: form.thumbnailUrl,
    seasons: form.type === "tv_show" ? form.seasons.map(seasonBody) : [],
  };
}

/** Whether the form differs from what was loaded (for the "unsaved changes" note). */
export function isDirty(form: FormState, base: FormState): boolean {
  return JSON.stringify(bodyFromForm(form)) !== JSON.stringify(bodyFromForm(base));
}
