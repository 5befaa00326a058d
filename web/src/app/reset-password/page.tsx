"use client";

import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent } from "react";

import { succeed } from "@/api/client";
import { AuthCard, AuthSkeleton } from "@/components/auth-card";
import { FormError } from "@/components/error-notice";
import { Field } from "@/components/field";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { useT } from "@/i18n";
import { fieldMessages } from "@/lib/describe-error";
import { api } from "@/session/api";

function BackToSignIn() {
  const t = useT();
  return (
    <Link className="font-semibold text-primary underline-offset-4 hover:underline" href="/signin/">
      {t.auth.backToSignIn}
    </Link>
  );
}

/** Step one: mail a reset link. The answer is the same whether or not the account exists. */
function RequestReset() {
  const t = useT();
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email"));
    setBusy(true);
    setError(null);
    try {
      await succeed(api.POST("/api/auth/password-reset", { body: { email } }));
      setSent(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title={t.auth.resetTitle} description={t.auth.resetIntro} footer={<BackToSignIn />}>
      {sent ? (
        <Alert variant="success" role="status">
          <AlertDescription>
            <p className="text-foreground">{t.auth.resetSent}</p>
            <p className="mt-2">{t.auth.devOutbox}</p>
          </AlertDescription>
        </Alert>
      ) : (
        <form className="grid gap-4" onSubmit={onSubmit}>
          <Field label={t.auth.email} name="email" type="email" autoComplete="email" required />
          <FormError error={error} />
          <Button type="submit" size="lg" disabled={busy}>
            {busy ? t.auth.sending : t.auth.sendLink}
          </Button>
          <Link className="text-sm text-primary underline-offset-4 hover:underline" href="/reset-password/?code=1">
            {t.auth.haveCode}
          </Link>
        </form>
      )}
    </AuthCard>
  );
}

/** Step two: the link from the mail carries the token; a new password ends every session. */
function ConfirmReset({ token }: { token: string }) {
  const t = useT();
  const [done, setDone] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await succeed(
        api.POST("/api/auth/password-reset/confirm", {
          body: { token: String(form.get("token")).trim(), new_password: String(form.get("password")) },
        }),
      );
      setDone(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title={t.auth.confirmTitle} description={token ? undefined : t.auth.confirmIntro} footer={<BackToSignIn />}>
      {done ? (
        <Alert variant="success" role="status">
          <AlertDescription>
            <p className="text-foreground">{t.auth.resetDone}</p>
          </AlertDescription>
        </Alert>
      ) : (
        <form className="grid gap-4" onSubmit={onSubmit}>
          {token ? (
            <input type="hidden" name="token" value={token} />
          ) : (
            <Field
              label={t.auth.resetCode}
              name="token"
              required
              minLength={16}
              autoComplete="one-time-code"
              problems={fieldMessages(error, "token")}
            />
          )}
          <Field
            label={t.auth.newPassword}
            hint={t.auth.passwordHint}
            name="password"
            type="password"
            autoComplete="new-password"
            minLength={8}
            required
            problems={fieldMessages(error, "new_password")}
          />
          <FormError error={error} />
          <Button type="submit" size="lg" disabled={busy}>
            {busy ? t.common.saving : t.auth.setPassword}
          </Button>
        </form>
      )}
    </AuthCard>
  );
}

function ResetPassword() {
  const params = useSearchParams();
  const token = params.get("token");
  const confirming = token !== null || params.has("code");
  return confirming ? <ConfirmReset token={token ?? ""} /> : <RequestReset />;
}

export default function ResetPasswordPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.auth.resetTitle} />
      <Suspense fallback={<AuthSkeleton />}>
        <ResetPassword />
      </Suspense>
    </PageBoundary>
  );
}
