"use client";

// What the signed-in account may do now (GET /api/subscriptions/entitlements), read once per
// account and page load and again after a plan change: the payment banner reads it on every page.
import { useEffect, useState } from "react";

import type { Entitlement } from "@/api/types";
import { useSession } from "@/session/SessionProvider";

import { onPlanChange, subscriptionsApi } from "./api";

let cached: { userId: string; answer: Promise<Entitlement> } | null = null;

function entitlementOf(userId: string): Promise<Entitlement> {
  if (cached?.userId !== userId) {
    const answer = subscriptionsApi.entitlement();
    cached = { userId, answer };
    answer.catch(() => {
      if (cached?.answer === answer) cached = null;
    });
  }
  return cached.answer;
}

export function useEntitlement(): Entitlement | null {
  const { state } = useSession();
  const userId = state.status === "signedIn" ? state.user.id : null;
  const [entitlement, setEntitlement] = useState<Entitlement | null>(null);
  const [version, setVersion] = useState(0);
  useEffect(
    () =>
      onPlanChange(() => {
        cached = null;
        setVersion((n) => n + 1);
      }),
    [],
  );
  useEffect(() => {
    setEntitlement(null);
    if (userId === null) return;
    let current = true;
    entitlementOf(userId)
      .then((answer) => current && setEntitlement(answer))
      .catch(() => undefined); // no banner rather than an error on every page
    return () => {
      current = false;
    };
  }, [userId, version]);
  return entitlement;
}
