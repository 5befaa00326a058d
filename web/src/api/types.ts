// Names for the generated schema's models, so pages need not spell out components["schemas"].
import type { components, operations } from "./schema";

type Schemas = components["schemas"];

export type User = Schemas["UserOut"];
export type AuthSession = Schemas["SessionOut"];
export type Profile = Schemas["ProfileOut"];
export type ProfileCreate = Schemas["ProfileCreate"];
export type ProfileUpdate = Schemas["ProfileUpdate"];
export type ContentSummary = Schemas["ContentSummary"];
export type ContentDetail = Schemas["ContentDetail"];
export type ContentPage = Schemas["ContentPage"];
export type Season = Schemas["SeasonOut"];
export type Episode = Schemas["EpisodeOut"];
export type Genre = Schemas["GenreOut"];
export type SearchResults = Schemas["SearchResults"];
export type ContinueWatchingItem = Schemas["ContinueWatchingItem"];
export type WatchlistItem = Schemas["WatchlistItem"];
export type ContentType = ContentSummary["type"];
export type MaturityRating = ContentSummary["maturity_rating"];
export type Tier = ContentSummary["tier_requirement"];

export const MATURITY_RATINGS: readonly MaturityRating[] = ["G", "PG", "PG-13", "R", "NC-17"];
export const KIDS_MAX_RATING: MaturityRating = "PG";
export const CONTENT_TYPES: readonly ContentType[] = ["movie", "tv_show", "sports"];
export const MAX_PROFILES = 5;

export type CatalogQuery = NonNullable<operations["catalog-list_content"]["parameters"]["query"]>;
export type SortOrder = NonNullable<CatalogQuery["sort"]>;
export const SORT_ORDERS: readonly SortOrder[] = ["newest", "title", "popularity"];
export const TIERS: readonly Tier[] = ["free", "premium"];

export type Plan = Schemas["PlanOut"];
export type PlanFeatures = Schemas["PlanFeatures"];
export type Currency = Schemas["Currency"];
export type Entitlement = Schemas["Entitlement"];
export type EntitlementReason = Schemas["EntitlementReason"];
export type SubscriptionOverview = Schemas["MeOut"];
export type Subscription = Schemas["SubscriptionOut"];
export type SubscriptionStatus = Subscription["status"];
export type PendingChange = Schemas["PendingChange"];
export type Checkout = Schemas["CheckoutOut"];
export type Invoice = Schemas["InvoiceOut"];
export type InvoiceStatus = Invoice["status"];
export const CURRENCIES: readonly Currency[] = ["INR", "USD"];
