// Short names for the CMS's models in the generated schema.
import type { components } from "@/api/schema";

type Schemas = components["schemas"];

export type CmsView = Schemas["ContentView"];
export type CmsSummary = Schemas["CmsContentSummary"];
export type CmsPage = Schemas["CmsContentPage"];
export type CmsSeason = Schemas["CmsSeasonOut"];
export type CmsEpisode = Schemas["CmsEpisodeOut"];
export type TitleIn = Schemas["TitleIn"];
export type TitleUpdate = Schemas["TitleUpdate"];
export type SeasonIn = Schemas["SeasonIn"];
export type EpisodeIn = Schemas["EpisodeIn"];
export type AvailabilityRuleIn = Schemas["AvailabilityRuleIn"];
export type VersionHistory = Schemas["VersionHistory"];
export type Version = Schemas["VersionOut"];
export type FieldChange = Schemas["FieldChange"];
export type BulkResult = Schemas["BulkResult"];
export type AssetOut = Schemas["AssetOut"];
export type Encoding = Schemas["EncodingOut"];
export type EncodingIn = Schemas["EncodingIn"];
export type EncodingStatus = Schemas["EncodingStatus"];
export type TrackIn = Schemas["TrackIn"];
export type WorkflowState = Schemas["WorkflowState"];
export type Role = Schemas["Role"];
export type Language = Schemas["Language"];

export const WORKFLOW_STATES: readonly WorkflowState[] = [
  "draft",
  "pending_review",
  "approved",
  "published",
  "archived",
];
export const LANGUAGES: readonly Language[] = ["en", "hi"];
export const EDITORIAL_ROLES: readonly Role[] = ["editor", "reviewer", "admin"];
