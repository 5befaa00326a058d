"use client";

// The development payment provider's checkout (/checkout/?reference=…): what is paid for and
// due now, a card form with the provider's test cards, and on success the account page. A
// checkout of another provider is paid on that provider's page.
import { CreditCard, Loader2, Lock } from "lucide-react";
import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState, type FormEvent } from "react";

import type { Checkout } from "@/api/types";
import { ErrorNotice, FormError } from "@/components/error-notice";
import { Field } from "@/components/field";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { useResource } from "@/lib/use-resource";
import { useAccountGate } from "@/session/gate";
import { planChanged, subscriptionsApi } from "@/subscriptions/api";
import { formatMoney } from "@/subscriptions/money";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The development provider's test cards (src/ott/subscriptions/providers/development.py). */
const TEST_CARDS = [
  { number: "4242 4242 4242 4242", behaviour: "ok" },
  { number: "4000 0000 0000 0341", behaviour: "failsLater" },
  { number: "4000 0000 0000 0002", behaviour: "declined" },
] as const;

/** "4242424242424242" as "4242 4242 4242 4242" while typing. */
function grouped(value: string): string {
  return value
    .replace(/\D/g, "")
    .slice(0, 19)
    .replace(/(\d{4})(?=\d)/g, "$1 ");
}

function Summary({ checkout }: { checkout: Checkout }) {
  const { t, language } = useI18n();
  const plans = useResource("plans", (signal) => subscriptionsApi.plans(signal));
  const amount = formatMoney(checkout.amount, checkout.currency, language);
  const dueNow = formatMoney(checkout.due_now, checkout.currency, language);
  const interval = plans.data?.find((plan) => plan.code === checkout.plan_code)?.interval ?? null;
  return (
    <dl className="grid gap-3 rounded-lg border border-border bg-secondary/40 p-4 text-sm">
      <div className="flex items-baseline justify-between gap-4">
        <dt className="text-muted-foreground">{t.checkout.plan}</dt>
        <dd className="text-right font-semibold" data-testid="checkout-plan">
          {checkout.plan_name}
        </dd>
      </div>
      {interval === null ? null : (
        <div className="flex items-baseline justify-between gap-4">
          <dt className="text-muted-foreground">
            {checkout.trial_days > 0 ? t.checkout.trialDays(checkout.trial_days) : t.checkout.billing}
          </dt>
          <dd className="text-right">
            {checkout.trial_days > 0 ? t.checkout.thenEvery(amount, interval) : t.checkout.every(amount, interval)}
          </dd>
        </div>
      )}
      <div className="flex items-baseline justify-between gap-4 border-t border-border pt-3">
        <dt className="font-semibold">{t.checkout.dueToday}</dt>
        <dd className="text-right text-2xl font-extrabold tabular-nums" data-testid="checkout-due">
          {dueNow}
        </dd>
      </div>
    </dl>
  );
}

function CardForm({ checkout }: { checkout: Checkout }) {
  const { t, language } = useI18n();
  const router = useRouter();
  const [card, setCard] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // Another card: the last card's decline no longer applies.
  const chooseCard = (number: string) => {
    setCard(number);
    setError(null);
  };
  const dueNow = formatMoney(checkout.due_now, checkout.currency, language);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await subscriptionsApi.completeCheckout(checkout.reference, card);
      await planChanged();
      router.push(`/account/?checkout=${encodeURIComponent(checkout.reference)}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <form className="grid gap-5" onSubmit={onSubmit} data-testid="checkout-form">
      <Field
        label={t.checkout.cardNumber}
        name="card"
        inputMode="numeric"
        autoComplete="cc-number"
        placeholder="4242 4242 4242 4242"
        value={card}
        onChange={(event) => chooseCard(grouped(event.target.value))}
        required
        minLength={12}
        data-testid="checkout-card"
      />
      <div className="grid gap-2">
        <p className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">{t.checkout.testCards}</p>
        <ul className="grid gap-1.5">
          {TEST_CARDS.map(({ number, behaviour }) => (
            <li key={number}>
              <button
                type="button"
                onClick={() => chooseCard(number)}
                aria-label={t.checkout.useCard(number)}
                className="flex w-full flex-wrap items-center justify-between gap-x-4 gap-y-1 rounded-md border border-border px-3 py-2 text-left text-sm hover:bg-accent focus-visible:outline-3 focus-visible:outline-ring"
              >
                <span className="flex items-center gap-2 font-mono tabular-nums">
                  <CreditCard aria-hidden="true" className="size-4 text-muted-foreground" />
                  {number}
                </span>
                <span className="text-xs text-muted-foreground">{t.checkout.cards[behaviour]}</span>
              </button>
            </li>
          ))}
        </ul>
        <p className="text-xs text-muted-foreground">{t.checkout.cardHint}</p>
      </div>
      <FormError error={error} />
      <Button type="submit" size="lg" disabled={busy} data-testid="checkout-pay">
        {busy ? <Loader2 aria-hidden="true" className="animate-spin" /> : <Lock aria-hidden="true" />}
        {busy ? t.checkout.paying : checkout.trial_days > 0 ? t.checkout.startTrial : t.checkout.pay(dueNow)}
      </Button>
    </form>
  );
}

function Ended({ text, toAccount }: { text: string; toAccount?: boolean }) {
  const { t } = useI18n();
  return (
    <div className="grid gap-4">
      <Alert role="status">
        <AlertDescription>
          <p className="text-foreground">{text}</p>
        </AlertDescription>
      </Alert>
      <Button asChild variant={toAccount ? "default" : "secondary"} className="justify-self-start">
        <Link href={toAccount ? "/account/" : "/plans/"}>{toAccount ? t.checkout.toAccount : t.checkout.backToPlans}</Link>
      </Button>
    </div>
  );
}

function CheckoutBody({ reference }: { reference: string }) {
  const { t, formatDateTime } = useI18n();
  const gate = useAccountGate();
  const checkout = useResource(gate.kind === "ready" ? `checkout:${reference}` : null, (signal) =>
    subscriptionsApi.getCheckout(reference, signal),
  );
  if (gate.kind === "error") return <ErrorNotice error={gate.error} onRetry={gate.retry} />;
  if (checkout.status === "error") return <ErrorNotice error={checkout.error} onRetry={checkout.reload} />;
  if (checkout.status === "loading") {
    return (
      <div className="grid gap-4" aria-hidden="true">
        <Skeleton className="h-32 w-full" />
        <Skeleton className="h-64 w-full" />
      </div>
    );
  }
  const data = checkout.data;
  const expired = data.status === "expired" || (data.status === "open" && Date.parse(data.expires_at) <= Date.now());
  return (
    <div className="grid gap-6">
      <Summary checkout={data} />
      {data.status === "completed" ? (
        <Ended text={t.checkout.completed} toAccount />
      ) : expired ? (
        <Ended text={t.checkout.expired} />
      ) : data.status === "canceled" ? (
        <Ended text={t.checkout.canceled} />
      ) : data.provider !== "development" ? (
        <div className="grid gap-3">
          <p className="text-sm text-muted-foreground">{t.checkout.elsewhere}</p>
          <Button className="justify-self-start" onClick={() => window.location.assign(data.url)}>
            {t.checkout.continueAtProvider}
          </Button>
        </div>
      ) : (
        <>
          <CardForm checkout={data} />
          <p className="text-xs text-muted-foreground">{t.checkout.openUntil(formatDateTime(data.expires_at))}</p>
        </>
      )}
    </div>
  );
}

function CheckoutPageBody() {
  const { t } = useI18n();
  const reference = useSearchParams().get("reference") ?? "";
  return (
    <div className="mx-auto grid max-w-lg gap-6 px-4 py-10">
      <Card>
        <CardHeader>
          <h1 className="flex items-center gap-2 text-2xl font-semibold leading-tight">
            <Lock aria-hidden="true" className="size-5 text-muted-foreground" />
            {t.checkout.heading}
          </h1>
          <CardDescription>{t.checkout.cardHint}</CardDescription>
        </CardHeader>
        <CardContent>
          {UUID.test(reference) ? <CheckoutBody reference={reference} /> : <Ended text={t.checkout.missing} />}
        </CardContent>
      </Card>
    </div>
  );
}

export default function CheckoutPage() {
  return (
    <PageBoundary>
      <PageTitle select={(t) => t.checkout.title} />
      <Suspense fallback={null}>
        <CheckoutPageBody />
      </Suspense>
    </PageBoundary>
  );
}
