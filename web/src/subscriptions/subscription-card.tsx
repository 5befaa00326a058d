"use client";

// The account page's subscription: the plan now and what it includes, its status (trial until,
// renews on, ends on, payment failed, on hold), what is pending, and the viewer's choices:
// upgrade or change, cancel at the period's end, take the cancel back, pay again after a hold.
import { AlertTriangle, CheckCircle2, Loader2 } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";

import type { Plan, Subscription, SubscriptionOverview } from "@/api/types";
import { ErrorNotice, FormError } from "@/components/error-notice";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { Alert, AlertDescription } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { useI18n } from "@/i18n";
import type { Resource } from "@/lib/use-resource";

import { planChanged, subscriptionsApi } from "./api";
import { goToCheckout } from "./go-to-checkout";
import { PlanFeatureList } from "./plan-features";

export function statusLine(
  t: ReturnType<typeof useI18n>["t"],
  formatDate: (iso: string) => string,
  overview: SubscriptionOverview,
  planName: (code: string) => string,
): { text: string; warning: boolean } {
  const subscription = overview.subscription;
  if (subscription === null) return { text: t.billing.noPlan, warning: false };
  const end = formatDate(subscription.current_period_end);
  switch (subscription.status) {
    case "trialing":
      return { text: t.billing.status.trialing(formatDate(subscription.trial_end ?? subscription.current_period_end)), warning: false };
    case "past_due":
      return { text: t.billing.status.pastDue(formatDate(subscription.grace_until ?? subscription.current_period_end)), warning: true };
    case "unpaid":
      return { text: t.billing.status.onHold, warning: true };
    case "paused":
      return { text: t.billing.status.paused, warning: false };
    case "canceled":
      return { text: t.billing.status.canceled(formatDate(subscription.canceled_at ?? subscription.current_period_end)), warning: false };
    case "active":
      if (subscription.cancel_at_period_end) return { text: t.billing.status.ends(end), warning: false };
      if (subscription.pending_plan_code) return { text: t.billing.status.changesTo(planName(subscription.pending_plan_code), end), warning: false };
      return { text: t.billing.status.renews(end), warning: false };
  }
}

function Confirm({
  trigger,
  title,
  body,
  action,
  cancel,
  onConfirm,
  testId,
}: {
  trigger: React.ReactNode;
  title: string;
  body: string;
  action: string;
  cancel: string;
  onConfirm: () => void;
  testId: string;
}) {
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>{trigger}</AlertDialogTrigger>
      <AlertDialogContent>
        <AlertDialogHeader>
          <AlertDialogTitle>{title}</AlertDialogTitle>
          <AlertDialogDescription>{body}</AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>{cancel}</AlertDialogCancel>
          <AlertDialogAction onClick={onConfirm} data-testid={testId}>
            {action}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}

export function SubscriptionCard({
  overview,
  plans,
  welcome,
}: {
  overview: Resource<SubscriptionOverview> & { reload: () => void };
  plans: Resource<Plan[]>;
  welcome: boolean;
}) {
  const { t, formatDate } = useI18n();
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (overview.status === "error") return <ErrorNotice error={overview.error} onRetry={overview.reload} />;
  if (overview.status === "loading") return <Skeleton className="h-72 w-full rounded-xl" aria-hidden="true" />;

  const me = overview.data;
  const subscription: Subscription | null = me.subscription;
  const entitlement = me.entitlement;
  const planOf = (code: string) => plans.data?.find((plan) => plan.code === code);
  const planName = (code: string) => planOf(code)?.name ?? code;
  // What the viewer has now (the entitlement: a hold or an ended subscription gives Free).
  const current = planOf(entitlement.plan_code);
  const subscribedPlan = subscription ? planOf(subscription.plan_code) : undefined;
  const status = statusLine(t, formatDate, me, planName);
  const live = subscription !== null && ["trialing", "active", "past_due", "paused"].includes(subscription.status);
  const canCancel = live && !subscription.cancel_at_period_end && subscription.status !== "paused";
  const canUndo = live && subscription.cancel_at_period_end;

  async function act(step: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await step();
      await planChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
      overview.reload();
    }
  }

  async function payAgain() {
    if (!subscription) return;
    setBusy(true);
    setError(null);
    try {
      const checkout = await subscriptionsApi.checkout({ plan_code: subscription.plan_code, currency: subscription.currency, trial: false });
      goToCheckout(checkout.url, router.push);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Card data-testid="subscription" data-status={subscription?.status ?? "none"} data-plan={entitlement.plan_code}>
      <CardHeader>
        <CardTitle>{t.billing.title}</CardTitle>
        {welcome && entitlement.tier === "premium" ? (
          <Alert variant="success" role="status" className="mt-3">
            <CheckCircle2 aria-hidden="true" />
            <AlertDescription>
              <p className="text-foreground">{t.billing.welcome(entitlement.plan_name)}</p>
            </AlertDescription>
          </Alert>
        ) : null}
      </CardHeader>
      <CardContent className="grid gap-6">
        <div className="grid gap-2">
          <div className="flex flex-wrap items-center gap-3">
            <p className="text-2xl font-bold" data-testid="subscription-plan">
              {current?.name ?? entitlement.plan_name}
            </p>
            <Badge variant={entitlement.tier === "premium" ? "premium" : "secondary"}>{t.account.plans[entitlement.tier]}</Badge>
            {subscription ? (
              <Badge variant={status.warning ? "default" : "outline"} data-testid="subscription-status">
                {t.billing.badge[subscription.status]}
              </Badge>
            ) : null}
          </div>
          <p className={status.warning ? "flex items-center gap-2 font-medium text-amber-300" : "text-muted-foreground"} data-testid="subscription-line">
            {status.warning ? <AlertTriangle aria-hidden="true" className="size-4 shrink-0" /> : null}
            {status.text}
          </p>
          {subscription?.status === "past_due" && subscription.next_retry_at ? (
            <p className="text-sm text-muted-foreground">{t.billing.status.retry(formatDate(subscription.next_retry_at))}</p>
          ) : null}
          {subscription?.status === "unpaid" && subscribedPlan ? (
            <p className="text-sm text-muted-foreground">{subscribedPlan.name}</p>
          ) : null}
        </div>
        <div>
          <h3 className="text-xs font-semibold uppercase tracking-wide text-muted-foreground">{t.billing.includes}</h3>
          <PlanFeatureList
            className="mt-3 sm:grid-cols-2"
            features={{
              tier: entitlement.tier,
              ads: entitlement.ads,
              max_streams: entitlement.max_streams,
              max_height: entitlement.max_height ?? null,
              downloads: entitlement.downloads,
            }}
          />
        </div>
        <FormError error={error} />
        <div className="flex flex-wrap gap-3">
          {subscription?.status === "unpaid" ? (
            <Button onClick={() => void payAgain()} disabled={busy} data-testid="subscription-pay">
              {busy ? <Loader2 aria-hidden="true" className="animate-spin" /> : null}
              {t.billing.payNow}
            </Button>
          ) : null}
          <Button asChild variant={live ? "secondary" : "default"}>
            <Link href="/plans/" data-testid="subscription-plans">
              {live ? t.billing.changePlan : t.billing.upgrade}
            </Link>
          </Button>
          {canCancel ? (
            <Confirm
              trigger={
                <Button variant="outline" disabled={busy} data-testid="subscription-cancel">
                  {t.billing.cancel}
                </Button>
              }
              title={t.billing.cancelTitle}
              body={t.billing.cancelBody(subscribedPlan?.name ?? subscription.plan_code, formatDate(subscription.current_period_end))}
              action={t.billing.confirmCancel}
              cancel={t.billing.keep}
              onConfirm={() => void act(() => subscriptionsApi.cancel())}
              testId="subscription-cancel-confirm"
            />
          ) : null}
          {canUndo ? (
            <Confirm
              trigger={
                <Button variant="outline" disabled={busy} data-testid="subscription-resume">
                  {t.billing.undoCancel}
                </Button>
              }
              title={t.billing.undoTitle}
              body={t.billing.undoBody(formatDate(subscription.current_period_end))}
              action={t.billing.confirmUndo}
              cancel={t.common.cancel}
              onConfirm={() => void act(() => subscriptionsApi.resume())}
              testId="subscription-resume-confirm"
            />
          ) : null}
        </div>
      </CardContent>
      <CardDescription className="sr-only">{status.text}</CardDescription>
    </Card>
  );
}
