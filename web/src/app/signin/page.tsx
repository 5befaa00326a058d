"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent } from "react";

import { AuthCard, AuthSkeleton } from "@/components/auth-card";
import { PageTitle } from "@/components/page-title";
import { Field } from "@/components/field";
import { FormError } from "@/components/error-notice";
import { PageBoundary } from "@/components/page-boundary";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";
import { safeNext } from "@/session/gate";
import { useSession } from "@/session/SessionProvider";

function SignInForm() {
  const t = useT();
  const router = useRouter();
  const params = useSearchParams();
  const { signIn } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get("next"));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const session = await signIn(String(form.get("email")), String(form.get("password")));
      // Several profiles: ask who is watching first.
      router.push(session.profile ? next : `/profiles/?next=${encodeURIComponent(next)}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <>
    <AuthCard
      title={t.auth.signInTitle}
      description={t.auth.signInIntro}
      footer={
        <p>
          {t.auth.noAccount}{" "}
          <Link className="font-semibold text-primary underline-offset-4 hover:underline" href={`/signup/?next=${encodeURIComponent(next)}`}>
            {t.auth.createAccount}
          </Link>
        </p>
      }
    >
      {params.get("signedOut") ? (
        <Alert role="status">
          <AlertDescription>{t.auth.signedOut}</AlertDescription>
        </Alert>
      ) : null}
      <form className="grid gap-4" onSubmit={onSubmit} noValidate={false}>
        <Field label={t.auth.email} name="email" type="email" autoComplete="email" required />
        <Field
          label={t.auth.password}
          name="password"
          type="password"
          autoComplete="current-password"
          required
        />
        <FormError error={error} />
        <Button type="submit" size="lg" disabled={busy}>
          {busy ? t.auth.signingIn : t.auth.signInButton}
        </Button>
        <Link className="text-sm text-primary underline-offset-4 hover:underline" href="/reset-password/">
          {t.auth.forgotPassword}
        </Link>
      </form>
    </AuthCard>
    </>
  );
}

export default function SignInPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.auth.signInTitle} />
      <Suspense fallback={<AuthSkeleton />}>
        <SignInForm />
      </Suspense>
    </PageBoundary>
  );
}
