"use client";

import { createContext, useContext, useEffect, useMemo, type ReactNode } from "react";

import { en, type Messages } from "./en";
import { hi } from "./hi";

export type Language = "en" | "hi";
export type { Messages };

const catalogs: Record<Language, Messages> = { en, hi };
const locales: Record<Language, string> = { en: "en-IN", hi: "hi-IN" };

export function messagesFor(language: Language): Messages {
  return catalogs[language];
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

export function I18nProvider({ language, children }: { language: Language; children: ReactNode }) {
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const value = useMemo<I18n>(() => {
    const date = new Intl.DateTimeFormat(locales[language], { dateStyle: "medium" });
    const dateTime = new Intl.DateTimeFormat(locales[language], {
      dateStyle: "medium",
      timeStyle: "short",
    });
    return {
      language,
      t: catalogs[language],
      formatDate: (iso) => date.format(new Date(iso)),
      formatDateTime: (iso) => dateTime.format(new Date(iso)),
    };
  }, [language]);
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
