// The episode after the one playing, from the catalog's seasons and episodes.
import type { Episode, Season } from "@/api/types";

export interface NextEpisode {
  episode: Episode;
  season: Season;
}

/**
 * The first playable episode after `currentEpisodeId`, in season then episode order, or null
 * (the last one, or the episode is not in these seasons). Seasons' episodes are loaded only
 * as far as needed.
 */
export async function nextEpisodeOf(options: {
  seasons: readonly Season[];
  currentEpisodeId: string;
  loadEpisodes: (seasonId: string) => Promise<Episode[]>;
}): Promise<NextEpisode | null> {
  const seasons = [...options.seasons].sort((a, b) => a.season_number - b.season_number);
  let passedCurrent = false;
  for (const season of seasons) {
    const episodes = [...(await options.loadEpisodes(season.id))].sort(
      (a, b) => a.episode_number - b.episode_number,
    );
    for (const episode of episodes) {
      if (passedCurrent && episode.playable) return { episode, season };
      if (episode.id === options.currentEpisodeId) passedCurrent = true;
    }
  }
  return null;
}

/** The first playable episode of a series, in season then episode order, or null. */
export async function firstEpisodeOf(options: {
  seasons: readonly Season[];
  loadEpisodes: (seasonId: string) => Promise<Episode[]>;
}): Promise<NextEpisode | null> {
  const seasons = [...options.seasons].sort((a, b) => a.season_number - b.season_number);
  for (const season of seasons) {
    const episodes = [...(await options.loadEpisodes(season.id))].sort(
      (a, b) => a.episode_number - b.episode_number,
    );
    const episode = episodes.find((item) => item.playable);
    if (episode) return { episode, season };
  }
  return null;
}

/** The episode and its season, by id, or null. */
export async function findEpisode(options: {
  seasons: readonly Season[];
  episodeId: string;
  loadEpisodes: (seasonId: string) => Promise<Episode[]>;
}): Promise<NextEpisode | null> {
  for (const season of options.seasons) {
    const episode = (await options.loadEpisodes(season.id)).find((item) => item.id === options.episodeId);
    if (episode) return { episode, season };
  }
  return null;
}
