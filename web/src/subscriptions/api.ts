// The subscription service's routes as the pages use them, over the app's typed client.
import { unwrap } from "@/api/client";
import type { Checkout, Currency, Entitlement, Invoice, Plan, Subscription, SubscriptionOverview } from "@/api/types";
import { api, client } from "@/session/api";

export const subscriptionsApi = {
  plans: async (signal?: AbortSignal): Promise<Plan[]> =>
    (await unwrap(api.GET("/api/subscriptions/plans", { signal }))).plans,
  me: (signal?: AbortSignal): Promise<SubscriptionOverview> => unwrap(api.GET("/api/subscriptions/me", { signal })),
  entitlement: (signal?: AbortSignal): Promise<Entitlement> =>
    unwrap(api.GET("/api/subscriptions/entitlements", { signal })),
  checkout: (body: { plan_code: string; currency: Currency; trial: boolean }): Promise<Checkout> =>
    unwrap(api.POST("/api/subscriptions/checkout", { body })),
  getCheckout: (reference: string, signal?: AbortSignal): Promise<Checkout> =>
    unwrap(api.GET("/api/subscriptions/checkouts/{reference}", { params: { path: { reference } }, signal })),
  completeCheckout: async (reference: string, cardNumber: string): Promise<Subscription> =>
    (
      await unwrap(
        api.POST("/api/subscriptions/checkouts/{reference}/complete", {
          params: { path: { reference } },
          body: { card_number: cardNumber },
        }),
      )
    ).subscription,
  changePlan: async (planCode: string): Promise<Subscription> =>
    (await unwrap(api.POST("/api/subscriptions/change-plan", { body: { plan_code: planCode } }))).subscription,
  cancel: (): Promise<Subscription> => unwrap(api.POST("/api/subscriptions/cancel")),
  resume: (): Promise<Subscription> => unwrap(api.POST("/api/subscriptions/resume")),
  invoices: (cursor: string | null, signal?: AbortSignal): Promise<{ items: Invoice[]; next_cursor: string | null }> =>
    unwrap(api.GET("/api/subscriptions/invoices", { params: { query: { limit: 12, ...(cursor ? { cursor } : {}) } }, signal })),
};

const listeners = new Set<() => void>();

/** Runs `listener` after every change of the account's plan (in this tab). */
export function onPlanChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * After a checkout, a plan change, a cancel or a resume: new tokens (whose tier and account are
 * the new plan's: premium titles unlock), and every page showing the plan reads it again.
 */
export async function planChanged(): Promise<void> {
  await client.refresh().catch(() => false);
  for (const listener of [...listeners]) listener();
}
