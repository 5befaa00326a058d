"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect } from "react";

import type { ApiError } from "@/api/errors";
import type { Profile } from "@/api/types";

import { useSession, type SignedIn } from "./SessionProvider";

export type Gate<T> =
  | { kind: "waiting" }
  | { kind: "error"; error: ApiError; retry: () => void }
  | { kind: "ready"; session: T };

/** A path of this app to go back to after signing in (never another site: browsers read
 *  `//host` and `/\host` as addresses elsewhere). */
export function safeNext(next: string | null, fallback = "/"): string {
  return next && /^\/(?![/\\])/.test(next) ? next : fallback;
}

function useHere(): string {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  return search ? `${pathname}?${search}` : pathname;
}

/** The signed-in account, or on the way to /signin. Use inside <Suspense> (search params). */
export function useAccountGate(): Gate<SignedIn> {
  const { state, retry } = useSession();
  const router = useRouter();
  const here = useHere();
  const redirect = state.status === "anonymous" && !state.signedOut;
  useEffect(() => {
    if (redirect) router.replace(`/signin/?next=${encodeURIComponent(here)}`);
  }, [redirect, router, here]);
  if (state.status === "unreachable") return { kind: "error", error: state.error, retry };
  if (state.status === "signedIn") return { kind: "ready", session: state };
  return { kind: "waiting" };
}

// Pages an account without a chosen profile may see; every other page asks who is watching.
const WITHOUT_PROFILE = ["/profiles", "/account", "/signin", "/signup", "/reset-password", "/plans"];

/** Sends a signed-in account that has not chosen a profile to the profile picker. */
export function ProfileGuard() {
  const { state } = useSession();
  const router = useRouter();
  const pathname = usePathname();
  const here = useHere();
  const needed =
    state.status === "signedIn" &&
    state.profile === null &&
    !WITHOUT_PROFILE.some((path) => pathname.startsWith(path));
  useEffect(() => {
    if (needed) router.replace(`/profiles/?next=${encodeURIComponent(here)}`);
  }, [needed, router, here]);
  return null;
}

/** A signed-in account watching as a profile, or on the way to /signin or /profiles. */
export function useProfileGate(): Gate<SignedIn & { profile: Profile }> {
  const gate = useAccountGate();
  const router = useRouter();
  const here = useHere();
  const missingProfile = gate.kind === "ready" && gate.session.profile === null;
  useEffect(() => {
    if (missingProfile) router.replace(`/profiles/?next=${encodeURIComponent(here)}`);
  }, [missingProfile, router, here]);
  if (gate.kind !== "ready") return gate;
  const { profile } = gate.session;
  if (profile === null) return { kind: "waiting" };
  return { kind: "ready", session: { ...gate.session, profile } };
}
