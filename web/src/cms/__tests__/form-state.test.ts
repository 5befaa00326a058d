import { describe, expect, it } from "vitest";

import { bodyFromForm, formFromView, fromLocalInput, isDirty, toLocalInput } from "../form-state";
import type { CmsView } from "../types";

const view: CmsView = {
  id: "3f1c0000-0000-4000-8000-000000000001",
  external_id: "ext-1",
  type: "tv_show",
  title: "Sacred Games",
  title_hi: "सेक्रेड गेम्स",
  workflow_state: "draft",
  version: 4,
  created_by: null,
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-02T00:00:00Z",
  published_at: null,
  scheduled_publish_at: null,
  poster_url: "/media/posters/abc/600x900.jpg",
  description: "A city of crime.\nSecond line.",
  description_hi: null,
  original_language: "hi",
  release_date: "2018-07-06",
  duration_minutes: null,
  maturity_rating: "R",
  maturity_level: 4,
  genres: ["crime", "thriller"],
  people: ["Saif Ali Khan", "Nawazuddin Siddiqui"],
  tier_requirement: "premium",
  available_from: "2026-03-01T10:30:00Z",
  available_until: null,
  availability_rules: [
    {
      id: "rule-1",
      allowed_countries: ["IN", "NP"],
      blocked_countries: [],
      starts_at: null,
      ends_at: null,
      tier: null,
    },
  ],
  thumbnail_url: "/media/thumbnails/def/1280x720.jpg",
  trailer_url: null,
  popularity: 2.5,
  seasons: [
    {
      id: "season-1",
      season_number: 1,
      title: "Season 1",
      title_hi: null,
      release_date: null,
      episodes: [
        {
          id: "episode-1",
          episode_number: 1,
          title: "Ashwathama",
          title_hi: null,
          description: null,
          description_hi: null,
          duration_minutes: 48,
          thumbnail_url: "/media/thumbnails/e1/1280x720.jpg",
        },
      ],
    },
  ],
  last_review: null,
};

describe("the edit form and the API's title document", () => {
  it("sends back what it loaded, what the form does not show included", () => {
    const body = bodyFromForm(formFromView(view));
    expect(body).toMatchObject({
      type: "tv_show",
      title: "Sacred Games",
      title_hi: "सेक्रेड गेम्स",
      external_id: "ext-1",
      description: "A city of crime.\nSecond line.",
      description_hi: null,
      original_language: "hi",
      release_date: "2018-07-06",
      duration_minutes: null,
      maturity_rating: "R",
      tier_requirement: "premium",
      genres: ["crime", "thriller"],
      people: ["Saif Ali Khan", "Nawazuddin Siddiqui"],
      poster_url: "/media/posters/abc/600x900.jpg",
      thumbnail_url: "/media/thumbnails/def/1280x720.jpg",
      popularity: 2.5,
    });
    expect(body.available_from).toBe("2026-03-01T10:30:00.000Z");
    expect(body.availability_rules).toEqual([
      { allowed_countries: ["IN", "NP"], blocked_countries: [], starts_at: null, ends_at: null, tier: null },
    ]);
    expect(body.seasons?.[0]?.episodes?.[0]).toEqual({
      episode_number: 1,
      title: "Ashwathama",
      title_hi: null,
      description: null,
      description_hi: null,
      duration_minutes: 48,
      thumbnail_url: "/media/thumbnails/e1/1280x720.jpg",
    });
    expect(isDirty(formFromView(view), formFromView(view))).toBe(false);
  });

  it("reads what an editor types", () => {
    const form = formFromView(view);
    const edited = {
      ...form,
      title: "  Sacred Games  ",
      titleHi: " ",
      people: "Saif Ali Khan\n\n  Radhika Apte \n",
      rules: [{ ...form.rules[0]!, allowed: "in np;lk", blocked: "", tier: "free" as const }],
      duration: "",
      popularity: "-3",
    };
    const body = bodyFromForm(edited);
    expect(body.title).toBe("Sacred Games");
    expect(body.title_hi).toBeNull();
    expect(body.people).toEqual(["Saif Ali Khan", "Radhika Apte"]);
    expect(body.availability_rules?.[0]).toMatchObject({ allowed_countries: ["IN", "NP", "LK"], tier: "free" });
    expect(body.popularity).toBe(0);
    expect(isDirty(edited, form)).toBe(true);
  });

  it("drops seasons when the title is no longer a series", () => {
    const form = { ...formFromView(view), type: "movie" as const };
    expect(bodyFromForm(form).seasons).toEqual([]);
  });

  it("turns datetime-local values into moments and back at minute precision", () => {
    const local = toLocalInput("2026-03-01T10:30:45Z");
    expect(local).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    expect(fromLocalInput(local)).toBe("2026-03-01T10:30:00.000Z");
    expect(fromLocalInput("")).toBeNull();
    expect(toLocalInput(null)).toBe("");
  });
});
