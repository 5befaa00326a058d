"use client";

// The plans (GET /api/subscriptions/plans): what each gives and costs in the viewer's currency,
// the trial while the account still has one, the current plan marked. Choosing one starts a
// checkout (the payment page: this app's development checkout, or the provider's), changes the
// plan of a live subscription, or pays again for one on hold.
import { Loader2, Sparkles } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

import type { Currency, Plan, SubscriptionOverview } from "@/api/types";
import { ErrorNotice, FormError } from "@/components/error-notice";
import { PageBoundary } from "@/components/page-boundary";
import { PageTitle } from "@/components/page-title";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
} from "@/components/ui/alert-dialog";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardFooter, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import { cn } from "@/lib/utils";
import { useResource } from "@/lib/use-resource";
import { useSession } from "@/session/SessionProvider";
import { onPlanChange, planChanged, subscriptionsApi } from "@/subscriptions/api";
import { goToCheckout } from "@/subscriptions/go-to-checkout";
import { formatMoney, preferredCurrency, storeCurrency } from "@/subscriptions/money";
import { PlanFeatureList } from "@/subscriptions/plan-features";

/** Statuses whose subscription is live: a plan change, not a new checkout. */
const LIVE = new Set(["trialing", "active", "past_due", "paused"]);

type Choice =
  | { kind: "current" }
  | { kind: "signIn" }
  | { kind: "checkout"; trial: boolean }
  | { kind: "payAgain" }
  | { kind: "change" }
  | { kind: "freeNote"; live: boolean };

function choiceFor(plan: Plan, me: SubscriptionOverview | null, signedIn: boolean): Choice {
  if (!signedIn || me === null) return plan.interval === null ? { kind: "freeNote", live: false } : { kind: "signIn" };
  const subscription = me.subscription;
  const live = subscription !== null && LIVE.has(subscription.status);
  const current = live ? subscription.plan_code : me.entitlement.plan_code;
  if (plan.code === current) return { kind: "current" };
  if (plan.interval === null) return live ? { kind: "freeNote", live } : { kind: "current" };
  if (live) return { kind: "change" };
  if (subscription?.status === "unpaid") return { kind: "payAgain" };
  return { kind: "checkout", trial: me.trial_available && plan.trial_days > 0 };
}

/** How much a yearly price saves against twelve months of the monthly plan of the same tier. */
function yearlySaving(plan: Plan, plans: readonly Plan[], currency: Currency): number | null {
  if (plan.interval !== "year") return null;
  const monthly = plans.find((p) => p.interval === "month" && p.features.tier === plan.features.tier);
  const year = Number(plan.prices[currency]);
  const month = Number(monthly?.prices[currency]);
  if (!monthly || !(year > 0) || !(month > 0)) return null;
  const saving = Math.round((1 - year / (12 * month)) * 100);
  return saving > 0 ? saving : null;
}

function PlanCard({
  plan,
  plans,
  currency,
  choice,
  busy,
  onChoose,
}: {
  plan: Plan;
  plans: readonly Plan[];
  currency: Currency;
  choice: Choice;
  busy: boolean;
  onChoose: (plan: Plan, choice: Choice) => void;
}) {
  const { t, language } = useI18n();
  const amount = plan.prices[currency];
  const price = amount ? formatMoney(amount, currency, language) : null;
  const saving = yearlySaving(plan, plans, currency);
  const current = choice.kind === "current";
  const trial = choice.kind === "checkout" && choice.trial;
  const premium = plan.features.tier === "premium";
  return (
    <Card
      className={cn("relative flex flex-col", current ? "ring-2 ring-primary" : premium ? "border-premium/40" : undefined)}
      data-testid="plan"
      data-plan={plan.code}
      data-current={current || undefined}
    >
      <CardHeader className="gap-3">
        <div className="flex min-h-6 flex-wrap items-center gap-2">
          <h2 className="text-lg font-bold">{plan.name}</h2>
          {current ? <Badge>{t.plans.current}</Badge> : null}
          {saving !== null ? <Badge variant="premium">{t.plans.save(saving)}</Badge> : null}
        </div>
        <p className="flex items-baseline gap-1.5">
          {price === null ? (
            <>
              <span className="text-4xl font-extrabold tracking-tight tabular-nums">{formatMoney("0", currency, language)}</span>
              <span className="text-muted-foreground">{t.plans.forever}</span>
            </>
          ) : (
            <>
              <span className="text-4xl font-extrabold tracking-tight tabular-nums">{price}</span>
              <span className="text-muted-foreground">{plan.interval === "year" ? t.plans.perYear : t.plans.perMonth}</span>
            </>
          )}
        </p>
        {plan.interval === "year" && amount ? (
          <p className="text-sm text-muted-foreground">
            {t.plans.monthlyEquivalent(formatMoney((Number(amount) / 12).toFixed(2), currency, language))}
          </p>
        ) : null}
        {trial && price ? (
          <p className="flex items-center gap-2 text-sm font-medium text-premium">
            <Sparkles aria-hidden="true" className="size-4" />
            {t.plans.trialOffer(plan.trial_days)}
          </p>
        ) : null}
      </CardHeader>
      <CardContent className="flex-1">
        <PlanFeatureList features={plan.features} />
      </CardContent>
      <CardFooter className="grid gap-2">
        {choice.kind === "current" ? (
          <Button variant="secondary" disabled className="w-full">
            {t.plans.yourPlan}
          </Button>
        ) : choice.kind === "freeNote" ? (
          <p className="text-sm text-muted-foreground">{choice.live ? t.plans.toFree : t.plans.freeNote}</p>
        ) : choice.kind === "signIn" ? (
          <Button asChild className="w-full">
            <Link href={`/signin/?next=${encodeURIComponent("/plans/")}`}>{t.plans.signInToChoose}</Link>
          </Button>
        ) : (
          <Button
            className="w-full"
            variant={premium ? "default" : "secondary"}
            disabled={busy}
            onClick={() => onChoose(plan, choice)}
            data-testid="plan-choose"
          >
            {busy ? <Loader2 aria-hidden="true" className="animate-spin" /> : null}
            {choice.kind === "checkout"
              ? choice.trial
                ? t.plans.startTrial
                : t.plans.choose(plan.name)
              : choice.kind === "payAgain"
                ? t.plans.payAgain(plan.name)
                : t.plans.switchTo(plan.name)}
          </Button>
        )}
        {trial && price ? <p className="text-xs text-muted-foreground">{t.plans.trialNote(plan.trial_days, price)}</p> : null}
      </CardFooter>
    </Card>
  );
}

function Plans() {
  const { t } = useI18n();
  const router = useRouter();
  const { state } = useSession();
  const signedIn = state.status === "signedIn";
  const userId = signedIn ? state.user.id : null;
  const [version, setVersion] = useState(0);
  useEffect(() => onPlanChange(() => setVersion((n) => n + 1)), []);
  const plans = useResource("plans", (signal) => subscriptionsApi.plans(signal));
  const me = useResource(userId ? `me:${userId}:${version}` : null, (signal) => subscriptionsApi.me(signal));
  const [chosenCurrency, setChosenCurrency] = useState<Currency | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState<Plan | null>(null);

  const waitingForAccount = state.status === "loading" || (signedIn && me.status === "loading");
  if (plans.status === "error") return <ErrorNotice error={plans.error} onRetry={plans.reload} />;
  if (me.status === "error" && signedIn) return <ErrorNotice error={me.error} onRetry={me.reload} />;
  if (plans.status === "loading" || waitingForAccount) {
    return (
      <div className="grid gap-6 md:grid-cols-3" aria-hidden="true">
        {[0, 1, 2].map((n) => (
          <Skeleton key={n} className="h-96 rounded-xl" />
        ))}
      </div>
    );
  }

  const overview = me.status === "ready" ? me.data : null;
  const offered = [...new Set(plans.data.flatMap((plan) => Object.keys(plan.prices) as Currency[]))];
  const currency =
    chosenCurrency ?? preferredCurrency(offered, { subscription: overview?.subscription?.currency ?? null }) ?? "USD";
  const onHold = overview?.subscription?.status === "unpaid";

  async function choose(plan: Plan, choice: Choice) {
    setError(null);
    if (choice.kind === "change") {
      setConfirm(plan);
      return;
    }
    if (choice.kind !== "checkout" && choice.kind !== "payAgain") return;
    setBusy(plan.code);
    try {
      const checkout = await subscriptionsApi.checkout({
        plan_code: plan.code,
        currency,
        trial: choice.kind === "checkout" && choice.trial,
      });
      goToCheckout(checkout.url, router.push);
    } catch (caught) {
      setError(caught);
      setBusy(null);
    }
  }

  async function change(plan: Plan) {
    setBusy(plan.code);
    setError(null);
    try {
      await subscriptionsApi.changePlan(plan.code);
      await planChanged();
      router.push("/account/");
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="grid gap-6">
      {offered.length > 1 ? (
        <div className="flex flex-wrap items-center gap-3 text-sm">
          <span id="currency-label" className="text-muted-foreground">
            {t.plans.pricesIn}
          </span>
          <div role="radiogroup" aria-labelledby="currency-label" className="inline-flex rounded-lg border border-border p-1">
            {offered.map((code) => (
              <button
                key={code}
                type="button"
                role="radio"
                aria-checked={code === currency}
                onClick={() => {
                  setChosenCurrency(code);
                  storeCurrency(code);
                }}
                className="rounded-md px-3 py-1.5 font-medium text-muted-foreground aria-checked:bg-secondary aria-checked:text-foreground focus-visible:outline-3 focus-visible:outline-ring"
              >
                {t.plans.currencies[code]}
              </button>
            ))}
          </div>
        </div>
      ) : null}
      {onHold ? (
        <Alert variant="destructive" role="status">
          <AlertDescription>
            <p>{t.plans.onHold}</p>
          </AlertDescription>
        </Alert>
      ) : null}
      <FormError error={error} />
      <div className="grid gap-6 md:grid-cols-3">
        {plans.data.map((plan) => (
          <PlanCard
            key={plan.code}
            plan={plan}
            plans={plans.data}
            currency={currency}
            choice={choiceFor(plan, overview, signedIn)}
            busy={busy === plan.code}
            onChoose={(p, c) => void choose(p, c)}
          />
        ))}
      </div>
      <AlertDialog open={confirm !== null} onOpenChange={(open) => (open ? undefined : setConfirm(null))}>
        <AlertDialogContent>
          <AlertDialogHeader>
            <AlertDialogTitle>{confirm ? t.plans.changeTitle(confirm.name) : null}</AlertDialogTitle>
            <AlertDialogDescription>{t.plans.changeBody}</AlertDialogDescription>
          </AlertDialogHeader>
          <AlertDialogFooter>
            <AlertDialogCancel>{t.common.cancel}</AlertDialogCancel>
            <AlertDialogAction
              onClick={() => {
                const plan = confirm;
                setConfirm(null);
                if (plan) void change(plan);
              }}
              data-testid="plan-change-confirm"
            >
              {t.plans.confirmChange}
            </AlertDialogAction>
          </AlertDialogFooter>
        </AlertDialogContent>
      </AlertDialog>
    </div>
  );
}

export default function PlansPage() {
  const { t } = useI18n();
  return (
    <PageBoundary>
      <PageTitle select={(messages) => messages.plans.title} />
      <div className="mx-auto grid max-w-6xl gap-8 px-4 py-10 sm:px-8">
        <div className="max-w-2xl">
          <h1 className="text-3xl font-bold sm:text-4xl">{t.plans.heading}</h1>
          <p className="mt-3 text-lg text-muted-foreground">{t.plans.intro}</p>
        </div>
        <Plans />
      </div>
    </PageBoundary>
  );
}
