"use client";

// The interface's languages. English is in every page's code; another language's catalogue is
// a chunk of its own, loaded when a viewer's language needs it (a page of English viewers
// carries no Hindi strings). Until it arrives the page shows English.
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { en, type Messages } from "./en";

export type Language = "en" | "hi";
export type { Messages };

const locales: Record<Language, string> = { en: "en-IN", hi: "hi-IN" };
const loaded: Partial<Record<Language, Messages>> = { en };
const loading: Partial<Record<Language, Promise<Messages>>> = {};

function importCatalog(language: Exclude<Language, "en">): Promise<Messages> {
  switch (language) {
    case "hi":
      return import("./hi").then((module) => module.hi);
  }
}

/** The catalogue of `language`, loaded once (a failed load is tried again next time). */
export function loadMessages(language: Language): Promise<Messages> {
  const known = loaded[language];
  if (known) return Promise.resolve(known);
  if (language === "en") return Promise.resolve(en);
  let pending = loading[language];
  if (!pending) {
    pending = importCatalog(language).then(
      (messages) => {
        loaded[language] = messages;
        return messages;
      },
      (error: unknown) => {
        delete loading[language];
        throw error;
      },
    );
    loading[language] = pending;
  }
  return pending;
}

export function isLanguage(value: unknown): value is Language {
  return value === "en" || value === "hi";
}

interface I18n {
  language: Language;
  t: Messages;
  formatDate: (iso: string) => string;
  formatDateTime: (iso: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

/** The messages of `language` once loaded; English (and `language` "en") until then. */
function useCatalog(language: Language): { shown: Language; messages: Messages } {
  const [, setVersion] = useState(0);
  useEffect(() => {
    if (loaded[language]) return;
    let current = true;
    loadMessages(language)
      .then(() => current && setVersion((n) => n + 1))
      .catch(() => undefined); // offline: English stays, the next change of language tries again
    return () => {
      current = false;
    };
  }, [language]);
  const messages = loaded[language];
  return messages ? { shown: language, messages } : { shown: "en", messages: en };
}

export function I18nProvider({ language, children }: { language: Language; children: ReactNode }) {
  const { shown, messages } = useCatalog(language);
  useEffect(() => {
    document.documentElement.lang = shown;
  }, [shown]);
  const value = useMemo<I18n>(() => {
    const date = new Intl.DateTimeFormat(locales[shown], { dateStyle: "medium" });
    const dateTime = new Intl.DateTimeFormat(locales[shown], {
      dateStyle: "medium",
      timeStyle: "short",
    });
    return {
      language: shown,
      t: messages,
      formatDate: (iso) => date.format(new Date(iso)),
      formatDateTime: (iso) => dateTime.format(new Date(iso)),
    };
  }, [shown, messages]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (value === null) throw new Error("useI18n outside I18nProvider");
  return value;
}

export function useT(): Messages {
  return useI18n().t;
}
