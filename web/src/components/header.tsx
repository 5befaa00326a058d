"use client";

import { Bookmark, Compass, Home, Languages, LogOut, Search, User, Users } from "lucide-react";
import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { isLanguage, useT, type Language } from "@/i18n";
import { cn } from "@/lib/utils";
import { useSession } from "@/session/SessionProvider";

import { ProfileAvatar } from "./profile-avatar";

function useNavItems() {
  const t = useT();
  return [
    { href: "/", label: t.nav.home, icon: Home },
    { href: "/browse/", label: t.nav.browse, icon: Compass },
    { href: "/search/", label: t.nav.search, icon: Search },
    { href: "/watchlist/", label: t.nav.watchlist, icon: Bookmark },
  ];
}

function isCurrent(pathname: string, href: string): boolean {
  const path = pathname.endsWith("/") ? pathname : `${pathname}/`;
  return href === "/" ? path === "/" : path.startsWith(href);
}

function LanguageMenu() {
  const t = useT();
  const { language, setLanguage } = useSession();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <Button variant="ghost" size="icon" aria-label={t.nav.language}>
          <Languages aria-hidden="true" />
        </Button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="min-w-40">
        <DropdownMenuLabel>{t.nav.language}</DropdownMenuLabel>
        <DropdownMenuRadioGroup
          value={language}
          onValueChange={(value) => {
            if (isLanguage(value)) void setLanguage(value as Language);
          }}
        >
          {(["en", "hi"] as const).map((code) => (
            <DropdownMenuRadioItem key={code} value={code} lang={code}>
              {t.languages[code]}
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

function ProfileMenu() {
  const t = useT();
  const router = useRouter();
  const { state, selectProfile, signOut } = useSession();
  if (state.status !== "signedIn") return null;
  const current = state.profile;
  return (
    <DropdownMenu>
      <DropdownMenuTrigger asChild>
        <button
          type="button"
          className="rounded-md"
          aria-label={t.nav.profileMenu(current?.name ?? state.user.email)}
        >
          {current ? (
            <ProfileAvatar profile={current} className="size-9" />
          ) : (
            <span className="flex size-9 items-center justify-center rounded-md bg-secondary">
              <User aria-hidden="true" className="size-5" />
            </span>
          )}
        </button>
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end">
        <DropdownMenuLabel>{t.nav.switchProfile}</DropdownMenuLabel>
        {state.profiles.map((profile) => (
          <DropdownMenuItem
            key={profile.id}
            disabled={profile.id === current?.id}
            onSelect={() => {
              // A failure is shown on the profile picker, which can try again.
              selectProfile(profile.id).then(
                () => router.push("/"),
                () => router.push("/profiles/"),
              );
            }}
          >
            <ProfileAvatar profile={profile} className="size-7" />
            <span className="truncate">{profile.name}</span>
            {profile.is_kids ? <span className="ml-auto text-xs text-muted-foreground">{t.common.kids}</span> : null}
          </DropdownMenuItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuItem onSelect={() => router.push("/profiles/?manage=1")}>
          <Users aria-hidden="true" />
          {t.nav.manageProfiles}
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => router.push("/account/")}>
          <User aria-hidden="true" />
          {t.nav.account}
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem
          onSelect={() => {
            router.push("/signin/?signedOut=1");
            void signOut();
          }}
        >
          <LogOut aria-hidden="true" />
          {t.nav.signOut}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}

export function SkipLink() {
  const t = useT();
  return (
    <a
      href="#main"
      className="sr-only z-[100] rounded-md bg-primary font-semibold text-primary-foreground focus:not-sr-only focus:fixed focus:left-4 focus:top-3 focus:whitespace-nowrap focus:px-4 focus:py-2"
    >
      {t.nav.skipToContent}
    </a>
  );
}

export function Header() {
  const t = useT();
  const pathname = usePathname();
  const items = useNavItems();
  const { state } = useSession();
  return (
    <header className="sticky top-0 z-40 border-b border-border/60 bg-background/85 backdrop-blur supports-[backdrop-filter]:bg-background/70">
      <div className="flex h-16 items-center gap-4 px-4 sm:px-8">
        <Link href="/" className="flex items-center gap-2 rounded-md text-xl font-extrabold tracking-tight">
          {/* eslint-disable-next-line @next/next/no-img-element -- a local SVG */}
          <img src="/favicon.svg" alt="" width={28} height={28} />
          <span className="text-primary">{t.brand}</span>
        </Link>
        <nav aria-label={t.nav.main} className="hidden md:block">
          <ul className="flex items-center gap-1">
            {items.map((item) => (
              <li key={item.href}>
                <Link
                  href={item.href}
                  aria-current={isCurrent(pathname, item.href) ? "page" : undefined}
                  className={cn(
                    "rounded-md px-3 py-2 text-sm font-medium text-muted-foreground hover:text-foreground aria-[current=page]:text-foreground",
                    "aria-[current=page]:bg-secondary",
                  )}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <Button asChild variant="ghost" size="icon" className="md:hidden">
            <Link href="/search/" aria-label={t.nav.search}>
              <Search aria-hidden="true" />
            </Link>
          </Button>
          <LanguageMenu />
          {state.status === "signedIn" ? (
            <ProfileMenu />
          ) : state.status === "loading" ? (
            // Holds the place of the avatar while the session is read (no layout shift).
            <span aria-hidden="true" className="size-9 rounded-md bg-muted" />
          ) : (
            <Button asChild size="sm">
              <Link href="/signin/">{t.nav.signIn}</Link>
            </Button>
          )}
        </div>
      </div>
    </header>
  );
}

/** Phones: the same navigation as a bar at the bottom, within thumb reach. */
export function BottomNav() {
  const t = useT();
  const pathname = usePathname();
  const items = useNavItems();
  return (
    <nav
      aria-label={t.nav.main}
      className="fixed inset-x-0 bottom-0 z-40 border-t border-border bg-background/95 pb-[env(safe-area-inset-bottom)] backdrop-blur md:hidden"
    >
      <ul className="grid grid-cols-4">
        {items.map(({ href, label, icon: Icon }) => (
          <li key={href}>
            <Link
              href={href}
              aria-current={isCurrent(pathname, href) ? "page" : undefined}
              className="flex flex-col items-center gap-1 py-2 text-xs text-muted-foreground aria-[current=page]:text-primary"
            >
              <Icon aria-hidden="true" className="size-5" />
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function Footer() {
  const t = useT();
  return (
    <footer className="mt-16 border-t border-border px-4 pb-24 pt-8 text-sm text-muted-foreground sm:px-8 md:pb-8">
      <p>
        <span className="font-semibold text-foreground">{t.brand}</span> · {t.nav.footer}
      </p>
    </footer>
  );
}
