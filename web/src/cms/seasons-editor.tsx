"use client";

import { Plus, Trash2 } from "lucide-react";

import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";

import { TextArea, TextField } from "./fields";
import { newKey, type EpisodeState, type SeasonState } from "./form-state";

function nextNumber(numbers: string[]): string {
  const used = numbers.map(Number).filter(Number.isFinite);
  return String(used.length ? Math.max(...used) + 1 : 1);
}

function EpisodeEditor({
  episode,
  onChange,
  onRemove,
}: {
  episode: EpisodeState;
  onChange: (episode: EpisodeState) => void;
  onRemove: () => void;
}) {
  const t = useT();
  const s = t.cms.seasons;
  const label = s.episode(Number(episode.number) || 0);
  const set = (patch: Partial<EpisodeState>) => onChange({ ...episode, ...patch });
  return (
    <li className="grid gap-3 rounded-lg border border-border bg-background/40 p-4" data-testid="cms-episode">
      <div className="flex items-center justify-between gap-2">
        <h4 className="font-semibold">{label}</h4>
        <Button type="button" variant="ghost" size="sm" onClick={onRemove}>
          <Trash2 aria-hidden="true" />
          <span className="sr-only sm:not-sr-only">{s.removeEpisode(Number(episode.number) || 0)}</span>
        </Button>
      </div>
      <div className="grid gap-3 sm:grid-cols-[8rem_1fr_1fr]">
        <TextField label={s.episodeNumber} type="number" min={0} required value={episode.number} onChange={(e) => set({ number: e.target.value })} />
        <TextField label={s.episodeTitle} required value={episode.title} onChange={(e) => set({ title: e.target.value })} data-testid="cms-episode-title" />
        <TextField label={s.episodeTitleHi} lang="hi" value={episode.titleHi} onChange={(e) => set({ titleHi: e.target.value })} />
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextArea label={s.episodeDescription} rows={2} value={episode.description} onChange={(e) => set({ description: e.target.value })} />
        <TextArea label={s.episodeDescriptionHi} lang="hi" rows={2} value={episode.descriptionHi} onChange={(e) => set({ descriptionHi: e.target.value })} />
      </div>
      <TextField label={s.episodeDuration} type="number" min={1} className="max-w-48" value={episode.duration} onChange={(e) => set({ duration: e.target.value })} />
    </li>
  );
}

function SeasonEditor({
  season,
  onChange,
  onRemove,
}: {
  season: SeasonState;
  onChange: (season: SeasonState) => void;
  onRemove: () => void;
}) {
  const t = useT();
  const s = t.cms.seasons;
  const set = (patch: Partial<SeasonState>) => onChange({ ...season, ...patch });
  const setEpisode = (index: number, episode: EpisodeState) =>
    set({ episodes: season.episodes.map((e, i) => (i === index ? episode : e)) });
  const headingId = `season-${season.key}`;
  return (
    <li className="grid gap-4 rounded-xl border border-border bg-card p-4 sm:p-6" aria-labelledby={headingId} data-testid="cms-season">
      <div className="flex items-center justify-between gap-2">
        <h3 id={headingId} className="text-lg font-semibold">
          {s.season(Number(season.number) || 0)}
        </h3>
        <Button type="button" variant="outline" size="sm" onClick={onRemove}>
          <Trash2 aria-hidden="true" />
          <span className="sr-only sm:not-sr-only">{s.removeSeason(Number(season.number) || 0)}</span>
        </Button>
      </div>
      <div className="grid gap-3 sm:grid-cols-[8rem_1fr_1fr_10rem]">
        <TextField label={s.number} type="number" min={0} required value={season.number} onChange={(e) => set({ number: e.target.value })} />
        <TextField label={s.title} value={season.title} onChange={(e) => set({ title: e.target.value })} />
        <TextField label={s.titleHi} lang="hi" value={season.titleHi} onChange={(e) => set({ titleHi: e.target.value })} />
        <TextField label={s.releaseDate} type="date" value={season.releaseDate} onChange={(e) => set({ releaseDate: e.target.value })} />
      </div>
      <div className="grid gap-3">
        <h4 className="text-sm font-semibold uppercase tracking-wide text-muted-foreground">{s.episodes}</h4>
        {season.episodes.length ? (
          <ul className="grid gap-3">
            {season.episodes.map((episode, index) => (
              <EpisodeEditor
                key={episode.key}
                episode={episode}
                onChange={(next) => setEpisode(index, next)}
                onRemove={() => set({ episodes: season.episodes.filter((_, i) => i !== index) })}
              />
            ))}
          </ul>
        ) : null}
        <Button
          type="button"
          variant="secondary"
          size="sm"
          className="justify-self-start"
          data-testid="cms-add-episode"
          onClick={() =>
            set({
              episodes: [
                ...season.episodes,
                {
                  key: newKey(),
                  number: nextNumber(season.episodes.map((e) => e.number)),
                  title: "",
                  titleHi: "",
                  description: "",
                  descriptionHi: "",
                  duration: "",
                  thumbnailUrl: null,
                },
              ],
            })
          }
        >
          <Plus aria-hidden="true" />
          {s.addEpisode}
        </Button>
      </div>
    </li>
  );
}

/** A series' seasons and their episodes, edited as part of the title (saved with it). */
export function SeasonsEditor({
  seasons,
  onChange,
}: {
  seasons: SeasonState[];
  onChange: (seasons: SeasonState[]) => void;
}) {
  const t = useT();
  const s = t.cms.seasons;
  return (
    <div className="grid gap-4">
      <p className="text-sm text-muted-foreground">{s.intro}</p>
      {seasons.length ? (
        <ul className="grid gap-4">
          {seasons.map((season, index) => (
            <SeasonEditor
              key={season.key}
              season={season}
              onChange={(next) => onChange(seasons.map((x, i) => (i === index ? next : x)))}
              onRemove={() => onChange(seasons.filter((_, i) => i !== index))}
            />
          ))}
        </ul>
      ) : (
        <p className="text-sm text-muted-foreground">{s.none}</p>
      )}
      <Button
        type="button"
        variant="secondary"
        className="justify-self-start"
        data-testid="cms-add-season"
        onClick={() =>
          onChange([
            ...seasons,
            {
              key: newKey(),
              number: nextNumber(seasons.map((x) => x.number)),
              title: "",
              titleHi: "",
              releaseDate: "",
              episodes: [],
            },
          ])
        }
      >
        <Plus aria-hidden="true" />
        {s.addSeason}
      </Button>
    </div>
  );
}
