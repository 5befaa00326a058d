"use client";

import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";

import { succeed, unwrap, type AuthResult } from "@/api/client";
import { ApiError } from "@/api/errors";
import type { Profile, ProfileUpdate, User } from "@/api/types";
import { I18nProvider, loadMessages, type Language } from "@/i18n";

import { api, client, onSessionEvent, setVisitorLanguage } from "./api";
import { browserTokenStore, isTokenKey, storedLanguage, storeLanguage } from "./storage";

export type SessionState =
  | { status: "loading" }
  /** `signedOut`: by this tab's sign-out, whose caller decides where to go next. */
  | { status: "anonymous"; signedOut?: boolean }
  | { status: "unreachable"; error: ApiError }
  | { status: "signedIn"; user: User; profiles: Profile[]; profile: Profile | null };

export interface Session {
  state: SessionState;
  language: Language;
  signIn(email: string, password: string): Promise<SignedIn>;
  signUp(email: string, password: string, profileName?: string): Promise<SignedIn>;
  signOut(): Promise<void>;
  selectProfile(profileId: string): Promise<void>;
  /** Profiles changed (added, edited, deleted): read them again. */
  reloadProfiles(): Promise<Profile[]>;
  /** Change the chosen profile; its new settings (language, rating) take effect at once. */
  updateProfile(profileId: string, change: ProfileUpdate): Promise<Profile>;
  setLanguage(language: Language): Promise<void>;
  retry(): void;
}

export type SignedIn = Extract<SessionState, { status: "signedIn" }>;

const SessionContext = createContext<Session | null>(null);

const FIRST_AVATAR = "/avatars/1.svg";

function browserLanguage(): Language {
  if (typeof navigator !== "undefined" && navigator.language.toLowerCase().startsWith("hi")) {
    return "hi";
  }
  return "en";
}

async function loadAccount(): Promise<SessionState> {
  const tokens = browserTokenStore.read();
  if (tokens === null) return { status: "anonymous" };
  try {
    const [user, profiles] = await Promise.all([
      unwrap(api.GET("/api/auth/me")),
      unwrap(api.GET("/api/auth/profiles")),
    ]);
    // The tokens may have changed during the calls (a refresh names the same profile).
    const profileId = browserTokenStore.read()?.profileId ?? null;
    const profile = profiles.find((p) => p.id === profileId) ?? null;
    return { status: "signedIn", user, profiles, profile };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      client.forget();
      return { status: "anonymous" };
    }
    if (error instanceof ApiError) return { status: "unreachable", error };
    throw error;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });
  const [visitorLanguage, setVisitorLanguageState] = useState<Language>("en");
  const generation = useRef(0);

  const load = useCallback(async () => {
    const mine = ++generation.current;
    const next = await loadAccount();
    if (mine === generation.current) setState(next);
    return next;
  }, []);

  useEffect(() => {
    const visitor = storedLanguage() ?? browserLanguage();
    setVisitorLanguageState(visitor);
    // The last language chosen here is most likely the profile's too: its catalogue loads
    // beside the account.
    void loadMessages(visitor).catch(() => undefined);
    void load();
    const offEvents = onSessionEvent((event) => {
      if (event.type === "ended") {
        generation.current++;
        setState({ status: "anonymous" });
      } else {
        const { user, profile_id } = event.result;
        setState((current) =>
          current.status === "signedIn"
            ? {
                ...current,
                user,
                profile: current.profiles.find((p) => p.id === profile_id) ?? null,
              }
            : current,
        );
      }
    });
    // Another tab signed in, out or chose a profile.
    const onStorage = (event: StorageEvent) => {
      if (isTokenKey(event.key)) void load();
    };
    window.addEventListener("storage", onStorage);
    return () => {
      offEvents();
      window.removeEventListener("storage", onStorage);
    };
  }, [load]);

  const adopt = useCallback(
    async (result: AuthResult): Promise<SignedIn> => {
      client.accept(result);
      const next = await load();
      if (next.status !== "signedIn") {
        throw next.status === "unreachable"
          ? next.error
          : new ApiError({ status: 401, code: "unauthorized", message: "Not signed in" });
      }
      return next;
    },
    [load],
  );

  const signIn = useCallback(
    async (email: string, password: string) =>
      adopt(await unwrap(api.POST("/api/auth/login", { body: { email, password } }))),
    [adopt],
  );

  const signUp = useCallback(
    async (email: string, password: string, profileName?: string) => {
      const result = await unwrap(
        api.POST("/api/auth/register", {
          body: { email, password, profile_name: profileName || null },
        }),
      );
      client.accept(result);
      // The first profile starts with the first of the app's avatars (it has none of its own).
      if (result.profile_id) {
        await succeed(
          api.PUT("/api/auth/profiles/{profile_id}", {
            params: { path: { profile_id: result.profile_id } },
            body: { avatar_url: FIRST_AVATAR },
          }),
        ).catch(() => undefined);
      }
      return adopt(result);
    },
    [adopt],
  );

  const signOut = useCallback(async () => {
    try {
      await succeed(api.POST("/api/auth/logout"));
    } catch {
      // The session may already be over; forgetting the tokens signs this device out either way.
    }
    client.forget();
    generation.current++;
    setState({ status: "anonymous", signedOut: true });
  }, []);

  const selectProfile = useCallback(
    async (profileId: string) => {
      const result = await unwrap(
        api.POST("/api/auth/profiles/{profile_id}/select", {
          params: { path: { profile_id: profileId } },
        }),
      );
      await adopt(result);
    },
    [adopt],
  );

  const reloadProfiles = useCallback(async () => {
    const profiles = await unwrap(api.GET("/api/auth/profiles"));
    setState((current) =>
      current.status === "signedIn"
        ? {
            ...current,
            profiles,
            profile: profiles.find((p) => p.id === current.profile?.id) ?? null,
          }
        : current,
    );
    return profiles;
  }, []);

  const updateProfile = useCallback(
    async (profileId: string, change: ProfileUpdate) => {
      const profile = await unwrap(
        api.PUT("/api/auth/profiles/{profile_id}", {
          params: { path: { profile_id: profileId } },
          body: change,
        }),
      );
      // The access token carries the chosen profile's rating and language: renew it.
      if (browserTokenStore.read()?.profileId === profileId) await selectProfile(profileId);
      else await reloadProfiles();
      return profile;
    },
    [reloadProfiles, selectProfile],
  );

  const profile = state.status === "signedIn" ? state.profile : null;
  const language: Language = profile?.language_preference ?? visitorLanguage;

  useEffect(() => {
    setVisitorLanguage(language);
  }, [language]);

  useEffect(() => {
    const root = document.documentElement;
    if (profile?.is_kids) root.dataset.theme = "kids";
    else delete root.dataset.theme;
  }, [profile?.is_kids]);

  const setLanguage = useCallback(
    async (next: Language) => {
      storeLanguage(next);
      setVisitorLanguageState(next);
      if (profile) await updateProfile(profile.id, { language_preference: next });
    },
    [profile, updateProfile],
  );

  const retry = useCallback(() => {
    setState({ status: "loading" });
    void load();
  }, [load]);

  const session = useMemo<Session>(
    () => ({
      state,
      language,
      signIn,
      signUp,
      signOut,
      selectProfile,
      reloadProfiles,
      updateProfile,
      setLanguage,
      retry,
    }),
    [state, language, signIn, signUp, signOut, selectProfile, reloadProfiles, updateProfile, setLanguage, retry],
  );

  return (
    <SessionContext.Provider value={session}>
      <I18nProvider language={language}>{children}</I18nProvider>
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession outside SessionProvider");
  return session;
}
