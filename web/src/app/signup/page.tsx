"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent } from "react";

import { AuthCard, AuthSkeleton } from "@/components/auth-card";
import { FormError } from "@/components/error-notice";
import { Field } from "@/components/field";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";
import { fieldMessages } from "@/lib/describe-error";
import { safeNext } from "@/session/gate";
import { useSession } from "@/session/SessionProvider";

function SignUpForm() {
  const t = useT();
  const router = useRouter();
  const params = useSearchParams();
  const { signUp } = useSession();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get("next"));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signUp(
        String(form.get("email")),
        String(form.get("password")),
        String(form.get("name") ?? "").trim() || undefined,
      );
      router.push(next);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <>
      <AuthCard
        title={t.auth.signUpTitle}
        description={t.auth.signUpIntro}
        footer={
          <p>
            {t.auth.haveAccount}{" "}
            <Link
              className="font-semibold text-primary underline-offset-4 hover:underline"
              href={`/signin/?next=${encodeURIComponent(next)}`}
            >
              {t.auth.signInButton}
            </Link>
          </p>
        }
      >
        <form className="grid gap-4" onSubmit={onSubmit}>
          <Field
            label={t.auth.profileName}
            hint={t.auth.profileNameHint}
            name="name"
            autoComplete="nickname"
            maxLength={100}
          />
          <Field
            label={t.auth.email}
            name="email"
            type="email"
            autoComplete="email"
            required
            problems={fieldMessages(error, "email")}
          />
          <Field
            label={t.auth.password}
            hint={t.auth.passwordHint}
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            problems={fieldMessages(error, "password")}
          />
          <FormError error={error} />
          <Button type="submit" size="lg" disabled={busy}>
            {busy ? t.auth.signingUp : t.auth.signUpButton}
          </Button>
        </form>
      </AuthCard>
    </>
  );
}

export default function SignUpPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.auth.signUpTitle} />
      <Suspense fallback={<AuthSkeleton />}>
        <SignUpForm />
      </Suspense>
    </PageBoundary>
  );
}
