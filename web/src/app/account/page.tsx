"use client";

import { LogOut, Monitor } from "lucide-react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useState, type FormEvent } from "react";

import { succeed, unwrap } from "@/api/client";
import type { AuthSession } from "@/api/types";
import { FormError, ErrorNotice } from "@/components/error-notice";
import { Field } from "@/components/field";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { ProfileAvatar } from "@/components/profile-avatar";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { fieldMessages } from "@/lib/describe-error";
import { useResource } from "@/lib/use-resource";
import { api } from "@/session/api";
import { useAccountGate } from "@/session/gate";
import { useSession, type SignedIn } from "@/session/SessionProvider";
import { onPlanChange, subscriptionsApi } from "@/subscriptions/api";
import { InvoicesCard } from "@/subscriptions/invoices-card";
import { SubscriptionCard } from "@/subscriptions/subscription-card";

function Overview({ session }: { session: SignedIn }) {
  const { t, formatDate } = useI18n();
  const { user, profiles } = session;
  return (
    <Card>
      <CardHeader>
        <CardDescription>{t.account.memberSince(formatDate(user.created_at))}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-6">
        <dl className="grid gap-4 text-sm sm:grid-cols-2">
          <div>
            <dt className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">{t.account.email}</dt>
            <dd className="mt-1 break-all text-base">{user.email}</dd>
          </div>
        </dl>
        <div>
          <h2 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">{t.account.profiles}</h2>
          <ul className="mt-3 flex flex-wrap gap-4">
            {profiles.map((profile) => (
              <li key={profile.id} className="flex items-center gap-2">
                <ProfileAvatar profile={profile} className="size-8" />
                <span>{profile.name}</span>
                {profile.is_kids ? <Badge variant="outline">{t.common.kids}</Badge> : null}
              </li>
            ))}
          </ul>
          <Button asChild variant="outline" size="sm" className="mt-4">
            <Link href="/profiles/?manage=1">{t.nav.manageProfiles}</Link>
          </Button>
        </div>
      </CardContent>
    </Card>
  );
}

function PasswordCard() {
  const { t } = useI18n();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await succeed(
        api.POST("/api/auth/password", {
          body: {
            current_password: String(form.get("current")),
            new_password: String(form.get("new")),
          },
        }),
      );
      formElement.reset();
      setDone(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>{t.account.passwordTitle}</CardTitle>
      </CardHeader>
      <CardContent>
        <form className="grid max-w-md gap-4" onSubmit={onSubmit}>
          <Field
            label={t.account.currentPassword}
            name="current"
            type="password"
            autoComplete="current-password"
            required
            problems={fieldMessages(error, "current_password")}
          />
          <Field
            label={t.account.newPassword}
            hint={t.auth.passwordHint}
            name="new"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            problems={fieldMessages(error, "new_password")}
          />
          <FormError error={error} />
          {done ? (
            <Alert variant="success" role="status">
              <AlertDescription>
                <p className="text-foreground">{t.account.passwordChanged}</p>
              </AlertDescription>
            </Alert>
          ) : null}
          <Button type="submit" className="justify-self-start" disabled={busy}>
            {busy ? t.common.saving : t.account.changePassword}
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}

function SessionRow({ session, onEnd }: { session: AuthSession; onEnd: () => Promise<void> }) {
  const { t, formatDateTime } = useI18n();
  const [busy, setBusy] = useState(false);
  const name = session.device || t.account.unknownDevice;
  return (
    <li className="flex flex-wrap items-center gap-3 py-3">
      <Monitor aria-hidden="true" className="size-5 text-muted-foreground" />
      <div className="min-w-0 flex-1">
        <p className="font-medium">
          {name}
          {session.current ? (
            <Badge variant="secondary" className="ml-2">
              {t.account.thisDevice}
            </Badge>
          ) : null}
        </p>
        <p className="text-xs text-muted-foreground">
          {t.account.signedInAt(formatDateTime(session.created_at))} ·{" "}
          {t.account.lastActive(formatDateTime(session.last_used_at))}
        </p>
      </div>
      {session.current ? null : (
        <Button
          variant="outline"
          size="sm"
          disabled={busy}
          aria-label={t.account.endSessionNamed(name)}
          onClick={() => {
            setBusy(true);
            void onEnd().finally(() => setBusy(false));
          }}
        >
          {t.account.endSession}
        </Button>
      )}
    </li>
  );
}

function SessionsCard({ userId }: { userId: string }) {
  const { t } = useI18n();
  const router = useRouter();
  const { signOut } = useSession();
  const sessions = useResource(`sessions:${userId}`, (signal) =>
    unwrap(api.GET("/api/auth/sessions", { signal })),
  );
  const [error, setError] = useState<unknown>(null);

  async function end(id: string) {
    setError(null);
    try {
      await succeed(
        api.DELETE("/api/auth/sessions/{session_id}", { params: { path: { session_id: id } } }),
      );
      if (sessions.status === "ready") sessions.set(sessions.data.filter((s) => s.id !== id));
    } catch (caught) {
      setError(caught);
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>{t.account.sessionsTitle}</CardTitle>
        <CardDescription>{t.account.sessionsIntro}</CardDescription>
      </CardHeader>
      <CardContent className="grid gap-4">
        {sessions.status === "loading" ? (
          <div className="grid gap-3" aria-hidden="true">
            <Skeleton className="h-12 w-full" />
            <Skeleton className="h-12 w-full" />
          </div>
        ) : sessions.status === "error" ? (
          <ErrorNotice error={sessions.error} onRetry={sessions.reload} />
        ) : (
          <ul className="divide-y divide-border">
            {sessions.data.map((session) => (
              <SessionRow key={session.id} session={session} onEnd={() => end(session.id)} />
            ))}
          </ul>
        )}
        {error ? <ErrorNotice error={error} /> : null}
        <Button
          variant="secondary"
          className="justify-self-start"
          onClick={() => {
            router.push("/signin/?signedOut=1");
            void signOut();
          }}
        >
          <LogOut aria-hidden="true" />
          {t.nav.signOut}
        </Button>
      </CardContent>
    </Card>
  );
}

function Subscription({ userId }: { userId: string }) {
  const welcome = useSearchParams().has("checkout");
  const [version, setVersion] = useState(0);
  useEffect(() => onPlanChange(() => setVersion((n) => n + 1)), []);
  const overview = useResource(`me:${userId}:${version}`, (signal) => subscriptionsApi.me(signal));
  const plans = useResource("plans", (signal) => subscriptionsApi.plans(signal));
  return (
    <>
      <SubscriptionCard overview={overview} plans={plans} welcome={welcome} />
      <InvoicesCard reloadKey={`${userId}:${version}`} />
    </>
  );
}

function Account() {
  const { t } = useI18n();
  const gate = useAccountGate();
  return (
    <div className="mx-auto grid max-w-3xl gap-6 px-4 py-8 sm:px-8">
      <h1 className="text-3xl font-bold">{t.account.title}</h1>
      {gate.kind === "ready" ? (
        <>
          <Overview session={gate.session} />
          <Subscription userId={gate.session.user.id} />
          <PasswordCard />
          <SessionsCard userId={gate.session.user.id} />
        </>
      ) : gate.kind === "error" ? (
        <ErrorNotice error={gate.error} onRetry={gate.retry} />
      ) : (
        <div className="grid gap-6" aria-hidden="true">
          <Skeleton className="h-56 w-full rounded-xl" />
          <Skeleton className="h-72 w-full rounded-xl" />
        </div>
      )}
    </div>
  );
}

export default function AccountPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.account.title} />
      <Suspense fallback={null}>
        <Account />
      </Suspense>
    </PageBoundary>
  );
}
